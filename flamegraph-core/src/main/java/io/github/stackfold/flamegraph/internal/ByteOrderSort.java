package io.github.stackfold.flamegraph.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Byte strings in unsigned byte order (equal strings in the order of their indexes, as a stable sort
 * leaves them), radix by radix: the strings of a group (equal up to depth
 * d) get a key of their next 7 bytes and how many of those there are; the group is sorted by key
 * (an in-memory quicksort of longs), and each run of equal keys whose strings go on is a group at
 * depth d + 7. Each string's bytes are fetched once per 7 bytes of the prefix that sets it apart,
 * where a comparison sort fetches them at every comparison (the stacks are far apart in memory:
 * the fetches, not the comparisons, are the cost). Groups are a work list, the quicksort recurses
 * into its smaller side only: no input can overflow the call stack. A large sort uses two threads
 * ({@link #sort(int)}).
 */
public final class ByteOrderSort {
    private static final int SMALL = 16;
    private final byte[][] blocks;
    // per position, swapped together: where the string is, its length, its index, its key; the
    // key fetch reads them in order, so only the string's own bytes are a random access
    private final long[] pos;
    private final int[] len;
    private final int[] a;
    private final long[] keys;

    /**
     * Strings 0 to n - 1: string i is {@code len[i]} bytes of {@code blocks[pos[i] >>> 32]} from
     * {@code (int) pos[i]}. The arrays are not changed.
     */
    public ByteOrderSort(byte[][] blocks, long[] pos, int[] len, int n) {
        this.blocks = blocks;
        this.pos = Arrays.copyOf(pos, n);
        this.len = Arrays.copyOf(len, n);
        a = new int[n];
        keys = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
    }

    /** Where each string is, in the order {@link #sort()} gave (after it ran). */
    public long[] pos() {
        return pos;
    }

    /** Each string's length, in the order {@link #sort()} gave (after it ran). */
    public int[] len() {
        return len;
    }

    /** From this many strings on, the sort runs on two threads. */
    static final int PARALLEL_FROM = 1 << 15;

    /** The string indexes in byte order of the strings. */
    public int[] sort() {
        return sort(PARALLEL_FROM);
    }

    /**
     * As {@link #sort()}; from {@code parallelFrom} strings on, the strings are first split around
     * a sampled median key (keys fetched by two threads, one half each), descending into the
     * middle while most strings share its key, and the ranges this leaves are then sorted on two
     * threads, the larger ranges shared out first. The order is the same: there is only one byte
     * order of distinct strings.
     */
    public int[] sort(int parallelFrom) {
        int n = a.length;
        if (n < Math.max(2, parallelFrom)) {
            sort(0, n, 0, false);
            return a;
        }
        // ranges left to sort: lo, hi, depth, 1 when their keys at that depth are there
        List<int[]> ranges = new ArrayList<>();
        int lo = 0;
        int hi = n;
        int d = 0;
        while (true) {
            int l = lo;
            int h = hi;
            int depth = d;
            int mid = (l + h) >>> 1;
            both(() -> keys(l, mid, depth), () -> keys(mid, h, depth));
            long v = sampledMedian(l, h);
            long split = partition(l, h, v);
            int lt = (int) (split >>> 32);
            int gt = (int) split;
            ranges.add(new int[] {l, lt, depth, 1});
            ranges.add(new int[] {gt, h, depth, 1});
            if ((v & 0xFF) != 7) {
                ranges.add(new int[] {lt, gt, TIES, 0}); // the middle is copies of one string
                break;
            }
            if (gt - lt < (h - l) / 2 || gt - lt < parallelFrom) {
                ranges.add(new int[] {lt, gt, depth + 7, 0});
                break;
            }
            lo = lt;
            hi = gt;
            d = depth + 7;
        }
        ranges.removeIf(r -> r[1] - r[0] < 2);
        ranges.sort((x, y) -> Integer.compare(y[1] - y[0], x[1] - x[0]));
        List<int[]> mine = new ArrayList<>();
        List<int[]> other = new ArrayList<>();
        long mineSize = 0;
        long otherSize = 0;
        for (int[] r : ranges) {
            if (mineSize <= otherSize) {
                mine.add(r);
                mineSize += r[1] - r[0];
            } else {
                other.add(r);
                otherSize += r[1] - r[0];
            }
        }
        both(() -> sortAll(other), () -> sortAll(mine));
        return a;
    }

    private void sortAll(List<int[]> ranges) {
        for (int[] r : ranges) {
            if (r[2] == TIES) {
                ties(r[0], r[1]);
            } else {
                sort(r[0], r[1], r[2], r[3] == 1);
            }
        }
    }

    /** The depth of a range of copies of one string, to be put in the order of their indexes. */
    private static final int TIES = -1;

    /** Puts [lo, hi), copies of one string (same key, length and bytes), in the order of their indexes. */
    private void ties(int lo, int hi) {
        int n = hi - lo;
        if (n < 2) {
            return;
        }
        long[] byIndex = new long[n];
        for (int k = 0; k < n; k++) {
            byIndex[k] = (long) a[lo + k] << 32 | k;
        }
        Arrays.sort(byIndex);
        int[] a2 = new int[n];
        long[] pos2 = new long[n];
        for (int k = 0; k < n; k++) {
            int from = lo + (int) byIndex[k];
            a2[k] = a[from];
            pos2[k] = pos[from];
        }
        System.arraycopy(a2, 0, a, lo, n);
        System.arraycopy(pos2, 0, pos, lo, n);
    }

    private void keys(int lo, int hi, int d) {
        for (int i = lo; i < hi; i++) {
            keys[i] = key(i, d);
        }
    }

    /** The median of up to 63 keys spread over [lo, hi). */
    private long sampledMedian(int lo, int hi) {
        int m = Math.min(63, hi - lo);
        long[] sample = new long[m];
        for (int i = 0; i < m; i++) {
            sample[i] = keys[lo + (int) ((long) (hi - lo) * i / m)];
        }
        Arrays.sort(sample);
        return sample[m / 2];
    }

    /** Three ways around v: keys below v, then equal to v in [lt, gt), then above; lt << 32 | gt. */
    private long partition(int lo, int hi, long v) {
        int lt = lo;
        int gt = hi - 1;
        int i = lo;
        while (i <= gt) {
            long k = keys[i];
            if (k < v) {
                swap(lt++, i++);
            } else if (k > v) {
                swap(i, gt--);
            } else {
                i++;
            }
        }
        return (long) lt << 32 | (gt + 1);
    }

    /** Runs x on a thread of its own and y on this one; what either throws is thrown after both end. */
    private static void both(Runnable x, Runnable y) {
        Throwable[] failed = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                x.run();
            } catch (RuntimeException | Error e) {
                failed[0] = e;
            }
        }, "stackfold-sort");
        t.setDaemon(true);
        t.start();
        try {
            y.run();
        } finally {
            Threads.joinUninterruptibly(t);
        }
        if (failed[0] instanceof RuntimeException) {
            throw (RuntimeException) failed[0];
        }
        if (failed[0] instanceof Error) {
            throw (Error) failed[0];
        }
    }

    /** Sorts [lo, hi), whose strings are equal before d; with {@code haveKeys} their keys at d are there. */
    private void sort(int lo0, int hi0, int d0, boolean haveKeys) {
        int[] work = new int[3 * 64];
        int top = 0;
        work[top++] = lo0;
        work[top++] = hi0;
        work[top++] = d0;
        boolean first = true;
        while (top > 0) {
            int d = work[--top];
            int hi = work[--top];
            int lo = work[--top];
            if (!(first && haveKeys)) {
                keys(lo, hi, d);
            }
            first = false;
            quicksort(lo, hi);
            for (int i = lo; i < hi; ) {
                int j = i + 1;
                while (j < hi && keys[j] == keys[i]) {
                    j++;
                }
                if (j - i > 1 && (keys[i] & 0xFF) == 7) {
                    if (top + 3 > work.length) {
                        work = Arrays.copyOf(work, work.length * 2);
                    }
                    work[top++] = i;
                    work[top++] = j;
                    work[top++] = d + 7;
                } else if (j - i > 1) {
                    ties(i, j);
                }
                i = j;
            }
        }
    }

    /**
     * The 7 bytes from d (zeros past the end) and the number of them there are, as a long whose
     * signed order is the strings' byte order from d among strings equal before d: of two strings
     * whose padded bytes are equal, the one with fewer bytes is a prefix of the other.
     */
    private long key(int i, int d) {
        int n = Math.min(len[i] - d, 7);
        byte[] b = blocks[(int) (pos[i] >>> 32)];
        int o = (int) pos[i] + d;
        long k = 0;
        for (int j = 0; j < n; j++) {
            k = (k << 8) | (b[o + j] & 0xFF);
        }
        k <<= 8 * (7 - n);
        return ((k << 8) | n) ^ Long.MIN_VALUE;
    }

    private void quicksort(int lo, int hi) {
        while (hi - lo > SMALL) {
            long p = partition(lo, hi, median(keys[lo], keys[(lo + hi) >>> 1], keys[hi - 1]));
            int lt = (int) (p >>> 32);
            int above = (int) p;
            if (lt - lo < hi - above) {
                quicksort(lo, lt);
                lo = above;
            } else {
                quicksort(above, hi);
                hi = lt;
            }
        }
        for (int i = lo + 1; i < hi; i++) {
            for (int j = i; j > lo && keys[j - 1] > keys[j]; j--) {
                swap(j - 1, j);
            }
        }
    }

    private void swap(int i, int j) {
        swap(keys, i, j);
        swap(a, i, j);
        swap(pos, i, j);
        swap(len, i, j);
    }

    private static void swap(long[] x, int i, int j) {
        long t = x[i];
        x[i] = x[j];
        x[j] = t;
    }

    private static void swap(int[] x, int i, int j) {
        int t = x[i];
        x[i] = x[j];
        x[j] = t;
    }

    private static long median(long x, long y, long z) {
        return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    }
}
