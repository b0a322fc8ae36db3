package io.github.stackfold.flamegraph.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@link Analyzer#unnamedFrames(int, java.util.function.IntFunction, java.util.function.IntToDoubleFunction)}
 * counts as the analysis does (fractional weights too), and {@link Report#graphVerdict} is stated only
 * for a program's unnamed frames, which {@code --binary} names: not for shared libraries, a JIT's map or
 * perf's own frames (flamegraph.pl's example profiles hold such frames and keep their graphs as drawn).
 */
class GraphVerdictTest {
    private static Report of(List<String> stacks, List<Double> weights) {
        return Analyzer.unnamedFrames(stacks.size(), stacks::get, weights::get);
    }

    @Test
    void aProgramsUnnamedFramesAreStatedWithTheCommandThatNamesThem() {
        Report r = of(List.of("etcd;[etcd];[etcd]", "etcd;[etcd];[unknown]", "etcd;main.work", "etcd;[unknown];main.run"),
                List.of(1.5, 0.25, 2.0, 0.25));
        assertThat(r.unnamedShare()).isCloseTo(1.75 / 4, within(1e-12));
        assertThat(r.unnamedByBinary()).containsOnlyKeys("etcd", "unknown");
        assertThat(r.graphVerdict("flamegraph"))
                .isEqualTo("cannot tell: 43.8% of CPU is in unnamed etcd and unknown frames;"
                        + " name them: flame flamegraph --binary ./etcd perf.data");
        assertThat(r.verdict()).isEqualTo("cannot tell: 43.8% of CPU is in unnamed etcd and unknown frames");
    }

    @Test
    void librariesJitMapsAndPerfItselfGetNoGraphVerdictThoughTheAnalysisCannotTell() {
        for (String frame : List.of("[libpthread-2.19.so]", "[perf-10939.map]", "[perf]", "[kernel.kallsyms]", "[unknown]")) {
            Report r = of(List.of("java;" + frame, "java;Interpreter"), List.of(3.0, 2.0));
            assertThat(r.cannotTell()).as(frame).isTrue();
            assertThat(r.graphVerdict("flamegraph")).as(frame).isEmpty();
        }
    }

    @Test
    void aProgramBehindAHeavierLibraryIsTheOneToName() {
        Report r = of(List.of("app;[libc-2.19.so]", "app;[app];[app]", "app;main"), List.of(6.0, 2.0, 2.0));
        assertThat(r.graphVerdict("html")).startsWith("cannot tell: 80.0% of CPU is in unnamed libc-2.19.so and app frames")
                .endsWith("name them: flame html --binary ./app perf.data");
    }

    @Test
    void atMostTheThresholdIsNoVerdict() {
        Report r = of(List.of("app;[app]", "app;main"), List.of(1.0, 9.0));
        assertThat(r.unnamedShare()).isCloseTo(0.10, within(1e-12));
        assertThat(r.graphVerdict("flamegraph")).isEmpty();
    }
}
