package io.github.stackfold.flamegraph.internal;

import java.util.Arrays;

/**
 * Whole samples seen before, found by a key of their first stack line and their process name. perf
 * prints the same caller lines under the same leaf line again and again, so when a sample's stack
 * lines equal, byte for byte, those of the last sample of that process name whose first line had that
 * key, the sample folds to the same stack: one comparison instead of a lookup per line and a stack to
 * hash.
 *
 * <p>The key is any int that is not negative (the folder uses a hash of the first line's start: equal
 * keys need not mean equal lines, as the bytes are compared). Each slot keeps the bytes of one
 * sample's stack lines (up to and including the last line's {@code \n}), their number and the stack's
 * index in a {@link StackTable}. A cache, not a map: a key's samples go to one set of two slots, and a
 * new one replaces the one of the set used less recently, whatever its key, in place when it fits
 * there. Slots and bytes are capped (past the cap a sample that does not fit is not kept). Not
 * thread-safe.
 */
final class SampleCache {
    /**
     * Per slot: key + 1 (0: empty), process name, offset of the lines, room at that offset, their
     * length, their number, stack; the set's first slot's last int is the slot used last (0 or 1).
     */
    private static final int STRIDE = 8;
    private static final int SET = 2 * STRIDE;
    private static final int RECENT = 7;
    private static final int MAX_SETS = 1 << 15;
    /** Lines are kept in chunks of this many bytes (never grown, so never copied); longer samples are not kept. */
    private static final int CHUNK_BITS = 18;
    private static final int CHUNK = 1 << CHUNK_BITS;
    private static final int MAX_CHUNKS = 64; // 16 MiB

    private int[] slots = new int[256 * SET];
    private int mask = 255;
    private int used;
    private byte[][] chunks = new byte[4][];
    private int chunkCount;
    /** Bytes used in the last chunk. */
    private int chunkUsed = CHUNK;

    /** Set by {@link #find}: the length and the number of lines of the sample it found. */
    int foundLength;
    int foundLines;

    /** The set (its first slot) where the key's tails may be. */
    private int set(int key, int pname) {
        int h = (key * 0x9e3779b1) ^ (pname * 0x85ebca77);
        return ((h ^ (h >>> 16)) & mask) * SET;
    }

    /**
     * The stack of the sample of key {@code key} in process {@code pname} when {@code b[from, to)}
     * starts with the lines kept for them followed by an empty line; else -1.
     */
    int find(int key, int pname, byte[] b, int from, int to) {
        int s = set(key, pname);
        int stack = match(s, key, pname, b, from, to);
        if (stack >= 0) {
            slots[s + RECENT] = 0;
            return stack;
        }
        stack = match(s + STRIDE, key, pname, b, from, to);
        if (stack >= 0) {
            slots[s + RECENT] = 1;
        }
        return stack;
    }

    private int match(int s, int key, int pname, byte[] b, int from, int to) {
        int[] sl = slots;
        if (sl[s] != key + 1 || sl[s + 1] != pname) {
            return -1;
        }
        int len = sl[s + 4];
        int end = from + len;
        if (end >= to || b[end] != '\n') {
            return -1;
        }
        int at = sl[s + 2];
        int off = at & (CHUNK - 1);
        if (!Arrays.equals(chunks[at >>> CHUNK_BITS], off, off + len, b, from, end)) {
            return -1;
        }
        foundLength = len;
        foundLines = sl[s + 5];
        return sl[s + 6];
    }

    /**
     * Keeps {@code b[from, to)}, {@code lines} stack lines, as those of a sample of key {@code key}
     * in process {@code pname} that folds to {@code stack}: in an empty slot of the key's set, else in
     * the one used less recently.
     */
    void remember(int key, int pname, byte[] b, int from, int to, int lines, int stack) {
        int len = to - from;
        int set = set(key, pname);
        if (slots[set] == 0 && slots[set + STRIDE] == 0 && ++used > (mask + 1) / 2 && mask + 1 < MAX_SETS) {
            grow();
            set = set(key, pname);
        }
        int[] sl = slots;
        int way = sl[set] == 0 ? 0 : sl[set + STRIDE] == 0 ? 1 : 1 - sl[set + RECENT];
        int s = set + way * STRIDE;
        if (sl[s] == 0 || sl[s + 3] < len) { // no room here yet, or too little: a new one, with some to spare
            int room = Math.min(CHUNK, (len + (len >> 2) + 64) & ~63); // at least 64
            if (len > room || !reserve(room)) {
                return;
            }
            sl[s + 2] = (chunkCount - 1) << CHUNK_BITS | chunkUsed;
            sl[s + 3] = room;
            chunkUsed += room;
        }
        int at = sl[s + 2];
        System.arraycopy(b, from, chunks[at >>> CHUNK_BITS], at & (CHUNK - 1), len);
        sl[s] = key + 1;
        sl[s + 1] = pname;
        sl[s + 4] = len;
        sl[s + 5] = lines;
        sl[s + 6] = stack;
        sl[set + RECENT] = way;
    }

    /** Makes room for {@code room} bytes at {@code chunkUsed} of the last chunk; false past the cap. */
    private boolean reserve(int room) {
        if (chunkUsed + room <= CHUNK) {
            return true;
        }
        if (chunkCount == MAX_CHUNKS) {
            return false;
        }
        if (chunkCount == chunks.length) {
            chunks = Arrays.copyOf(chunks, chunkCount * 2);
        }
        chunks[chunkCount++] = new byte[CHUNK];
        chunkUsed = 0;
        return true;
    }

    /** Twice the sets; each kept sample moves, with its room, to its key's new set (where more than two meet, some are dropped). */
    private void grow() {
        int[] old = slots;
        slots = new int[old.length * 2];
        mask = mask * 2 + 1;
        used = 0;
        for (int o = 0; o < old.length; o += STRIDE) {
            if (old[o] != 0) {
                int set = set(old[o] - 1, old[o + 1]);
                if (slots[set] == 0) {
                    used++;
                    System.arraycopy(old, o, slots, set, RECENT);
                } else if (slots[set + STRIDE] == 0) {
                    System.arraycopy(old, o, slots, set + STRIDE, RECENT);
                }
            }
        }
    }
}
