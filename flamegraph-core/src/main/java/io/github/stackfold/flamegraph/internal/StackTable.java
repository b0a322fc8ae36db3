package io.github.stackfold.flamegraph.internal;

import java.util.Arrays;

/**
 * Weights per distinct stack, a stack being a sequence of interned frame ids; the ids live in one
 * int arena. Memory grows with distinct stacks only. Not thread-safe.
 */
public final class StackTable {
    private int[] arena = new int[1 << 10]; // grown as stacks come: small inputs stay cheap
    private int arenaSize;
    private int[] seqOffset = new int[64];
    private int[] seqLength = new int[64];
    private long[] weights = new long[64];
    private int size;
    /** Open addressing: per slot {@code hash << 32 | (stack + 1)}, 0 empty (a probe reads the hash where it reads the slot). */
    private long[] slots = new long[128];
    private int mask = slots.length - 1;

    /** Adds {@code weight} to the stack {@code ids[0, len)}; returns the stack's index. */
    public int add(int[] ids, int len, long weight) {
        int h = 0x2545f491 ^ len;
        for (int k = 0; k < len; k++) {
            h = (h ^ ids[k]) * 0x01000193;
            h = Integer.rotateLeft(h, 11);
        }
        h ^= h >>> 15;
        h *= 0x2c1b3c6d;
        h ^= h >>> 12;
        int i = h & mask;
        while (true) {
            long slot = slots[i];
            if (slot == 0) {
                break;
            }
            int e = (int) slot - 1;
            if ((int) (slot >>> 32) == h && seqLength[e] == len
                    && Arrays.equals(arena, seqOffset[e], seqOffset[e] + len, ids, 0, len)) {
                addWeight(e, weight);
                return e;
            }
            i = (i + 1) & mask;
        }
        if (size >= weights.length) {
            int n = weights.length * 2;
            seqOffset = Arrays.copyOf(seqOffset, n);
            seqLength = Arrays.copyOf(seqLength, n);
            weights = Arrays.copyOf(weights, n);
        }
        if (arenaSize + len > arena.length) {
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaSize + len));
        }
        System.arraycopy(ids, 0, arena, arenaSize, len);
        int e = size++;
        seqOffset[e] = arenaSize;
        seqLength[e] = len;
        weights[e] = weight;
        arenaSize += len;
        slots[i] = (long) h << 32 | (e + 1);
        if (size * 2 > slots.length) {
            long[] old = slots;
            slots = new long[old.length * 2];
            mask = slots.length - 1;
            for (long slot : old) {
                if (slot != 0) {
                    int j = (int) (slot >>> 32) & mask;
                    while (slots[j] != 0) {
                        j = (j + 1) & mask;
                    }
                    slots[j] = slot;
                }
            }
        }
        return e;
    }

    /** Adds {@code weight} to the stack of index {@code stack} (from {@link #add}). */
    public void addWeight(int stack, long weight) {
        long w = weights[stack] + weight;
        weights[stack] = w < 0 && weight > 0 ? Long.MAX_VALUE : w; // saturates rather than wrapping negative
    }

    public int size() {
        return size;
    }

    /** Receives each stack. */
    public interface Visitor {
        void visit(int[] arena, int offset, int length, long weight);
    }

    /** Visits the stack of index {@code stack} (from {@link #add}). */
    public void visit(int stack, Visitor v) {
        v.visit(arena, seqOffset[stack], seqLength[stack], weights[stack]);
    }

    public void forEach(Visitor v) {
        for (int e = 0; e < size; e++) {
            v.visit(arena, seqOffset[e], seqLength[e], weights[e]);
        }
    }
}
