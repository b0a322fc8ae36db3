package io.github.stackfold.bench;

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
 * Question: how fast can one thread merely look at every byte of the recording (count its newlines)?
 * The in-memory floor the parser and collapser benchmarks compare against; {@link NewlineFloor} is
 * the same loop as a whole process.
 *
 * <p>How to run (from the repository root, ../shared beside it):
 * {@code mvn -q -o -pl benchmarks -am -DskipTests package && java -cp benchmarks/target/benchmarks.jar io.github.stackfold.bench.Summary NewlineScan}.
 * The {@code :MB} row is MB/s of input.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Benchmark)
public class NewlineScanBenchmark {
    private byte[] text;

    @Setup
    public void load() {
        text = BenchInputs.perfScript();
    }

    @Benchmark
    public int countNewlines(Megabytes mb) {
        mb.consumed(text.length);
        return NewlineFloor.count(text, text.length);
    }
}
