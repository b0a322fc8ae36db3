package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.stackfold.testing.Shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class CompareCommandTest {
    static final String ALONE = "real/kube-apiserver-pprof/kubeapiserver_alone_cpu_profile.pb";
    static final String BUSY = "real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb";

    record Run(int code, String out, String err) {
    }

    static Run flame(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Two lab users' recordings, every kube-apiserver frame unnamed (a published flame.svg and the arm64
     * perf.data): no category reads 0.0% on either side or an unchanged +0.0pp; each side that cannot
     * tell says so, with the remedy, as analyze does.
     */
    @Test
    void comparingUnnamedRecordingsSaysCannotTellInsteadOfZeroShares(@TempDir Path dir) {
        Path before = Shared.path("real/lab-recordings/roko99-flame.svg");
        Path after = Shared.path("real/lab-recordings/vkamlov-arm64.perf.data");
        Run r = flame("", "compare", before.toString(), after.toString(), "--output-dir", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("before: cannot tell: 100.0% of CPU is in unnamed kube-apiserver frames; name them:")
                .contains("after: cannot tell: 100.0% of CPU is in unnamed kube-apiserver frames; name them:");
        java.util.List<String> rows = r.out().lines().dropWhile(l -> !l.startsWith("category ")).skip(1)
                .takeWhile(l -> !l.isBlank()).toList();
        assertThat(rows).hasSizeGreaterThan(10).allMatch(l -> l.contains("cannot tell"))
                .noneMatch(l -> l.contains(" 0.0% ")).noneMatch(l -> l.contains("pp "));
        assertThat(rows.get(rows.size() - 1)).startsWith("(unclassified)").contains("<=100.0%");
    }

    /**
     * The two real profiles compared: the category deltas equal the difference of what the independent
     * counter (flamegraph-core's test resource pprof_shares.py) finds in each profile, and the three
     * files are written.
     */
    @Test
    void comparesTwoRealProfilesWithDeltasCountedIndependently(@TempDir Path dir) throws Exception {
        Path before = Shared.path(ALONE);
        Path after = Shared.path(BUSY);
        Run r = flame("", "compare", before.toString(), after.toString(), "--output-dir", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("authentication").contains("pp").contains("Functions that grew most");

        JsonNode c = new ObjectMapper().readTree(dir.resolve("compare.json").toFile());
        assertThat(c.get("before").get("samples").asLong()).isEqualTo(172);
        assertThat(c.get("after").get("samples").asLong()).isEqualTo(199);
        JsonNode b = independent(before);
        JsonNode a = independent(after);
        int checked = 0;
        for (JsonNode cat : c.get("categories")) {
            String name = cat.get("name").asText();
            if (!a.get("categories").has(name)) {
                continue; // (unclassified)
            }
            double expected = a.get("categories").get(name).get("inclusive").asDouble()
                    - b.get("categories").get(name).get("inclusive").asDouble();
            assertThat(cat.get("inclusiveDelta").asDouble()).as(name).isCloseTo(expected, within(1e-9));
            double expectedExclusive = a.get("categories").get(name).get("exclusive").asDouble()
                    - b.get("categories").get(name).get("exclusive").asDouble();
            assertThat(cat.get("exclusiveDelta").asDouble()).as(name).isCloseTo(expectedExclusive, within(1e-9));
            checked++;
        }
        assertThat(checked).isEqualTo(13);

        Path svg = dir.resolve("compare.svg");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(svg.toFile());
        assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("svg");
        String text = Files.readString(svg);
        assertThat(text).contains("crypto/tls.(*Conn).HandshakeContext");
        String diffFolded = Files.readString(dir.resolve("compare.folded"));
        // each line: stack, count before (scaled to AFTER's total), count after
        assertThat(diffFolded.lines().filter(l -> l.matches(".* \\d+ \\d+"))).isNotEmpty();
        assertThat(diffFolded.lines().mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum())
                .isEqualTo(1_990_000_000L);
    }

    /** {@code flame compare --json} of two folded files (idle.folded, busy.folded) written into dir; exit 0 checked. */
    static JsonNode compareJson(Path dir, String idle, String busy) throws Exception {
        Path before = dir.resolve("idle.folded");
        Path after = dir.resolve("busy.folded");
        Files.writeString(before, idle);
        Files.writeString(after, busy);
        Run r = flame("", "compare", "--json", before.toString(), after.toString(), "--output-dir", dir.resolve("out").toString());
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void foldedInputsAndTheFunctionsThatGrew(@TempDir Path dir) throws Exception {
        JsonNode c = compareJson(dir, "main;runtime.mcall;runtime.schedule 9\nmain;encoding/json.Marshal 1\n",
                "main;runtime.mcall;runtime.schedule 4\nmain;encoding/json.Marshal 6\n");
        assertThat(c.get("grewMost").get(0).get("name").asText()).isEqualTo("encoding/json.Marshal");
        assertThat(c.get("grewMost").get(0).get("selfDelta").asDouble()).isCloseTo(0.5, within(1e-12));
        assertThat(Files.exists(dir.resolve("out/compare.svg"))).isTrue();
    }

    /**
     * Two etcd profiles are compared with etcd's rules, as analyze reads each of them: an idle and a
     * loaded etcd perf recording were compared with kube-apiserver's, so the loaded one's grpc work
     * (etcd's category) showed as etcd3-storage 24.8% in compare and grpc 15.3% in analyze.
     */
    @Test
    void twoEtcdProfilesAreComparedWithEtcdsRulesAsAnalyzeReadsThem(@TempDir Path dir) throws Exception {
        JsonNode c = compareJson(dir, "etcd;runtime.mcall;runtime.schedule 9\netcd;google.golang.org/grpc.(*Server).serveStreams 1\n",
                "etcd;runtime.mcall;runtime.schedule 2\netcd;google.golang.org/grpc.(*Server).serveStreams 6\n");
        assertThat(c.get("rules").asText()).isEqualTo("etcd");
        JsonNode grpc = null;
        for (JsonNode cat : c.get("categories")) {
            if (cat.get("name").asText().equals("grpc")) {
                grpc = cat;
            }
        }
        assertThat(grpc).as("etcd's grpc category in %s", c).isNotNull();
        assertThat(grpc.get("exclusiveBefore").asDouble()).isCloseTo(1.0 / 10, within(1e-12));
        assertThat(grpc.get("exclusiveAfter").asDouble()).isCloseTo(6.0 / 8, within(1e-12));
        // a kube-apiserver profile against an etcd one: kube-apiserver's rules, as before
        Path before = dir.resolve("idle.folded");
        Files.writeString(before, "kube-apiserver;runtime.mcall;runtime.schedule 9\n");
        Run mixed = flame("", "compare", "--json", before.toString(), dir.resolve("busy.folded").toString(),
                "--output-dir", dir.resolve("out").toString());
        assertThat(new ObjectMapper().readTree(mixed.out()).get("rules").asText()).as(mixed.err()).isEqualTo("kube-apiserver");
    }

    @Test
    void bothInputsFromStandardInputIsAUsageError() {
        Run r = flame("", "compare", "-", "-");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    }

    static JsonNode independent(Path pb) throws Exception {
        Path python = null;
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, "python3"))) {
                python = Path.of(d, "python3");
                break;
            }
        }
        Shared.requireThat(python != null, "python3 is not on the PATH (CI installs it)");
        Path root = Shared.repoRoot();
        Path script = root.resolve("flamegraph-core/src/test/resources/analyze/pprof_shares.py");
        Path rules = root.resolve("flamegraph-core/src/main/resources/io/github/stackfold/flamegraph/analyze/kube-apiserver.json");
        Process p = new ProcessBuilder(python.toString(), script.toString(), pb.toString(), rules.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            return new ObjectMapper().readTree(out);
        } finally {
            p.destroyForcibly();
        }
    }
}
