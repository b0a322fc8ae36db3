package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/generate-flamegraph.sh for real, on a perf script text, a folded file and a fresh perf.data. */
class LabScriptsIT {

    private static FlameProcess.Result script(List<String> args) throws Exception {
        FlameProcess.jar(); // skips with a reason when flame.jar is not built
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Shared.repoRoot().resolve("scripts/generate-flamegraph.sh").toString());
        cmd.addAll(args);
        return FlameProcess.runCommand(cmd, java.util.Map.of(), 120);
    }

    @Test
    void turnsPerfScriptTextIntoTheReferenceFoldedStacksAndAnSvg(@TempDir Path out) throws Exception {
        Path input = Shared.path("conformance/collapse-perf/inputs/go-stacks.txt");
        Path expected = Shared.path("conformance/collapse-perf/expected/go-stacks--default.txt");
        Path svg = out.resolve("flame.svg");
        FlameProcess.Result r = script(List.of(input.toString(), svg.toString()));
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("wrote " + svg);
        assertThat(Files.readString(out.resolve("flame.folded"), StandardCharsets.ISO_8859_1))
                .isEqualTo(Files.readString(expected, StandardCharsets.ISO_8859_1));
        FlameProcess.parseSvg(svg);
    }

    @Test
    void rendersFoldedInputAsItIsWithExtraFlamegraphOptions(@TempDir Path out) throws Exception {
        Path folded = Shared.path("conformance/collapse-perf/expected/go-stacks--default.txt");
        Path svg = out.resolve("g.svg");
        FlameProcess.Result r = script(List.of(folded.toString(), svg.toString(), "--title", "lab step 4"));
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(Files.readString(svg)).contains("lab step 4");
        assertThat(Files.readString(out.resolve("g.folded"))).isEqualTo(Files.readString(folded));
        FlameProcess.parseSvg(svg);
    }

    @Test
    void readsAPerfDataFileWithoutPerf(@TempDir Path out) throws Exception {
        Shared.requireThat(FlameProcess.onPath("perf"), "perf is not installed (apt-get install linux-perf)");
        Path data = out.resolve("perf.data");
        Process rec = new ProcessBuilder("perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-o", data.toString(),
                "--", "sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertThat(rec.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            rec.destroyForcibly();
        }
        assertThat(rec.exitValue()).isZero();
        Path svg = out.resolve("busy.svg");
        FlameProcess.Result r = script(List.of(data.toString(), svg.toString()));
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(Files.readString(out.resolve("busy.folded"), StandardCharsets.ISO_8859_1)).startsWith("sh;");
        FlameProcess.parseSvg(svg);
    }

    @Test
    void readsTheArm64RecordingThatThisPerfRefuses(@TempDir Path out) throws Exception {
        Path data = Shared.path("real/lab-recordings/vkamlov-arm64.perf.data");
        Shared.requireThat(Files.isRegularFile(data), "no " + data + " (the shared lab recordings)");
        Path svg = out.resolve("arm64.svg");
        FlameProcess.Result r = script(List.of(data.toString(), svg.toString()));
        assertThat(r.code()).as(r.stderr()).isZero();
        long total = Files.readAllLines(out.resolve("arm64.folded")).stream()
                .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(total).isEqualTo(373_058_756L);
        FlameProcess.parseSvg(svg);
    }

    @Test
    void aDamagedPerfDataFileSaysWhereAndWhatWasExpected(@TempDir Path out) throws Exception {
        Path data = out.resolve("bad.data");
        byte[] b = new byte[200];
        System.arraycopy("PERFILE2".getBytes(StandardCharsets.ISO_8859_1), 0, b, 0, 8);
        b[8] = 40; // a header size that is neither 16 (pipe) nor 104 (file)
        Files.write(data, b);
        FlameProcess.Result r = script(List.of(data.toString(), out.resolve("bad.svg").toString()));
        assertThat(r.code()).isNotZero();
        assertThat(r.stderr()).contains(data.toString()).contains("at byte 8").contains("header size")
                .doesNotContain("empty input");
    }

    /**
     * A stripped etcd recorded where it ran ({@code perf record -N}: no copy in perf's build-id cache),
     * its binary elsewhere when the graph is made, as with a recording copied out of a container: the
     * script leaves its frames {@code [etcd]} and says so, and with {@code --binary} names them.
     */
    @Test
    void namesGoFramesOfARecordingWithBinary(@TempDir Path out) throws Exception {
        Shared.requireThat(FlameProcess.onPath("perf"), "perf is not installed (apt-get install linux-perf)");
        Path etcd = Path.of("/usr/bin/etcd");
        Shared.requireThat(Files.isExecutable(etcd), "no /usr/bin/etcd (apt-get install etcd-server)");
        Path ran = out.resolve("ran/etcd");
        Files.createDirectories(ran.getParent());
        Files.copy(etcd, ran);
        Path data = out.resolve("etcd.perf.data");
        int client = freePort();
        int peer = freePort();
        String c = "http://127.0.0.1:" + client;
        String pu = "http://127.0.0.1:" + peer;
        Process server = new ProcessBuilder(ran.toString(), "--name", "t", "--data-dir", out.resolve("d").toString(),
                "--listen-client-urls", c, "--advertise-client-urls", c, "--listen-peer-urls", pu,
                "--initial-advertise-peer-urls", pu, "--initial-cluster", "t=" + pu, "--log-level", "error")
                .redirectErrorStream(true).redirectOutput(out.resolve("etcd.log").toFile()).start();
        java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread load = new Thread(() -> {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            for (int i = 0; loading.get(); i++) {
                try {
                    http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(c + "/v3/kv/put"))
                            .timeout(java.time.Duration.ofSeconds(2)).POST(java.net.http.HttpRequest.BodyPublishers
                                    .ofString("{\"key\":\"a2V5\",\"value\":\"" + java.util.Base64.getEncoder()
                                            .encodeToString(("v" + i).getBytes(StandardCharsets.UTF_8)) + "\"}")).build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding());
                } catch (java.io.IOException e) {
                    sleepQuietly(); // not listening yet
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "etcd-load");
        try {
            load.start();
            Thread.sleep(1500);
            Process rec = new ProcessBuilder("perf", "record", "-q", "-N", "-e", "cpu-clock", "-F", "999", "-g",
                    "-p", Long.toString(server.pid()), "-o", data.toString(), "--", "sleep", "3")
                    .redirectErrorStream(true).redirectOutput(out.resolve("rec.log").toFile()).start();
            try {
                assertThat(rec.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                rec.destroyForcibly();
            }
            assertThat(rec.exitValue()).as(Files.readString(out.resolve("rec.log"))).isZero();
        } finally {
            loading.set(false);
            load.interrupt();
            load.join(10_000);
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
        }
        Path later = out.resolve("downloaded/etcd");
        Files.createDirectories(later.getParent());
        Files.move(ran, later);
        Path home = Files.createDirectories(out.resolve("home")); // no build-id cache of this etcd
        java.util.Map<String, String> env = java.util.Map.of("FLAME_JAVA_OPTS", "-Duser.home=" + home);

        Path plainSvg = out.resolve("plain.svg");
        FlameProcess.Result plain = FlameProcess.runCommand(List.of(Shared.repoRoot()
                .resolve("scripts/generate-flamegraph.sh").toString(), data.toString(), plainSvg.toString()), env, 120);
        assertThat(plain.code()).as(plain.stderr()).isZero();
        assertThat(plain.stderr()).contains("cannot name frames of " + ran);
        assertThat(Files.readString(out.resolve("plain.folded"), StandardCharsets.ISO_8859_1)).contains(";[etcd]");

        Path namedSvg = out.resolve("named.svg");
        FlameProcess.Result named = FlameProcess.runCommand(List.of(Shared.repoRoot()
                .resolve("scripts/generate-flamegraph.sh").toString(), data.toString(), namedSvg.toString(),
                "--binary", later.toString(), "--title", "etcd named"), env, 120);
        assertThat(named.code()).as(named.stderr()).isZero();
        String folded = Files.readString(out.resolve("named.folded"), StandardCharsets.ISO_8859_1);
        assertThat(folded).contains("etcd;").contains(";runtime.").doesNotContain(";[etcd]");
        assertThat(Files.readString(namedSvg)).contains("etcd named").contains("runtime.");
        FlameProcess.parseSvg(namedSvg);
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
