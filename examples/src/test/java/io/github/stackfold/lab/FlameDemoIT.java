package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame demo} end to end for real, as the README's main-job command: flame.jar runs as its own
 * process, starts its target, loads it, records it with perf, and writes the lab's files; afterwards
 * nothing it started is left.
 */
class FlameDemoIT {
    private static final List<String> FILES = List.of("flame.svg", "flame.html", "report.md", "report.json");

    /** The folded file: named after the program (etcd.folded for etcd, apiserver.folded for the apiserver and the JVM demo). */
    static Path folded(Path out) {
        Path etcd = out.resolve("etcd.folded");
        return Files.exists(etcd) ? etcd : out.resolve("apiserver.folded");
    }

    private static void requirePerf() {
        Shared.requireThat(FlameProcess.onPath("perf"), "perf is not installed (apt-get install linux-perf)");
    }

    @Test
    void demoProfilesItsDefaultTargetEndToEndAndLeavesNoProcessBehind(@TempDir Path out) throws Exception {
        requirePerf();
        FlameProcess.Result r = FlameProcess.run(List.of("demo", "--duration", "3s", "--warmup", "1s",
                "--output-dir", out.toString()), Map.of(), 240);
        assertThat(r.code()).as(r.stderr()).isZero();
        String expectedTarget = EtcdDemoTarget.available() ? "Debian's etcd" : "apiserver-like demo server";
        assertThat(r.stderr()).contains("target: ").contains("started " + (EtcdDemoTarget.available() ? "Debian's etcd" : "the repository's"));
        assertThat(r.stderr()).contains(expectedTarget);
        assertResults(out, r);
        assertThat(out.resolve(EtcdDemoTarget.available() ? "etcd.folded" : "apiserver.folded")).isNotEmptyFile();
        assertNothingLeft(r);
    }

    @Test
    void demoOnTheJvmServerNamesTheHandlerChainThroughThePerfMap(@TempDir Path out) throws Exception {
        requirePerf();
        FlameProcess.Result r = FlameProcess.run(List.of("demo", "--target", "jvm", "--duration", "3s", "--warmup", "1s",
                "--output-dir", out.toString()), Map.of(), 240);
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("started the repository's apiserver-like demo server");
        assertResults(out, r);
        String folded = Files.readString(out.resolve("apiserver.folded"), StandardCharsets.ISO_8859_1);
        assertThat(folded).as("JIT frames named from the perf map").contains("io.github.stackfold.examples.demo.");
        JsonNode report = FlameProcess.json(out.resolve("report.json"));
        double handlerChain = 0;
        for (JsonNode c : report.path("categories")) {
            if (List.of("authentication", "authorization", "admission", "serialization", "storage")
                    .contains(c.path("name").asText())) {
                handlerChain += c.path("inclusive").asDouble();
            }
        }
        assertThat(handlerChain).as("share of the handler chain's categories").isPositive();
        assertThat(Path.of("/tmp/perf-" + FlameProcess.pidIn(r.stderr().substring(r.stderr().indexOf("started "))) + ".map"))
                .as("the perf map is removed with the server").doesNotExist();
        assertNothingLeft(r);
    }

    @Test
    void demoWithoutPerfRendersTheShippedRecordingAndSaysSo(@TempDir Path out, @TempDir Path emptyPath) throws Exception {
        // PATH without perf: an empty directory (java is started by its absolute path)
        FlameProcess.Result r = FlameProcess.run(List.of("demo", "--duration", "3s", "--output-dir", out.toString()),
                Map.of("PATH", emptyPath.toString()), 120);
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("perf is not installed").contains("shipped in the repository instead");
        assertThat(r.stdout()).contains("NOT a live profile");
        assertResults(out, r);
    }

    static void assertResults(Path out, FlameProcess.Result r) throws Exception {
        for (String f : FILES) {
            assertThat(out.resolve(f)).as(f).isNotEmptyFile();
        }
        FlameProcess.parseSvg(out.resolve("flame.svg"));
        assertThat(java.nio.file.Files.readString(out.resolve("flame.html"))).startsWith("<!DOCTYPE html>")
                .contains("id=\"sf-data\"").endsWith("</html>\n");
        JsonNode report = FlameProcess.json(out.resolve("report.json"));
        assertThat(report.path("samples").asLong()).isPositive();
        JsonNode cats = report.path("categories");
        assertThat(cats.isArray()).isTrue();
        assertThat(cats.size()).isPositive();
        double exclusive = 0;
        for (JsonNode c : cats) {
            assertThat(c.path("name").asText()).isNotEmpty();
            exclusive += c.path("exclusive").asDouble();
        }
        assertThat(exclusive).as("some samples are classified").isPositive();
        assertThat(exclusive + report.path("unclassified").asDouble()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        // the folded file holds the samples the report counted, one count per sample, after its header
        long total = 0;
        assertThat(folded(out)).isNotEmptyFile();
        List<String> lines = Files.readAllLines(folded(out), StandardCharsets.ISO_8859_1);
        assertThat(lines.get(0)).startsWith("# stackfold: samples=" + report.path("samples").asLong() + " counts=samples");
        for (String line : lines.subList(1, lines.size())) {
            total += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        }
        assertThat(total).isEqualTo(report.path("samples").asLong());
        List<String> summary = r.stdout().lines().toList();
        assertThat(summary).hasSize(5);
        assertThat(summary.get(1)).startsWith("samples: " + report.path("samples").asLong());
        assertThat(summary.get(2)).startsWith("top categories");
        assertThat(summary.get(3)).startsWith("hottest path");
        assertThat(Files.readString(out.resolve("report.md"))).contains("## CPU by category");
    }

    /** The target, the perf recording it and the load are gone once flame has exited. */
    static void assertNothingLeft(FlameProcess.Result r) {
        String started = r.stderr().substring(r.stderr().indexOf("started "));
        long target = FlameProcess.pidIn(started);
        assertThat(ProcessHandle.of(target).map(ProcessHandle::isAlive).orElse(false)).as("target PID " + target).isFalse();
        assertThat(FlameProcess.processesMentioning("-p " + target + " ")).as("perf on the target").isEmpty();
        assertThat(FlameProcess.processesMentioning("stackfold-etcd-")).as("etcd data dirs in use").isEmpty();
    }
}
