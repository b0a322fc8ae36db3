package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during {@code flame pprof}'s single fetch: exit 130 and a line saying that nothing was written
 * (the server answers only when its seconds are over), not a silent exit. The server is a loopback HTTP
 * server of the test that holds the request open, as a Go server does while it samples.
 */
class PprofInterruptedTest {
    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path tmp;

    @Test
    void sigintWhileTheServerSamplesIsExit130SayingNothingWasWritten() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/debug/pprof/profile", x -> {
            asked.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.sendResponseHeaders(500, -1);
            x.close();
        });
        server.start();
        try {
            Path out = tmp.resolve("out");
            Process f = processes.flame(tmp, List.of("env", "--default-signal=INT,TERM"), Map.of(), "pprof", "--url",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/debug/pprof/profile", "--seconds", "20",
                    "--output-dir", out.toString());
            assertThat(asked.await(60, TimeUnit.SECONDS)).as("flame asked the server").isTrue();
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(f.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ChildProcesses.exit(f)).as(ChildProcesses.stderr(tmp)).isEqualTo(ExitCodes.INTERRUPTED);
            assertThat(ChildProcesses.stderr(tmp)).containsPattern("\nflame: interrupted after \\d+ of 20 s: the server"
                    + " sends its profile only at the end, so nothing was written\n$");
            assertThat(out).doesNotExist();
        } finally {
            release.countDown();
            server.stop(0);
        }
    }
}
