package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.testing.LocalReplicas;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame pprof --all-replicas} and {@code flame push}, in this process, against three local HTTPS
 * servers serving real apiserver profiles, a <b>stub</b> kubectl (no cluster here) and a local
 * receiver that records what was pushed.
 */
class FleetCommandsTest {
    @TempDir
    Path tmp;

    private static final List<String> THREE = List.of(LocalReplicas.PROFILE, LocalReplicas.ALONE, LocalReplicas.PROFILE);

    static CliRun flame(String... args) {
        return CliRun.of(args);
    }

    /** A receiver answering 200 (or {@code status}) and keeping each request's path, query and body. */
    private static final class Receiver implements AutoCloseable {
        final List<String> queries = new CopyOnWriteArrayList<>();
        final List<byte[]> bodies = new CopyOnWriteArrayList<>();
        final HttpServer server;

        Receiver(int status) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
            server.createContext("/", ex -> {
                try (InputStream in = ex.getRequestBody()) {
                    bodies.add(in.readAllBytes());
                }
                queries.add(ex.getRequestURI().getPath() + "?" + ex.getRequestURI().getQuery()
                        + " tenant=" + ex.getRequestHeaders().getFirst("X-Scope-OrgID"));
                ex.sendResponseHeaders(status, -1);
                ex.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void pprofAllReplicasWritesEachReplicaMergedAndTheComparisonAndPushesEachReplica() throws Exception {
        Path out = tmp.resolve("results");
        try (LocalReplicas replicas = LocalReplicas.start(tmp.resolve("replicas"), true, THREE, List.of());
                Receiver receiver = new Receiver(200)) {
            Path kubectl = replicas.stubKubectl();
            CliRun r = flame("pprof", "--kubectl", "--kubectl-program", kubectl.toString(), "--all-replicas",
                    "--seconds", "1", "--output-dir", out.toString(),
                    "--push", "--pyroscope", receiver.url(), "--cluster", "lab", "--tenant", "team-a");
            assertThat(r.code()).as(r.err()).isZero();
            long sum = 0;
            for (int i = 0; i < 3; i++) {
                FoldedProfile f = read(out.resolve("replicas").resolve(replicas.instance(i).replace(':', '_'))
                        .resolve("kube-apiserver.folded"));
                assertThat(f.asMap()).isEqualTo(PprofReader.create().read(replicas.served.get(i)).folded().asMap());
                sum += f.total();
            }
            assertThat(read(out.resolve("merged").resolve("kube-apiserver.folded")).total()).isEqualTo(sum);
            assertThat(r.err()).contains("3 replicas, cpu/nanoseconds; hot: ");
            assertThat(receiver.queries).hasSize(3);
            for (int i = 0; i < 3; i++) {
                String prefix = "/ingest?name=kube-apiserver{cluster=lab,instance=" + replicas.instance(i)
                        + ",version=v1.31." + (i + 1) + "}";
                assertThat(receiver.queries).anyMatch(q -> q.startsWith(prefix) && q.endsWith(" tenant=team-a"));
            }
        }
    }

    @Test
    void pprofAllReplicasWithAForbiddenReplicaExitsNotPermittedNamingTheRule() throws Exception {
        try (LocalReplicas replicas = LocalReplicas.start(tmp.resolve("replicas"), true, THREE, List.of(0))) {
            CliRun r = flame("pprof", "--kubectl", "--kubectl-program", replicas.stubKubectl().toString(), "--all-replicas",
                    "--seconds", "1", "--output-dir", tmp.resolve("out").toString());
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.NOT_PERMITTED);
            assertThat(r.err()).contains("flame: 1 of 3 replicas gave no profile: " + replicas.instance(0))
                    .contains("RBAC 'get' on the non-resource URL /debug/pprof/*").doesNotContain("\tat ");
            assertThat(tmp.resolve("out").resolve("replicas").resolve(replicas.instance(1).replace(':', '_'))).exists();
        }
    }

    @Test
    void pushSendsFilesAndAFailingReceiverKeepsThemAndExitsPushFailed() throws Exception {
        Path folded = Files.writeString(tmp.resolve("perf.folded"), "main;work 30\nmain;idle 10\n");
        Path pprof = tmp.resolve("kube-apiserver.pb.gz");
        Files.write(pprof, LocalReplicas.gzip(Files.readAllBytes(io.github.stackfold.testing.Shared.path(LocalReplicas.PROFILE))));
        Path token = Files.writeString(tmp.resolve("token"), "s3cret\n");
        try (Receiver ok = new Receiver(200)) {
            CliRun r = flame("push", "--pyroscope", ok.url(), "--otlp", ok.url(), "--label", "env=test",
                    "--push-token-file", token.toString(), "--sample-rate", "49", folded.toString(), pprof.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(ok.queries).hasSize(4);
            assertThat(ok.queries).anyMatch(q -> q.startsWith("/ingest?name=kube-apiserver.samples{env=test}")
                    && q.contains("sampleRate=49"));
            assertThat(ok.queries).anyMatch(q -> q.startsWith("/ingest?name=kube-apiserver{env=test}") && q.contains("format=pprof"));
            assertThat(ok.queries).filteredOn(q -> q.startsWith("/v1development/profiles")).hasSize(2);
        }
        try (Receiver bad = new Receiver(400)) {
            Path keep = tmp.resolve("kept");
            CliRun r = flame("push", "--pyroscope", bad.url(), "--keep-dir", keep.toString(), pprof.toString());
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.PUSH_FAILED);
            assertThat(r.err()).contains("HTTP 400").contains("kept in " + keep).doesNotContain("\tat ");
            assertThat(Files.list(keep).count()).isEqualTo(1);
        }
        CliRun none = flame("push", pprof.toString());
        assertThat(none.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(none.err()).contains("--pyroscope URL or --otlp URL");
        CliRun label = flame("push", "--pyroscope", "http://127.0.0.1:1", "--label", "bad", pprof.toString());
        assertThat(label.code()).isEqualTo(ExitCodes.USAGE);
    }

    /**
     * Without --app a profile is pushed under the program it names: the real apiserver profile's main binary
     * (kube-apiserver), the one process of a real perf recording of sh (its perf script text, and its pprof
     * export, whose main mapping is sh, pushed for its own duration); folded stacks name none and keep
     * kube-apiserver; --app wins.
     */
    @Test
    void pushNamesTheApplicationAfterTheProfiledProgramUnlessAppIsGiven() throws Exception {
        io.github.stackfold.testing.PerfRuns.requirePerf();
        Path apiserver = io.github.stackfold.testing.Shared.path(LocalReplicas.PROFILE);
        Path data = io.github.stackfold.testing.PerfRuns.recordData(io.github.stackfold.testing.PerfRuns.busyLoop(100_000),
                tmp, "sh");
        // with the event and period: its pprof export is then a CPU profile (cpu/nanoseconds), as push reads pprof
        Path text = tmp.resolve("sh.txt");
        Process script = new ProcessBuilder("perf", "script", "-i", data.toString(), "-F", "comm,pid,tid,time,period,event,ip,sym,dso")
                .redirectOutput(text.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(script.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(script.exitValue()).isZero();
        Path shPprof = tmp.resolve("sh.pb.gz");
        CliRun e = flame("export", "--format", "pprof", "-o", shPprof.toString(), text.toString());
        assertThat(e.code()).as(e.err()).isZero();
        Path folded = Files.writeString(tmp.resolve("sh.folded"), "sh;main;work 30\n");
        try (Receiver ok = new Receiver(200)) {
            CliRun r = flame("push", "--pyroscope", ok.url(), apiserver.toString(), text.toString(), shPprof.toString(),
                    folded.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(ok.queries).hasSize(4);
            assertThat(ok.queries).anyMatch(q -> q.startsWith("/ingest?name=kube-apiserver{}") && q.contains("format=pprof"));
            assertThat(ok.queries).anyMatch(q -> q.startsWith("/ingest?name=sh.samples{}") && q.contains("format=folded"));
            assertThat(ok.queries).anyMatch(q -> q.startsWith("/ingest?name=sh{}") && q.contains("format=pprof"));
            // the export has the recording's duration but no start time: that duration, ending at the file's time
            long written = Files.getLastModifiedTime(shPprof).toInstant().getEpochSecond();
            String sh = ok.queries.stream().filter(q -> q.startsWith("/ingest?name=sh{}")).findFirst().orElseThrow();
            java.util.regex.Matcher w = java.util.regex.Pattern.compile("&from=(\\d+)&until=(\\d+)&").matcher(sh);
            assertThat(w.find()).as(sh).isTrue();
            long from = Long.parseLong(w.group(1));
            long until = Long.parseLong(w.group(2));
            assertThat(until).as(sh + " (whole seconds: rounded out)").isBetween(written, written + 1);
            assertThat(from).as(sh + ": not the --duration of 30 s").isBetween(written - 2, written);
            assertThat(ok.queries).anyMatch(q -> q.startsWith("/ingest?name=kube-apiserver.samples{}") && q.contains("format=folded"));
            assertThat(r.err()).contains("pushed 4 profiles as kube-apiserver, sh to ");
        }
        try (Receiver ok = new Receiver(200)) {
            CliRun r = flame("push", "--pyroscope", ok.url(), "--app", "lab", text.toString(), shPprof.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(ok.queries).hasSize(2).allMatch(q -> q.startsWith("/ingest?name=lab"));
        }
    }

    private static FoldedProfile read(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return FoldedProfile.read(in, file.toString());
        }
    }
}
