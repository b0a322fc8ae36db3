package io.github.stackfold.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Keeps the benchmarks from rotting: every JMH benchmark runs once, in this JVM, for 100 ms over the
 * first 2 MB of the real recording (rendering
 * benchmarks: expanded to 5000 stacks, not 100k). This checks that they build their inputs and consume them; it
 * asserts nothing about speed (timings belong to JMH and run-whole-process.sh, not to tests).
 */
class BenchmarksSmokeTest {

    @BeforeAll
    static void smallInput() {
        Shared.path(BenchInputs.RECORDING);
        System.setProperty("stackfold.bench.maxBytes", Integer.toString(2_000_000));
        System.setProperty("stackfold.bench.minStacks", Integer.toString(5_000));
        System.setProperty("stackfold.bench.symbolFrames", Integer.toString(5_000));
    }

    @Test
    void everyBenchmarkRunsOnceOverTheRealRecordingAndCountsItsInput() throws Exception {
        OptionsBuilder b = new OptionsBuilder();
        if (!Files.isRegularFile(Path.of("/usr/bin/etcd"))) {
            // CI installs etcd-server; elsewhere this one benchmark is left out, and we say so
            System.err.println("SKIPPED: SymbolLookupBenchmark: /usr/bin/etcd (Debian etcd-server) is not installed");
            b.exclude("SymbolLookupBenchmark");
        }
        boolean perf = Files.isExecutable(Path.of("/usr/bin/perf")) && Files.isExecutable(Path.of("/usr/bin/gcc"));
        if (!perf) {
            System.err.println("SKIPPED: PerfDataBenchmark: it records a C program with perf (perf and gcc are not both installed)");
            b.exclude("PerfDataBenchmark");
        } else if (System.getProperty("stackfold.perfdata.mb") == null) {
            System.setProperty("stackfold.perfdata.mb", "2"); // a small recording: this test only checks that it runs
        }
        Options opt = b
                .include("io\\.github\\.stackfold\\.bench\\..*Benchmark")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .param("distinct", "500")
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(opt).run();
        assertFalse(results.isEmpty(), "no benchmark ran");
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark() + " " + r.getParams();
            if (name.contains("SymbolLookupBenchmark") || name.contains("PerfDataBenchmark")) {
                // (PerfDataBenchmark: single-shot times of one whole file, where JMH reports no counters)
                // time per profile, not bytes: it must have taken some time and named something
                assertTrue(r.getPrimaryResult().getScore() > 0, name + " reported no time");
                continue;
            }
            Result<?> mb = r.getSecondaryResults().get("MB");
            assertTrue(mb != null && mb.getScore() > 0, name + " reported no input megabytes");
        }
        System.out.println(Summary.table(results));
    }

    @Test
    void smallInputIsCutAfterAWholeSample() {
        byte[] text = "a 1 [0] 1.0: 1 cpu-clock:\n\tf (m)\n\na 1 [0] 2.0: 1 cpu-clock:\n\tg (m)\n\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] cut = BenchInputs.cut(text, text.length - 3);
        assertEquals("a 1 [0] 1.0: 1 cpu-clock:\n\tf (m)\n\n", new String(cut, StandardCharsets.ISO_8859_1));
    }
}
