package io.github.stackfold.bench;

import io.github.stackfold.flamegraph.symbolize.BinaryLocator;
import io.github.stackfold.flamegraph.symbolize.GoSymbolizer;
import io.github.stackfold.flamegraph.symbolize.internal.GoBinary;
import io.github.stackfold.flamegraph.symbolize.internal.GoPcLnTab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Question: what does naming the {@code [unknown]} frames of a stripped Go binary add to a profile of
 * 30 s at 99 Hz on 2 CPUs (5,940 samples of 30 frames: 178,200 frames)? Each operation builds a new
 * {@link GoSymbolizer} (so the binary is opened and its {@code .gopclntab} read, as in one
 * {@code flame collapse --go} run) and names every frame; the goal is well under 1 s per operation.
 *
 * <p>The binary is Debian's stripped {@code /usr/bin/etcd} (21 MB, package etcd-server), or
 * {@code -Dstackfold.bench.goBinary=FILE}. The frames are {@code distinct} addresses inside its
 * functions, chosen with a fixed seed, drawn with a skew (a few hot functions, a long tail) as a real
 * profile's are; addresses are file offsets, as perf prints them. ({@code -Dstackfold.bench.symbolFrames=N}
 * names N frames instead, for the smoke test.)
 *
 * <p>How to run: {@code java -cp benchmarks/target/benchmarks.jar io.github.stackfold.bench.Summary SymbolLookup}
 * (score: ms per profile).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Benchmark)
public class SymbolLookupBenchmark {
    /** Frames per profile: 30 s x 99 Hz x 2 CPUs x 30 frames. */
    static final int FRAMES = 30 * 99 * 2 * 30;

    @Param({"20000"})
    public int distinct;

    private String module;
    private Path binary;
    private long[] frames;

    @Setup
    public void load() throws Exception {
        binary = Path.of(System.getProperty("stackfold.bench.goBinary", "/usr/bin/etcd"));
        if (!Files.isRegularFile(binary)) {
            throw new IllegalStateException("Go binary " + binary + " not found: install etcd-server or pass"
                    + " -Dstackfold.bench.goBinary=FILE (a Go executable)");
        }
        module = "/usr/local/bin/" + binary.getFileName();
        GoBinary go = GoBinary.open(binary);
        GoPcLnTab tab = go.table();
        int n = tab.functionCount();
        SplittableRandom rnd = new SplittableRandom(8);
        long[] offsets = new long[distinct];
        for (int k = 0; k < distinct; k++) {
            int i = rnd.nextInt(n);
            long start = tab.entry(i);
            long len = Math.max(1, tab.entry(i + 1) - start);
            offsets[k] = go.elf().addressToOffset(start + rnd.nextLong(len));
        }
        frames = new long[Integer.getInteger("stackfold.bench.symbolFrames", FRAMES)];
        for (int f = 0; f < frames.length; f++) {
            // skewed: the square of a uniform number favours the first addresses
            double u = rnd.nextDouble();
            frames[f] = offsets[(int) (u * u * distinct)];
        }
    }

    @Benchmark
    public long nameOneProfile(Blackhole bh) {
        Path file = binary;
        GoSymbolizer s = GoSymbolizer.builder().locator(BinaryLocator.binary(file)).build();
        for (long a : frames) {
            bh.consume(s.symbolize(module, a));
        }
        return s.namedFrames();
    }
}
