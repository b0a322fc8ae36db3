package io.github.stackfold.bench;

import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;
import io.github.stackfold.flamegraph.render.FoldedSamples;
import io.github.stackfold.flamegraph.render.RenderResult;

import java.io.ByteArrayInputStream;
import java.io.IOException;
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
 * Question: how fast does folded text become an SVG flame graph with the default options (read the
 * lines, lay out the frames, write the SVG)? With {@code layOutWhileReading=true} the frames are laid
 * out on a second thread while the lines are read ({@link FoldedSamples#readAndLayOut}, what
 * {@code flame flamegraph} does with one sorted input); with {@code false}, one after the other on
 * one thread. Input: the real recording collapsed and expanded to >= 100k distinct stacks
 * ({@link Fixtures#manyStacks}), sorted.
 *
 * <p>How to run (from the repository root, ../shared beside it):
 * {@code mvn -q -o -pl benchmarks -am -DskipTests package && java -cp benchmarks/target/benchmarks.jar io.github.stackfold.bench.Summary FlameGraph}.
 * The {@code :MB} row is MB/s of folded input.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Benchmark)
public class FlameGraphBenchmark {
    @Param({"false", "true"})
    public boolean layOutWhileReading;

    private byte[] folded;
    private FlameGraphRenderer renderer;

    @Setup
    public void load() {
        folded = Fixtures.text(Fixtures.manyStacks());
        renderer = FlameGraphRenderer.of(FlameGraphOptions.defaults());
    }

    @Benchmark
    public RenderResult render(Megabytes mb, Blackhole bh) throws IOException {
        FoldedSamples samples = layOutWhileReading
                ? FoldedSamples.readAndLayOut(new ByteArrayInputStream(folded), "bench", e -> { })
                : FoldedSamples.read(new ByteArrayInputStream(folded), "bench");
        RenderResult r = renderer.render(samples, new FoldedWriteBenchmark.BlackholeStream(bh));
        mb.consumed(folded.length);
        return r;
    }
}
