package io.github.stackfold.flamegraph.internal;

import java.util.Arrays;

/**
 * An open-addressing map from byte strings to non-negative ints, keys kept in one arena: interns
 * stack-line texts and process names without a String or an object per entry. The caller supplies
 * each key's hash (any function, as long as one table always uses the same). Not thread-safe.
 */
public final class ByteTable {
    /** Per entry: hash, key offset in the arena, key length, value (one cache line holds four). */
    private static final int STRIDE = 4;

    private byte[] arena = new byte[1 << 12]; // small at first: a folder holds eight tables, most of them near empty
    private int arenaSize;
    private int[] entries = new int[64 * STRIDE];
    private int size;
    private int[] slots = new int[128]; // entry index + 1, 0 = empty
    private int mask = slots.length - 1;


    /** A 32-bit hash of b[off, off + len), eight bytes per step. */
    public static int hash(byte[] b, int off, int len) {
        long h = 0x9e3779b97f4a7c15L ^ len;
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            h = Long.rotateLeft(h ^ ((long) Bytes.LONGS.get(b, i) * 0xc2b2ae3d27d4eb4fL), 31) * 0x9e3779b97f4a7c15L;
        }
        for (; i < end; i++) {
            h = (h ^ (b[i] & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }

    /** The value for the key, or -1. */
    public int get(byte[] b, int off, int len, int hash) {
        int e = find(b, off, off + len, hash, false);
        return e < 0 ? -1 : value(e);
    }

    /**
     * The entry whose key is the line that starts at {@code b[p]}: its bytes, followed by {@code \n} or
     * by {@code to} (the end of the input). The caller need not know where the line ends: each
     * candidate's length says where to look. -1 when there is none; see {@link #value} and
     * {@link #keyLength}.
     */
    public int lineEntry(byte[] b, int p, int to, int hash) {
        return find(b, p, to, hash, true);
    }

    /** The entry whose key is {@code b[p, to)} or, for a line, {@code b[p, end)} with a {@code \n} at end; -1 if none. */
    private int find(byte[] b, int p, int to, int hash, boolean line) {
        int[] es = entries;
        int i = hash & mask;
        while (true) {
            int slot = slots[i];
            if (slot == 0) {
                return -1;
            }
            int e = (slot - 1) * STRIDE;
            i = (i + 1) & mask;
            if (es[e] != hash) {
                continue;
            }
            int end = p + es[e + 2];
            if (end > to || (end < to && (!line || b[end] != '\n'))) {
                continue;
            }
            int ao = es[e + 1];
            if (Arrays.equals(arena, ao, ao + es[e + 2], b, p, end)) {
                return slot - 1;
            }
        }
    }

    /** The value of an entry of {@link #lineEntry}. */
    public int value(int entry) {
        return entries[entry * STRIDE + 3];
    }

    /** The key length of an entry of {@link #lineEntry}. */
    public int keyLength(int entry) {
        return entries[entry * STRIDE + 2];
    }

    /** Adds a key that is not present. */
    public void put(byte[] b, int off, int len, int hash, int value) {
        if ((size + 1) * STRIDE > entries.length) {
            entries = Arrays.copyOf(entries, entries.length * 2);
        }
        if (arenaSize + len > arena.length) {
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaSize + len));
        }
        System.arraycopy(b, off, arena, arenaSize, len);
        int entry = size++;
        int e = entry * STRIDE;
        entries[e] = hash;
        entries[e + 1] = arenaSize;
        entries[e + 2] = len;
        entries[e + 3] = value;
        arenaSize += len;
        if (size * 2 > slots.length) {
            slots = Slots.doubled(slots, size, x -> entries[x * STRIDE]);
            mask = slots.length - 1;
        } else {
            Slots.insert(slots, hash, entry);
        }
    }

    public int size() {
        return size;
    }

    /** Bytes held by the keys. */
    public int bytes() {
        return arenaSize;
    }
}
