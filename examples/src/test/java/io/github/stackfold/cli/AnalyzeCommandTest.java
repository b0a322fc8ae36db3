package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeCommandTest {
    record Run(int code, String out, String err) {
    }

    static Run flame(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void analyzesARealPprofProfileWithSampleCountAndCategories() {
        Path pb = Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb");
        Run r = flame("", "analyze", "--top", "3", pb.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("199 samples, 1.99 s CPU in 30.06 s").contains("weights in CPU nanoseconds (total 1990000000)").contains("authentication")
                .contains("Top 3 functions by self share").contains("runtime.futex");
    }

    @Test
    void jsonFromStandardInputHoldsTheReportFields() throws Exception {
        Run r = flame("main;k8s.io/apiserver/pkg/authorization/union.unionAuthzHandler.Authorize 1\nmain;f 3\n",
                "analyze", "--json", "-");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("total").asLong()).isEqualTo(4);
        assertThat(j.get("samples").asLong()).isEqualTo(4);
        assertThat(j.get("categories").get(2).get("name").asText()).isEqualTo("authorization");
        assertThat(j.get("categories").get(2).get("inclusive").asDouble()).isEqualTo(0.25);
        assertThat(j.get("topSelf").get(0).get("name").asText()).isEqualTo("f");
        assertThat(j.get("topInclusive").get(0).get("share").asDouble()).isEqualTo(1.0);
        assertThat(j.get("hotPaths").get(0).get("stack").asText()).isEqualTo("main;f");
    }

    @Test
    void perfScriptTextIsCollapsedAndItsSamplesCountedApartFromThePeriods() throws Exception {
        String perf = ""
                + "java 1234/1240 100.000000:    1000000 cpu-clock:\n"
                + "\t    7f0000001000 java.lang.Object java.util.HashMap.merge(java.lang.Object)+0x44 (/tmp/perf-1234.map)\n"
                + "\t    7f0000002000 Interpreter+0x10 (/tmp/perf-1234.map)\n"
                + "\t    7f0000003000 start_thread+0x20 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
                + "\n"
                + "java 1234/1241 100.001000:    1000000 cpu-clock:\n"
                + "\t    7f0000004000 G1ParScanThreadState::trim_queue_to_threshold+0x50 (/usr/lib/jvm/lib/server/libjvm.so)\n"
                + "\t    7f0000005000 Thread::call_run+0x10 (/usr/lib/jvm/lib/server/libjvm.so)\n"
                + "\t    7f0000003000 start_thread+0x20 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
                + "\n";
        Run r = flame(perf, "analyze", "--json", "--rules", "jvm", "-");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("samples").asLong()).isEqualTo(2);
        assertThat(j.get("categories").get(0).get("name").asText()).isEqualTo("gc");
        assertThat(j.get("categories").get(0).get("exclusive").asDouble()).isEqualTo(0.5);
        assertThat(j.get("topSelf").findValuesAsText("name")).contains("java.util.HashMap.merge");
    }

    @Test
    void yamlRulesFromTheCommandLineReplaceTheDefaults(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("r.yaml");
        Files.writeString(rules, "name: mine\ncategories:\n  - name: effs\n    prefixes: [f]\n");
        Run r = flame("main;f 3\nmain;g 1\n", "analyze", "--json", "--rules", rules.toString(), "-");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("rules").asText()).isEqualTo("mine");
        assertThat(j.get("categories")).hasSize(1);
        assertThat(j.get("categories").get(0).get("exclusive").asDouble()).isEqualTo(0.75);
    }

    @Test
    void noProfileSaysWhatToGiveAndWhereTheHelpIsAsPicocliDoesForTheOtherCommands() {
        Run r = flame("", "analyze");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("flame: analyze: missing PROFILE (a pprof profile, perf.data, folded stacks, perf script output"
                + " or a flame graph SVG; - for standard input)\n")
                .endsWith("Try 'flame analyze --help' for more information.\n").doesNotContain("\tat ");
    }

    @Test
    void builtInRulesCanBeShownToStartOwnFile() {
        Run r = flame("", "analyze", "--rules", "show:etcd");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("\"name\": \"etcd\"").contains("disk-sync");
    }

    @Test
    void badFoldedLineIsOneLineNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.folded");
        Files.writeString(f, "main;f 3\nmain;g 1\nmain;h 2\nmain;this line has no count\nmain;i 1\n");
        Run r = flame("", "analyze", f.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err().strip()).startsWith("flame: " + f + ":4: expected a folded stack line").doesNotContain("\n")
                .doesNotContain("\tat ");
    }

    @Test
    void badRuleFileIsBadInputNamingTheFile(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("r.json");
        Files.writeString(rules, "{\"categories\": [], \"colour\": 1}");
        Run r = flame("main;f 1\n", "analyze", "--rules", rules.toString(), "-");
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).startsWith("flame: " + rules + ": unknown key 'colour'");
    }

    @Test
    void missingProfileIsAnIoError() {
        Run r = flame("", "analyze", "/nonexistent/profile.folded");
        assertThat(r.code()).isEqualTo(ExitCodes.IO_ERROR);
        assertThat(r.err()).contains("/nonexistent/profile.folded");
    }

    @Test
    void emptyInputAndZeroWeightsAreBadInput() {
        Run r = flame("", "analyze", "-");
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).startsWith("flame: <stdin>: empty, not a profile");
        r = flame("main;f 0\nmain;g 0\n", "analyze", "-");
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("no samples");
    }
}
