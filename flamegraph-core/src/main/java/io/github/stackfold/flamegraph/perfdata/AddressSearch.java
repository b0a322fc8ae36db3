package io.github.stackfold.flamegraph.perfdata;

/** Binary search over sorted start addresses, compared unsigned (kernel addresses have the top bit set). */
final class AddressSearch {
    private AddressSearch() {
    }

    /** The index of the last start at or below {@code addr} in {@code starts} (sorted unsigned), or -1. */
    static int floor(long[] starts, long addr) {
        int lo = 0;
        int hi = starts.length - 1;
        int at = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(starts[mid], addr) <= 0) {
                at = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return at;
    }
}
