package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output directory that cannot be written is refused before anything is recorded or fetched: a
 * real read-only tmpfs (mounted here; needs root, else the tests say why they skip), a real local
 * HTTP server and real perf.
 */
class OutputDirFaultsTest {
    @TempDir
    Path tmp;
    private Path readOnly;
    private boolean mounted;

    @BeforeEach
    void readOnlyDisk() throws Exception {
        readOnly = Files.createDirectory(tmp.resolve("ro"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", readOnly.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        mounted = p.waitFor() == 0;
        if (!mounted) {
            System.out.println("OutputDirFaultsTest: no read-only tmpfs (" + out.strip() + "); skipping");
        }
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            new ProcessBuilder("umount", readOnly.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void pprofRefusesAReadOnlyDirectoryBeforeItAsksTheServer() throws Exception {
        assumeTrue(mounted, "no read-only tmpfs");
        AtomicInteger asked = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            asked.incrementAndGet();
            x.sendResponseHeaders(500, -1);
            x.close();
        });
        server.start();
        try {
            Path dir = readOnly.resolve("results");
            SvgChecks.Run r = SvgChecks.flame("pprof", "--url",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/debug/pprof/profile", "--seconds", "1",
                    "--output-dir", dir.toString());
            assertThat(r.code).as(r.err).isEqualTo(ExitCodes.IO_ERROR);
            assertThat(r.err.strip()).doesNotContain("\n")
                    .contains("cannot write to the output directory " + dir).contains("Read-only file system");
            assertThat(asked.get()).as("requests to the server").isZero();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void recordRefusesAReadOnlyDirectoryBeforePerfRuns() throws Exception {
        assumeTrue(mounted, "no read-only tmpfs");
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            Path dir = readOnly.resolve("results");
            long t0 = System.nanoTime();
            SvgChecks.Run r = SvgChecks.flame("record", "--pid", String.valueOf(sleeper.pid()), "--duration", "10s",
                    "--output-dir", dir.toString());
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(r.code).as(r.err).isEqualTo(ExitCodes.IO_ERROR);
            assertThat(r.err).contains("cannot write to the output directory " + dir).contains("Read-only file system");
            assertThat(seconds).as("refused before a 10 s recording").isLessThan(8);
        } finally {
            sleeper.destroy();
            sleeper.waitFor();
        }
    }
}
