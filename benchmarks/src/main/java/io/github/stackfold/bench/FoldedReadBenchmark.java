package io.github.stackfold.bench;

import io.github.stackfold.flamegraph.folded.FoldedProfile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
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

/**
 * Question: how fast is folded text read into a {@link FoldedProfile} (merge and sort included)? Input:
 * the real recording collapsed, expanded to >= 100k distinct stacks ({@link Fixtures#manyStacks}).
 *
 * <p>How to run (from the repository root, ../shared beside it):
 * {@code mvn -q -o -pl benchmarks -am -DskipTests package && java -cp benchmarks/target/benchmarks.jar io.github.stackfold.bench.Summary FoldedRead}.
 * The {@code :MB} row is MB/s of folded text.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Benchmark)
public class FoldedReadBenchmark {
    private byte[] folded;

    @Setup
    public void load() {
        folded = Fixtures.text(Fixtures.manyStacks());
    }

    @Benchmark
    public FoldedProfile read(Megabytes mb) throws IOException {
        FoldedProfile p = FoldedProfile.read(new ByteArrayInputStream(folded), "bench");
        mb.consumed(folded.length);
        return p;
    }
}
