package io.github.stackfold.flamegraph.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An open-addressing map from byte strings to non-negative ints, keys kept in one arena: interns
 * stack-line texts and process names without a String or an object per entry. Not thread-safe.
 */
public final class ByteTable {
    private byte[] arena = new byte[1 << 16];
    private int arenaSize;
    private int[] keyOffset = new int[1024];
    private int[] keyLength = new int[1024];
    private int[] hashes = new int[1024];
    private int[] values = new int[1024];
    private int size;
    private int[] slots = new int[2048]; // entry index + 1, 0 = empty
    private int mask = slots.length - 1;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** A 32-bit hash of b[off, off + len), eight bytes per step. */
    public static int hash(byte[] b, int off, int len) {
        long h = 0x9e3779b97f4a7c15L ^ len;
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            h = Long.rotateLeft(h ^ ((long) LONGS.get(b, i) * 0xc2b2ae3d27d4eb4fL), 31) * 0x9e3779b97f4a7c15L;
        }
        for (; i < end; i++) {
            h = (h ^ (b[i] & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }

    /**
     * A cheaper hash of {@code len >= 24} bytes from their first 24 and last 8 and the length only: for
     * keys that differ near their ends, such as stack lines (address first, module last). Equal keys
     * still hash equal; keys that share those bytes only probe longer, lookups stay exact.
     */
    public static int sketch(byte[] b, int off, int len) {
        long h = (long) LONGS.get(b, off) * 0xc2b2ae3d27d4eb4fL;
        h = Long.rotateLeft(h ^ (long) LONGS.get(b, off + 8), 29) * 0x9e3779b97f4a7c15L;
        h = Long.rotateLeft(h ^ (long) LONGS.get(b, off + 16), 31) * 0xc2b2ae3d27d4eb4fL;
        h = (h ^ (long) LONGS.get(b, off + len - 8) ^ len) * 0x9e3779b97f4a7c15L;
        h ^= h >>> 32;
        return (int) (h ^ (h >>> 16));
    }

    /** The value for the key, or -1. */
    public int get(byte[] b, int off, int len, int hash) {
        int i = hash & mask;
        while (true) {
            int slot = slots[i];
            if (slot == 0) {
                return -1;
            }
            int entry = slot - 1;
            if (hashes[entry] == hash && keyLength[entry] == len
                    && Arrays.equals(arena, keyOffset[entry], keyOffset[entry] + len, b, off, off + len)) {
                return values[entry];
            }
            i = (i + 1) & mask;
        }
    }

    /** Adds a key that is not present. */
    public void put(byte[] b, int off, int len, int hash, int value) {
        if (size >= values.length) {
            int n = values.length * 2;
            keyOffset = Arrays.copyOf(keyOffset, n);
            keyLength = Arrays.copyOf(keyLength, n);
            hashes = Arrays.copyOf(hashes, n);
            values = Arrays.copyOf(values, n);
        }
        if (arenaSize + len > arena.length) {
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaSize + len));
        }
        System.arraycopy(b, off, arena, arenaSize, len);
        int entry = size++;
        keyOffset[entry] = arenaSize;
        keyLength[entry] = len;
        hashes[entry] = hash;
        values[entry] = value;
        arenaSize += len;
        if (size * 2 > slots.length) {
            rehash();
        } else {
            insertSlot(entry);
        }
    }

    public int size() {
        return size;
    }

    /** Bytes held by the keys. */
    public int bytes() {
        return arenaSize;
    }

    private void insertSlot(int entry) {
        int i = hashes[entry] & mask;
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = entry + 1;
    }

    private void rehash() {
        slots = new int[slots.length * 2];
        mask = slots.length - 1;
        for (int e = 0; e < size; e++) {
            insertSlot(e);
        }
    }
}
