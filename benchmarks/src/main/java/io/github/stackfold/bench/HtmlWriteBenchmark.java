package io.github.stackfold.bench;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.html.HtmlOptions;
import io.github.stackfold.flamegraph.html.HtmlRenderer;
import io.github.stackfold.flamegraph.html.RawStacks;
import io.github.stackfold.flamegraph.io.ProfileLoader;

import java.io.ByteArrayInputStream;
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
 * Question: how fast does {@code flame html} write the viewer of a loaded profile, against writing the
 * same profile as folded text (the baseline, {@code foldedBaseline}, measured in the same run)?
 * Input: {@code -p file=FOLDED} (issue 21's 1 M random stacks, generated outside the repository by
 * {@code benchmarks/html-viewer-bench.sh}), or by default the real recording collapsed and expanded to
 * >= 100k distinct stacks.
 *
 * <p>How to run: {@code java -jar benchmarks/target/benchmarks.jar HtmlWrite -p file=/tmp/stackfold-bench/stackfold-big.folded}
 * (or {@code benchmarks/html-viewer-bench.sh}, which does it after generating the input). The
 * {@code :MB} row is MB/s of folded text (the input's size as folded stacks); the score, writes per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = "-Xmx3g")
@State(Scope.Benchmark)
public class HtmlWriteBenchmark {
    @Param("")
    public String file;

    private FoldedProfile profile;
    private HtmlRenderer renderer;
    private long bytes;
    private byte[] text;

    @Setup
    public void load() throws IOException {
        if (file.isEmpty()) {
            profile = Fixtures.manyStacks();
        } else {
            Path p = Path.of(file);
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(file + " is missing: generate it with benchmarks/html-viewer-bench.sh");
            }
            profile = ProfileLoader.create().load(p);
        }
        text = Fixtures.text(profile);
        bytes = text.length;
        renderer = HtmlRenderer.of(HtmlOptions.defaults());
    }

    @Benchmark
    public void html(Megabytes mb, Blackhole bh) throws IOException {
        renderer.render(profile, new FoldedWriteBenchmark.BlackholeStream(bh));
        mb.consumed(bytes);
    }

    /** The whole path of {@code flame html} on folded text after the JVM starts: read as bytes ({@link RawStacks}), write. */
    @Benchmark
    public void readFoldedAndHtml(Megabytes mb, Blackhole bh) throws IOException {
        RawStacks stacks = RawStacks.readFolded(new ByteArrayInputStream(text), "bench");
        renderer.render(stacks, new FoldedWriteBenchmark.BlackholeStream(bh));
        mb.consumed(bytes);
    }

    @Benchmark
    public void foldedBaseline(Megabytes mb, Blackhole bh) throws IOException {
        profile.write(new FoldedWriteBenchmark.BlackholeStream(bh));
        mb.consumed(bytes);
    }
}
