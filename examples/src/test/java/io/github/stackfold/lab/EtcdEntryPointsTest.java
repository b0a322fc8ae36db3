package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.cli.FlameCli;
import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.Shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live etcd (Debian's stripped {@code /usr/bin/etcd}) through every entry point: perf script of it
 * into flamegraph, collapse and analyze says how to name its {@code [etcd]} frames; the rules and the
 * output names follow the program (etcd's rules, {@code etcd.folded}, no kube-apiserver category).
 */
class EtcdEntryPointsTest {
    @TempDir
    static Path dir;
    static EtcdDemoTarget etcd;
    static Path script;

    record Run(int code, String out, String err) {
    }

    static Run flame(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(args, new ByteArrayInputStream(new byte[0]), out, err);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void recordEtcd() throws Exception {
        PerfRuns.requirePerf();
        Shared.requireThat(EtcdDemoTarget.available(), "etcd is not installed at /usr/bin/etcd (apt-get install etcd-server)");
        etcd = EtcdDemoTarget.start(EtcdDemoTarget.DEBIAN_ETCD, Duration.ofSeconds(60));
        LoadRun load = etcd.startLoad(2, Duration.ofSeconds(20));
        try {
            script = PerfRuns.recordPid(etcd.pid(), 2, dir, "etcd");
        } finally {
            load.finish();
        }
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    /** The share of perf script samples with an unnamed frame in /usr/bin/etcd, counted from the text. */
    static double unnamedEtcdShare() throws Exception {
        long samples = 0;
        long unnamed = 0;
        boolean inSample = false;
        boolean hit = false;
        for (String line : Files.readAllLines(script, StandardCharsets.ISO_8859_1)) {
            if (line.isBlank()) {
                if (inSample) {
                    samples++;
                    unnamed += hit ? 1 : 0;
                }
                inSample = false;
                hit = false;
            } else if (!Character.isWhitespace(line.charAt(0))) {
                inSample = true;
            } else if (line.contains("[unknown] (/usr/bin/etcd)")) {
                hit = true;
            }
        }
        if (inSample) {
            samples++;
            unnamed += hit ? 1 : 0;
        }
        assertThat(samples).as("perf recorded etcd").isPositive();
        return (double) unnamed / samples;
    }

    @Test
    void perfScriptOfStrippedEtcdGetsOneHintLineAtEveryEntryPoint() throws Exception {
        double share = unnamedEtcdShare();
        assertThat(share).as("Debian's etcd is stripped: perf leaves frames unnamed").isPositive();
        String hint = String.format(Locale.ROOT, "flame: hint: %.1f%% of samples have unnamed [etcd] frames", share * 100);
        Run fg = flame("flamegraph", "-o", dir.resolve("etcd.svg").toString(), script.toString());
        assertThat(fg.code()).as(fg.err()).isZero();
        Run collapse = flame("collapse", "-o", dir.resolve("etcd-collapsed.folded").toString(), script.toString());
        assertThat(collapse.code()).as(collapse.err()).isZero();
        Run analyze = flame("analyze", script.toString());
        assertThat(analyze.code()).as(analyze.err()).isZero();
        for (Run r : List.of(fg, collapse, analyze)) {
            List<String> hints = r.err().lines().filter(l -> l.startsWith("flame: hint:")).toList();
            assertThat(hints).singleElement().asString().startsWith(hint)
                    .contains("--binary PATH/etcd").contains("'flame record' or 'flame profile'");
        }
        // named: no hint
        Run named = flame("collapse", "--symbolize", "-o", dir.resolve("etcd-named.folded").toString(), script.toString());
        assertThat(named.code()).as(named.err()).isZero();
        assertThat(Files.readString(dir.resolve("etcd-named.folded"), StandardCharsets.ISO_8859_1)).contains("go.etcd.io/");
        assertThat(named.err()).doesNotContain("flame: hint:");
    }

    @Test
    void analyzeOfEtcdsStacksUsesEtcdsRules() throws Exception {
        Run r = flame("analyze", "--json", script.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("rules").asText()).isEqualTo("etcd");
        assertThat(j.get("categories").findValuesAsText("name")).doesNotContain("etcd3-storage", "authentication");
    }

    @Test
    void profileOfEtcdIsWrittenAsEtcdWithEtcdsRules() throws Exception {
        Path out = dir.resolve("profile");
        LoadRun load = etcd.startLoad(2, Duration.ofSeconds(20));
        Run r;
        try {
            r = flame("profile", "--pid", Long.toString(etcd.pid()), "--duration", "2s", "--output-dir", out.toString());
        } finally {
            load.finish();
        }
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.resolve("etcd.folded")).isNotEmptyFile();
        assertThat(out.resolve("apiserver.folded")).doesNotExist();
        JsonNode j = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(j.get("rules").asText()).isEqualTo("etcd");
        assertThat(j.get("categories").findValuesAsText("name")).doesNotContain("etcd3-storage");
        assertThat(r.out()).contains("etcd.folded").doesNotContain("apiserver.folded");
    }
}
