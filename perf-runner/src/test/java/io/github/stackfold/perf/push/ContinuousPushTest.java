package io.github.stackfold.perf.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.pprof.PprofProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.perf.NotPermittedException;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import java.util.zip.GZIPOutputStream;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --every}: rounds of fetch and push in a real process ({@link ContinuousMain}) stopped by a
 * real SIGTERM or SIGINT, against a local pprof server serving the real apiserver profile and a
 * local receiver that decodes every push.
 */
class ContinuousPushTest {
    private static final String PROFILE = "real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb";

    @TempDir
    Path tmp;

    /** A pprof endpoint answering request N after {@code delayMillis(N)} ms with the real profile. */
    private static HttpServer pprofServer(byte[] gz, IntUnaryOperator delayMillis, AtomicInteger count) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        s.createContext("/debug/pprof/profile", ex -> {
            int n = count.incrementAndGet();
            try {
                Thread.sleep(delayMillis.applyAsInt(n));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                ex.sendResponseHeaders(200, gz.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(gz);
                }
            } catch (IOException gone) {
                // the client went away (stopped)
            }
        });
        s.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        s.start();
        return s;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
            gz.write(data);
        }
        return b.toByteArray();
    }

    private record Run(int code, List<String> out, long stopMillis) {
    }

    /**
     * Runs {@link ContinuousMain} in a small heap, waits until {@code fetchesBeforeSignal} profile
     * requests have reached the pprof server, sends {@code signal} and waits for the end.
     */
    private Run runAndSignal(String pprofUrl, String pushUrl, AtomicInteger fetches, int fetchesBeforeSignal,
            String signal) throws Exception {
        if (signal.equals("INT")) {
            Shared.requireThat(!sigintIgnored(), "SIGINT is ignored by this test's process (started in the background"
                    + " by a shell without job control), so the program it starts inherits that and cannot be stopped by it");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx48m", "-cp", System.getProperty("java.class.path"),
                ContinuousMain.class.getName(), pprofUrl, pushUrl, "1", tmp.resolve("unpushed").toString())
                .redirectError(tmp.resolve("stderr.txt").toFile())
                .redirectOutput(tmp.resolve("stdout.txt").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (fetches.get() < fetchesBeforeSignal && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(20);
            }
            assertThat(p.isAlive()).as(Files.readString(tmp.resolve("stderr.txt"))).isTrue();
            assertThat(fetches.get()).as("profile requests before the signal").isGreaterThanOrEqualTo(fetchesBeforeSignal);
            long sent = System.nanoTime();
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).isTrue();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("ended after SIG" + signal).isTrue();
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            return new Run(p.exitValue(), Files.readAllLines(tmp.resolve("stdout.txt"), StandardCharsets.UTF_8), stopMillis);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Whether this process ignores SIGINT (bit 1 of SigIgn in /proc/self/status), which its children inherit. */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 2) != 0;
            }
        }
        return false;
    }

    @Test
    void sigtermBetweenRoundsEndsTheRunAfterEveryRoundWasPushedWhole() throws Exception {
        byte[] gz = gzip(Files.readAllBytes(Shared.path(PROFILE)));
        PprofProfile input = PprofReader.create().read(gz, PROFILE);
        AtomicInteger fetches = new AtomicInteger();
        HttpServer pprof = pprofServer(gz, n -> 200, fetches);
        try (Receiver receiver = new Receiver()) {
            Run r = runAndSignal("http://127.0.0.1:" + pprof.getAddress().getPort() + "/debug/pprof/profile",
                    receiver.url().toString(), fetches, 3, "TERM");
            assertThat(r.code()).as(r.out().toString()).isEqualTo(143);
            String last = r.out().get(r.out().size() - 1);
            assertThat(last).startsWith("stopped: rounds=").endsWith(" failed=0 stopped=true");
            long pushed = Long.parseLong(last.replaceAll(".* pushed=(\\d+) .*", "$1"));
            assertThat(pushed).isGreaterThanOrEqualTo(2);
            // every push the program counted reached the receiver whole: its body decodes to the input
            assertThat(receiver.requests).hasSize((int) pushed);
            for (Receiver.Request q : receiver.requests) {
                assertThat(q.query()).containsEntry("format", "pprof").containsKey("name");
                assertThat(q.query().get("name")).startsWith("kube-apiserver{cluster=test,instance=127.0.0.1:");
                PprofProfile got = PprofReader.create().read(Receiver.part(q.body(), q.header("Content-Type"), "profile"), "push");
                assertThat(got.folded().total()).isEqualTo(input.folded().total());
            }
            assertThat(tmp.resolve("unpushed")).doesNotExist();
        } finally {
            pprof.stop(0);
        }
    }

    @Test
    void sigintDuringALongFetchAbandonsItAtOnce() throws Exception {
        byte[] gz = gzip(Files.readAllBytes(Shared.path(PROFILE)));
        AtomicInteger fetches = new AtomicInteger();
        // the first two profiles come quickly, the third would take 30 s, as a real 30 s profile does
        HttpServer pprof = pprofServer(gz, n -> n <= 2 ? 100 : 30_000, fetches);
        try (Receiver receiver = new Receiver()) {
            Run r = runAndSignal("http://127.0.0.1:" + pprof.getAddress().getPort() + "/debug/pprof/profile",
                    receiver.url().toString(), fetches, 3, "INT");
            assertThat(r.code()).as(r.out().toString()).isEqualTo(130);
            assertThat(r.out()).contains("round 1 pushed 1", "round 2 pushed 1");
            assertThat(r.out().get(r.out().size() - 1)).isEqualTo("stopped: rounds=2 pushed=2 failed=0 stopped=true");
            assertThat(r.stopMillis()).as("ms from SIGINT to the end, the fetch under way taking 30 s").isLessThan(15_000);
            assertThat(receiver.requests).hasSize(2);
        } finally {
            pprof.stop(0);
        }
    }

    @Test
    void aFailingReceiverIsReportedRoundByRoundAndARefusalEndsTheRun() throws Exception {
        byte[] gz = gzip(Files.readAllBytes(Shared.path(PROFILE)));
        AtomicInteger fetches = new AtomicInteger();
        HttpServer pprof = pprofServer(gz, n -> 0, fetches);
        try (Receiver receiver = new Receiver()) {
            receiver.statuses = n -> n <= 2 ? 503 : 403;
            PushOptions o = PushOptions.builder().attempts(2).backoff(Duration.ofMillis(10)).keepDir(tmp.resolve("kept")).build();
            List<String> reported = new ArrayList<>();
            ContinuousPush push = new ContinuousPush(ContinuousPush.of(io.github.stackfold.perf.pprof.PprofFetcher.builder()
                    .url(java.net.URI.create("http://127.0.0.1:" + pprof.getAddress().getPort() + "/debug/pprof/profile"))
                    .seconds(1).build(), PprofReader.create(), "app", Map.of()), List.of(PyroscopeSink.of(receiver.url(), o)),
                    Duration.ofSeconds(1), (round, pushed, failures) -> reported.add(round + ":" + pushed + ":" + failures));
            assertThatThrownBy(push::run).isInstanceOf(PushFailedException.class).hasMessageContaining("HTTP 403");
            // round 1: two 503s, kept and reported; round 2: a 403 ends the run
            assertThat(reported).hasSize(1);
            assertThat(reported.get(0)).startsWith("1:0:[").contains("HTTP 503").contains("kept in " + tmp.resolve("kept"));
            assertThat(Files.list(tmp.resolve("kept")).count()).isPositive();
        } finally {
            pprof.stop(0);
        }
        assertThatThrownBy(() -> new ContinuousPush(() -> {
            throw new NotPermittedException("403");
        }, List.of(), Duration.ofSeconds(1), (a, b, c) -> { })).isInstanceOf(IllegalArgumentException.class);
    }
}
