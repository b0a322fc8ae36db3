package io.github.stackfold.bench;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Question: how fast does the collapser fold the real recording into folded stacks, on 1 and on N
 * threads ({@code --threads})? Input in memory; the result is the whole {@link FoldedProfile}.
 *
 * <p>How to run (from the repository root, ../shared beside it):
 * {@code mvn -q -o -pl benchmarks -am -DskipTests package && java -cp benchmarks/target/benchmarks.jar io.github.stackfold.bench.Summary Collapse}
 * ({@code -p threads=1,2,4} for other thread counts). The {@code :MB} row is MB/s of {@code perf script} text.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Benchmark)
public class CollapseBenchmark {
    @Param({"1", "2"})
    public int threads;

    private byte[] text;
    private PerfCollapser collapser;

    @Setup
    public void load() {
        text = BenchInputs.perfScript();
        collapser = PerfCollapser.create(CollapseOptions.builder().threads(threads).build());
    }

    @Benchmark
    public FoldedProfile collapse(Megabytes mb) throws IOException {
        FoldedProfile p = collapser.collapse(new ByteArrayInputStream(text), "bench");
        mb.consumed(text.length);
        return p;
    }
}
