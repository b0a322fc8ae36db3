package io.github.stackfold.bench;

import io.github.stackfold.flamegraph.folded.FoldedProfile;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Question: how fast does a {@link FoldedProfile} write its folded text (what {@code flame collapse}
 * does last)? Input: the real recording collapsed, expanded to >= 100k distinct stacks.
 *
 * <p>How to run (from the repository root, ../shared beside it):
 * {@code mvn -q -o -pl benchmarks -am -DskipTests package && java -cp benchmarks/target/benchmarks.jar io.github.stackfold.bench.Summary FoldedWrite}.
 * The {@code :MB} row is MB/s of folded text written.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Benchmark)
public class FoldedWriteBenchmark {
    private FoldedProfile profile;
    private long bytes;

    @Setup
    public void load() {
        profile = Fixtures.manyStacks();
        bytes = Fixtures.text(profile).length;
    }

    @Benchmark
    public void write(Megabytes mb, Blackhole bh) throws IOException {
        profile.write(new BlackholeStream(bh));
        mb.consumed(bytes);
    }

    /** Hands each written block to the blackhole, so the writing cannot be optimised away. */
    static final class BlackholeStream extends OutputStream {
        private final Blackhole bh;

        BlackholeStream(Blackhole bh) {
            this.bh = bh;
        }

        @Override
        public void write(int b) {
            bh.consume(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bh.consume(b);
            bh.consume(len);
        }
    }
}
