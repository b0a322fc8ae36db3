package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.LocalReplicas;
import io.github.stackfold.testing.Shared;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame pprof --url} and {@code flame profile --pprof URL} against a real local HTTP server
 * that misbehaves: it closes the connection in the middle of the body, answers with an HTML login
 * page, or streams without end. Each ends in one line, a documented exit code and no result files.
 */
class PprofServerFaultsTest {
    @TempDir
    Path tmp;
    private HttpServer server;
    private byte[] profile;
    private final AtomicLong streamed = new AtomicLong();
    private final CountDownLatch streamEnded = new CountDownLatch(1);

    @BeforeEach
    void serve() throws IOException {
        profile = Files.readAllBytes(Shared.path(LocalReplicas.PROFILE));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/whole/debug/pprof/profile", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, profile.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(profile);
            }
        });
        server.createContext("/cut/debug/pprof/profile", ex -> {
            // announces the whole profile, sends its first 1000 bytes, then closes the connection
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, profile.length);
            OutputStream out = ex.getResponseBody();
            out.write(profile, 0, 1000);
            out.flush();
            // a handler that fails makes the server drop the connection (the body is 1000 bytes short)
            throw new IllegalStateException("cut after 1000 bytes");
        });
        server.createContext("/sso/login", ex -> {
            byte[] page = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>Sign in - Example Corp SSO</title>"
                    + "</head><body><form method=\"post\"><input name=\"user\"><input type=\"password\" name=\"pw\">"
                    + "</form></body></html>\n").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, page.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(page);
            }
        });
        server.createContext("/proxied/debug/pprof/profile", ex -> {
            // an authenticating proxy in front of the server: to its login page first
            ex.getResponseHeaders().add("Location", "/sso/login?next=%2Fdebug%2Fpprof%2Fprofile");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/endless/debug/pprof/profile", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, 0); // chunked, never ends
            byte[] chunk = new byte[64 << 10];
            Arrays.fill(chunk, (byte) 0x0a);
            try (OutputStream out = ex.getResponseBody()) {
                while (streamed.get() < (2L << 30)) {
                    out.write(chunk);
                    streamed.addAndGet(chunk.length);
                }
            } catch (IOException clientWentAway) {
                // the client stopped reading and closed the connection
            } finally {
                streamEnded.countDown();
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) { // null when the test was skipped for want of ../shared
            server.stop(0);
        }
    }

    private String url(String prefix) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + prefix + "/debug/pprof/profile";
    }

    private static void oneLineNoTrace(SvgChecks.Run r) {
        // progress lines, then one error line
        assertThat(r.err.lines().filter(l -> !l.startsWith("flame pprof: ") && !l.startsWith("flame profile: ")))
                .as(r.err).hasSize(1).allMatch(l -> l.startsWith("flame: "));
        assertThat(r.err).doesNotContain("\tat ").doesNotContain("Exception");
    }

    private static String[] files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return new String[0];
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toArray(String[]::new);
        }
    }

    @Test
    void theWholeProfileFromTheSameServerIsFetched() throws Exception {
        Path out = tmp.resolve("whole");
        SvgChecks.Run r = SvgChecks.flame("pprof", "--url", url("whole"), "--seconds", "1", "--output-dir", out.toString());
        assertThat(r.code).as(r.err).isZero();
        try (InputStream in = Files.newInputStream(out.resolve("kube-apiserver.folded"))) {
            assertThat(FoldedProfile.read(in, "folded").total()).isPositive();
        }
    }

    @Test
    void aConnectionClosedMidBodySaysHowMuchArrivedOfHowMuch() throws Exception {
        Path out = tmp.resolve("cut");
        SvgChecks.Run r = SvgChecks.flame("pprof", "--url", url("cut"), "--seconds", "1", "--output-dir", out.toString());
        assertThat(r.code).as(r.err).isEqualTo(ExitCodes.NO_TARGET);
        oneLineNoTrace(r);
        assertThat(r.err).contains(url("cut") + "?seconds=1: the pprof server closed the connection after 1000 bytes of "
                + profile.length).contains("the profile is incomplete");
        assertThat(files(out)).as("no result from a partial profile").isEmpty();
    }

    @Test
    void anHtmlLoginPageIsNamedAsSuch() throws Exception {
        Path out = tmp.resolve("html");
        SvgChecks.Run r = SvgChecks.flame("pprof", "--url", url("proxied"), "--seconds", "1", "--output-dir", out.toString());
        assertThat(r.code).as(r.err).isEqualTo(ExitCodes.BAD_INPUT);
        oneLineNoTrace(r);
        assertThat(r.err).contains("answered with an HTML page (a login page?), not a pprof profile")
                .contains("redirected to http://127.0.0.1:" + server.getAddress().getPort() + "/sso/login")
                .contains("Sign in - Example Corp SSO");
        assertThat(files(out)).isEmpty();

        // the lab's command, the same server
        Path lab = tmp.resolve("lab");
        SvgChecks.Run p = SvgChecks.flame("profile", "--pprof", url("proxied"), "--duration", "1s",
                "--output-dir", lab.toString());
        assertThat(p.code).as(p.err).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(p.err).contains("answered with an HTML page (a login page?), not a pprof profile").doesNotContain("\tat ");
        assertThat(Arrays.asList(files(lab))).doesNotContain("report.md", "report.json", "flame.svg");
    }

    @Test
    void anEndlessStreamStopsAtTheSizeCapAndSaysSo() throws Exception {
        Path out = tmp.resolve("endless");
        long t0 = System.nanoTime();
        SvgChecks.Run r = SvgChecks.flame("pprof", "--url", url("endless"), "--seconds", "1", "--max-size", "4m",
                "--output-dir", out.toString());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.code).as(r.err).isEqualTo(ExitCodes.BAD_INPUT);
        oneLineNoTrace(r);
        assertThat(r.err).contains("exceeded the size cap of 4 MB (4194304 bytes)").contains("--max-size");
        assertThat(files(out)).isEmpty();
        // the client closed the connection: the server's writes fail soon after, it does not stream on
        assertThat(streamEnded.await(30, TimeUnit.SECONDS)).as("the server stopped streaming").isTrue();
        assertThat(streamed.get()).as("bytes the server got out before the close").isLessThan(64L << 20);
        System.out.println("endless stream: cap of 4 MB hit after " + ms + " ms; the server wrote " + streamed.get()
                + " bytes before the connection closed");
        SvgChecks.Run bad = SvgChecks.flame("pprof", "--url", url("endless"), "--max-size", "lots");
        assertThat(bad.code).isEqualTo(ExitCodes.USAGE);
    }
}
