package io.github.stackfold.bench;

/**
 * What two threads can do on this machine, for reading the two-thread rows of
 * {@code run-whole-process.sh}: a CPU-only loop (no memory traffic, no locks) runs on one thread,
 * then the same loop on each of N threads at once. On N real cores the second takes as long as the
 * first; on hyper-threads or a busy host it takes longer. Prints the speed-up of N threads over one
 * ({@code N * t1 / tN}, N at best).
 *
 * <p>How to run: {@code java -cp benchmarks/target/benchmarks.jar io.github.stackfold.bench.ParallelCapacity [N]}
 * prints {@code speedup T1_MS TN_MS} (medians of three rounds, after one round of warm-up).
 */
public final class ParallelCapacity {
    private static final long ITERATIONS = 100_000_000L;
    private static volatile long sink;

    private ParallelCapacity() {
    }

    public static void main(String[] args) throws InterruptedException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        timed(1);
        timed(n);
        long[] one = new long[3];
        long[] many = new long[3];
        for (int r = 0; r < 3; r++) {
            one[r] = timed(1);
            many[r] = timed(n);
        }
        java.util.Arrays.sort(one);
        java.util.Arrays.sort(many);
        double t1 = one[1] / 1e6;
        double tn = many[1] / 1e6;
        System.out.printf(java.util.Locale.ROOT, "%.2f %.0f %.0f%n", n * t1 / tn, t1, tn);
    }

    /** Nanoseconds for {@code threads} threads each running the loop once. */
    private static long timed(int threads) throws InterruptedException {
        Thread[] ts = new Thread[threads];
        long start = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            ts[i] = new Thread(() -> sink = spin(ITERATIONS));
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        return System.nanoTime() - start;
    }

    static long spin(long iterations) {
        long x = 0x9E3779B97F4A7C15L;
        for (long i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }
}
