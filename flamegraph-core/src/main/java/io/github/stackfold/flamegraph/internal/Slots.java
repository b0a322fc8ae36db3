package io.github.stackfold.flamegraph.internal;

import java.util.function.IntUnaryOperator;

/**
 * The slot arrays of the open-addressing table {@link ByteTable} (StackTable keeps each hash in its slot): a power-of-two
 * array of entry index + 1 (0 = empty), probed linearly from the entry's hash.
 */
public final class Slots {
    private Slots() {
    }

    /** Puts {@code entry} in the first empty slot at or after its hash. */
    public static void insert(int[] slots, int hash, int entry) {
        int mask = slots.length - 1;
        int i = hash & mask;
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = entry + 1;
    }

    /** A slot array twice the size of {@code slots} holding entries 0 to {@code size - 1}, placed by {@code hashOf}. */
    public static int[] doubled(int[] slots, int size, IntUnaryOperator hashOf) {
        int[] grown = new int[slots.length * 2];
        for (int e = 0; e < size; e++) {
            insert(grown, hashOf.applyAsInt(e), e);
        }
        return grown;
    }
}
