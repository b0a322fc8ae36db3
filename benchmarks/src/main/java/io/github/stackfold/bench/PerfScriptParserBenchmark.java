package io.github.stackfold.bench;

import io.github.stackfold.flamegraph.parse.PerfScriptParser;

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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Question: how fast does the pull parser alone classify the real recording's lines and slice them into
 * fields (no folding, no names built)? One thread, input in memory.
 *
 * <p>How to run (from the repository root, ../shared beside it):
 * {@code mvn -q -o -pl benchmarks -am -DskipTests package && java -cp benchmarks/target/benchmarks.jar io.github.stackfold.bench.Summary PerfScriptParser}.
 * The {@code :MB} row is MB/s of {@code perf script} text.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Benchmark)
public class PerfScriptParserBenchmark {
    private byte[] text;

    @Setup
    public void load() {
        text = BenchInputs.perfScript();
    }

    @Benchmark
    public long parseEveryLine(Megabytes mb, Blackhole bh) throws IOException {
        PerfScriptParser p = PerfScriptParser.of(text, 0, text.length, "bench", 1, 0);
        long frames = 0;
        PerfScriptParser.Kind k;
        while ((k = p.next()) != PerfScriptParser.Kind.END) {
            if (k == PerfScriptParser.Kind.FRAME) {
                frames++;
                bh.consume(p.symbol().length());
            } else if (k == PerfScriptParser.Kind.EVENT) {
                bh.consume(p.comm().length());
            }
        }
        mb.consumed(text.length);
        return frames;
    }
}
