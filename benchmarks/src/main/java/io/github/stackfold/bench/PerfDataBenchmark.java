package io.github.stackfold.bench;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.perfdata.PerfDataCollapser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * Question: how much faster is folding a {@code perf.data} directly ({@link PerfDataCollapser}) than
 * the way it is done without it, {@code perf script -i perf.data | flame collapse} (perf's own text
 * output, collapsed by {@link PerfCollapser} as it is piped in)? Both produce the same folded stacks.
 *
 * <p>The recording: {@code -Dstackfold.perfdata=FILE}, or one made at {@code @Setup} (once, kept in
 * {@code $TMPDIR/stackfold-perfdata-bench/deep-MBmb.data}) with {@code perf record -e cpu-clock -F 20000 -g} of a C
 * program built here with gcc whose call stacks are 10 to 60 frames deep, until it is about
 * {@code -Dstackfold.perfdata.mb=100} MB. Needs perf and gcc (and root or perf_event_paranoid <= 1).
 *
 * <p>How to run (from the repository root): {@code mvn -q -o -pl benchmarks -am -DskipTests package &&
 * java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main PerfDataBenchmark}. Single-shot
 * times: one fold of the whole file per measurement.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Benchmark)
public class PerfDataBenchmark {
    private static final String DEEP_C = """
            #include <stdlib.h>
            #include <time.h>
            static volatile long sink;
            __attribute__((noinline)) long spin(int n) { long s = 0; for (int i = 0; i < n; i++) s += i ^ sink; return s; }
            __attribute__((noinline)) long a(int d, int n);
            __attribute__((noinline)) long b(int d, int n) { return d <= 0 ? spin(n) : a(d - 1, n) + 1; }
            __attribute__((noinline)) long a(int d, int n) { return d <= 0 ? spin(n) : (d % 3 ? b(d - 1, n) : a(d - 1, n)) + 1; }
            int main(int c, char **v) {
                clock_t end = (clock_t) (atof(c > 1 ? v[1] : "10") * CLOCKS_PER_SEC); /* CPU time: cpu-clock samples it */
                unsigned r = 1;
                while (clock() < end) { r = r * 1103515245 + 12345; sink += a(10 + (r >> 16) % 50, 2000); }
                return 0;
            }
            """;

    private Path data;
    private PerfDataCollapser direct;
    private PerfCollapser text;

    @Setup
    public void recording() throws IOException, InterruptedException {
        String given = System.getProperty("stackfold.perfdata");
        data = given != null ? Path.of(given) : record();
        direct = PerfDataCollapser.builder().goSymbols(false).build();
        text = PerfCollapser.create(CollapseOptions.builder().threads(1).build());
        System.err.printf("perf.data: %s, %.1f MB%n", data, Files.size(data) / 1e6);
    }

    private static Path record() throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "stackfold-perfdata-bench");
        long mb = Long.getLong("stackfold.perfdata.mb", 100);
        Path out = dir.resolve("deep-" + mb + "mb.data"); // one recording per size asked for
        if (Files.isRegularFile(out)) {
            return out;
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("deep.c"), DEEP_C);
        run(List.of("gcc", "-O1", "-fno-omit-frame-pointer", "-fno-optimize-sibling-calls", "-o",
                dir.resolve("deep").toString(), dir.resolve("deep.c").toString()), dir);
        // one CPU second first, to learn how many bytes a CPU second makes; then the whole recording
        run(List.of("perf", "record", "-q", "-e", "cpu-clock", "-F", "20000", "-g", "-o", out.toString(), "--",
                dir.resolve("deep").toString(), "1"), dir);
        double seconds = Math.min(300, mb * 1e6 / Math.max(1, Files.size(out)));
        run(List.of("perf", "record", "-q", "-e", "cpu-clock", "-F", "20000", "-g", "-o", out.toString(), "--",
                dir.resolve("deep").toString(), String.format(java.util.Locale.ROOT, "%.2f", seconds)), dir);
        Files.deleteIfExists(Path.of(out + ".old"));
        return out;
    }

    private static void run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("setup.log").toFile()).start();
        if (!p.waitFor(900, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " failed: "
                    + Files.readString(dir.resolve("setup.log"), StandardCharsets.ISO_8859_1));
        }
    }

    /** The perf.data read and folded in this process. */
    @Benchmark
    public FoldedProfile perfDataDirect() throws IOException {
        return direct.collapse(data).profile();
    }

    /** perf script's text for the same file, folded while perf writes it. */
    @Benchmark
    public FoldedProfile perfScriptThenCollapse() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("perf", "script", "-i", data.toString(), "-F",
                "comm,pid,tid,time,period,event,ip,sym,dso").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (InputStream in = p.getInputStream()) {
            FoldedProfile f = text.collapse(in, "perf script");
            if (p.waitFor() != 0) {
                throw new IllegalStateException("perf script exited " + p.exitValue());
            }
            return f;
        } finally {
            p.destroyForcibly();
        }
    }
}
