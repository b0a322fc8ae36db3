package io.github.stackfold.flamegraph.internal;

/** Index sorts by primitive keys, without boxing. */
public final class StableSort {
    private StableSort() {
    }

    /**
     * The indexes {@code 0..n-1} ordered by {@code keys[i]} (signed), equal keys in index order: a
     * bottom-up merge sort whose already ordered neighbours (runs of sorted input) are copied, not merged.
     */
    public static int[] indexesByKey(long[] keys, int n) {
        int[] src = new int[n];
        boolean sorted = true;
        for (int i = 0; i < n; i++) {
            src[i] = i;
            if (i > 0 && keys[i - 1] > keys[i]) {
                sorted = false;
            }
        }
        if (sorted) {
            return src;
        }
        int[] dst = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                if (mid >= hi || keys[src[mid - 1]] <= keys[src[mid]]) {
                    System.arraycopy(src, lo, dst, lo, hi - lo);
                    continue;
                }
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    dst[k++] = keys[src[j]] < keys[src[i]] ? src[j++] : src[i++];
                }
                System.arraycopy(src, i, dst, k, mid - i);
                k += mid - i;
                System.arraycopy(src, j, dst, k, hi - j);
            }
            int[] x = src;
            src = dst;
            dst = x;
        }
        return src;
    }
}
