package io.github.stackfold.bench;

import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FoldedSamples;
import io.github.stackfold.flamegraph.render.FrameLayout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Question: how fast are folded lines merged into the frame tree with positions ({@link FrameLayout}),
 * without reading text or writing SVG? Input: the real recording collapsed and expanded to >= 100k
 * distinct stacks, already read; MB/s is counted in bytes of the folded text those lines came from, so
 * it compares directly with {@link FlameGraphBenchmark}.
 *
 * <p>How to run (from the repository root, ../shared beside it):
 * {@code mvn -q -o -pl benchmarks -am -DskipTests package && java -cp benchmarks/target/benchmarks.jar io.github.stackfold.bench.Summary FrameLayout}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Benchmark)
public class FrameLayoutBenchmark {
    private FoldedSamples samples;
    private long bytes;
    private FlameGraphOptions options;

    @Setup
    public void load() {
        byte[] folded = Fixtures.text(Fixtures.manyStacks());
        bytes = folded.length;
        try {
            samples = FoldedSamples.read(new ByteArrayInputStream(folded), "bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        options = FlameGraphOptions.defaults();
    }

    @Benchmark
    public FrameLayout layout(Megabytes mb) {
        FrameLayout l = FrameLayout.of(samples, options);
        mb.consumed(bytes);
        return l;
    }
}
