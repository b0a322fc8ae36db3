package io.github.stackfold.bench;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.html.HtmlOptions;
import io.github.stackfold.flamegraph.html.HtmlRenderer;
import io.github.stackfold.flamegraph.io.ProfileLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Question: how long does {@code flame html} take to write the viewer of a loaded profile, against
 * writing the same profile as folded text (the baseline, measured in the same run)? Input: the
 * 1 M random-stack file of issue 21, generated outside the repository by
 * {@code benchmarks/html-viewer-bench.sh} (python3, {@code random.seed(7)}), path in {@code -p file=}.
 *
 * <p>How to run: {@code benchmarks/html-viewer-bench.sh} (generates the input, then runs this with
 * {@code java -jar benchmarks/target/benchmarks.jar HtmlWrite -p file=/tmp/stackfold-big.folded}).
 * Scores are seconds per write.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx3g")
@State(Scope.Benchmark)
public class HtmlWriteBenchmark {
    @Param("/tmp/stackfold-big.folded")
    public String file;

    private FoldedProfile profile;
    private HtmlRenderer renderer;

    @Setup
    public void load() throws IOException {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(file + " is missing: generate it with benchmarks/html-viewer-bench.sh");
        }
        profile = ProfileLoader.create().load(p);
        renderer = HtmlRenderer.of(HtmlOptions.defaults());
    }

    @Benchmark
    public void html(Blackhole bh) throws IOException {
        renderer.render(profile, new FoldedWriteBenchmark.BlackholeStream(bh));
    }

    @Benchmark
    public void foldedBaseline(Blackhole bh) throws IOException {
        profile.write(new FoldedWriteBenchmark.BlackholeStream(bh));
    }
}
