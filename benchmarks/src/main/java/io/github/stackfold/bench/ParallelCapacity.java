package io.github.stackfold.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongUnaryOperator;

/**
 * What N threads can do on this machine, for reading the two-thread rows of
 * {@code run-whole-process.sh}. Three loops, each run on one thread and then on N threads at once (the
 * same work on each); the speed-up is {@code N * t1 / tN}, N at best:
 * <ul>
 * <li>{@code chain}: one dependent xorshift chain. Latency-bound, it leaves most of a core idle, so
 *   it scales even on two hyper-threads of one core: an upper bound only.</li>
 * <li>{@code ilp}: four independent chains, which keep a core's execution units busy: two threads
 *   sharing a core, or a host that gives the guest less than two cores, show here.</li>
 * <li>{@code memory}: random reads in a 64 MiB table (the collapser's hash tables and arenas are
 *   random reads too): shared caches and memory bandwidth show here.</li>
 * </ul>
 * On this 2-core KVM guest, 2026-11-27, over seven runs: chain 1.94-1.99x, ilp 1.63-1.80x, memory
 * 1.28-2.32x (its one-thread time alone varied 396-617 ms: the host's memory, not the loop). A collapse
 * is nearer the last two than the first.
 *
 * <p>How to run: {@code java -cp benchmarks/target/benchmarks.jar io.github.stackfold.bench.ParallelCapacity [N]}
 * prints one line per loop, {@code NAME SPEEDUP T1_MS TN_MS} (medians of five rounds, after one round
 * of warm-up).
 */
public final class ParallelCapacity {
    private static final int ROUNDS = 5;
    private static final int TABLE_BITS = 24;
    private static final int[] TABLE = new int[1 << TABLE_BITS];
    private static volatile long sink;

    private ParallelCapacity() {
    }

    public static void main(String[] args) throws InterruptedException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        for (int i = 0; i < TABLE.length; i++) {
            TABLE[i] = i * 0x9E3779B9;
        }
        print("chain", n, ParallelCapacity::chain, 100_000_000L);
        print("ilp", n, ParallelCapacity::ilp, 50_000_000L);
        print("memory", n, ParallelCapacity::memory, 20_000_000L);
    }

    private static void print(String name, int n, LongUnaryOperator loop, long iterations) throws InterruptedException {
        timed(1, loop, iterations);
        timed(n, loop, iterations);
        long[] one = new long[ROUNDS];
        long[] many = new long[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            one[r] = timed(1, loop, iterations);
            many[r] = timed(n, loop, iterations);
        }
        Arrays.sort(one);
        Arrays.sort(many);
        double t1 = one[ROUNDS / 2] / 1e6;
        double tn = many[ROUNDS / 2] / 1e6;
        System.out.printf(Locale.ROOT, "%s %.2f %.0f %.0f%n", name, n * t1 / tn, t1, tn);
    }

    /** Nanoseconds for {@code threads} threads each running the loop once. */
    private static long timed(int threads, LongUnaryOperator loop, long iterations) throws InterruptedException {
        Thread[] ts = new Thread[threads];
        long start = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            ts[i] = new Thread(() -> sink = loop.applyAsLong(iterations));
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        return System.nanoTime() - start;
    }

    static long chain(long iterations) {
        long x = 0x9E3779B97F4A7C15L;
        for (long i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    static long ilp(long iterations) {
        long a = 1;
        long b = 2;
        long c = 3;
        long d = 4;
        for (long i = 0; i < iterations; i++) {
            a ^= a << 13;
            a ^= a >>> 7;
            b ^= b << 13;
            b ^= b >>> 7;
            c ^= c << 13;
            c ^= c >>> 7;
            d ^= d << 13;
            d ^= d >>> 7;
            a += b;
            c += d;
        }
        return a + b + c + d;
    }

    static long memory(long iterations) {
        long x = 0x9E3779B97F4A7C15L;
        long sum = 0;
        int mask = TABLE.length - 1;
        for (long i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            sum += TABLE[(int) x & mask];
        }
        return sum;
    }
}
