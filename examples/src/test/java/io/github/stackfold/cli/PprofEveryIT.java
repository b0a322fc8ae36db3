package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.testing.LocalReplicas;
import io.github.stackfold.testing.Shared;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame pprof --every 1s --push} run as a real process (the shaded {@code flame.jar}) against a
 * local pprof endpoint serving the real apiserver profile and a local Pyroscope-style receiver, stopped
 * by a real SIGTERM: every round it reported pushed reached the receiver whole, exit code 130.
 */
class PprofEveryIT {
    @TempDir
    Path tmp;

    @Test
    void everyPushesRoundAfterRoundUntilSigtermAndEndsWith130() throws Exception {
        String jar = System.getProperty("stackfold.flameJar", "target/flame.jar");
        Shared.requireThat(Files.exists(Path.of(jar)), jar + " is not built (run mvn package first)");
        byte[] gz = LocalReplicas.gzip(Files.readAllBytes(Shared.path(LocalReplicas.PROFILE)));
        long total = PprofReader.create().read(gz, "profile").folded().total();
        AtomicInteger fetches = new AtomicInteger();
        HttpServer pprof = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        pprof.createContext("/debug/pprof/profile", ex -> {
            fetches.incrementAndGet();
            ex.sendResponseHeaders(200, gz.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(gz);
            }
        });
        List<byte[]> pushed = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        receiver.createContext("/ingest", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                pushed.add(in.readAllBytes());
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        pprof.start();
        receiver.start();
        Process p = null;
        try {
            List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", jar, "pprof", "--url", "http://127.0.0.1:" + pprof.getAddress().getPort() + "/debug/pprof/profile",
                    "--seconds", "1", "--every", "1s", "--push", "--pyroscope", "http://127.0.0.1:" + receiver.getAddress().getPort(),
                    "--cluster", "it", "--output-dir", tmp.resolve("out").toString()));
            p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(tmp.resolve("stderr.txt").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (pushed.size() < 2 && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(50);
            }
            assertThat(pushed.size()).as(Files.readString(tmp.resolve("stderr.txt"))).isGreaterThanOrEqualTo(2);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("ended after SIGTERM").isTrue();
            String err = Files.readString(tmp.resolve("stderr.txt"), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(err).isEqualTo(ExitCodes.INTERRUPTED);
            assertThat(err).contains("flame pprof: round 1: pushed 1 profile").doesNotContain("\tat ");
            String last = err.lines().filter(l -> l.startsWith("flame pprof: stopped after ")).findFirst().orElseThrow();
            int n = Integer.parseInt(last.replaceAll(".*: (\\d+) pushed, 0 failed$", "$1"));
            assertThat(pushed).hasSize(n);
            for (byte[] body : pushed) {
                String text = new String(body, StandardCharsets.ISO_8859_1);
                int start = text.indexOf("\r\n\r\n") + 4;
                int end = text.lastIndexOf("\r\n--");
                byte[] profile = text.substring(start, end).getBytes(StandardCharsets.ISO_8859_1);
                assertThat(PprofReader.create().read(profile, "push").folded().total()).isEqualTo(total);
            }
            assertThat(tmp.resolve("out").resolve("unpushed")).doesNotExist();
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
            pprof.stop(0);
            receiver.stop(0);
        }
    }
}
