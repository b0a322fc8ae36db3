package io.github.stackfold.perf;

import io.github.stackfold.testing.Shared;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real CPU-bound program for the tests to profile: C compiled here with frame pointers and without
 * inlining, so its stack is {@code main;spin_outer;spin_inner} under any perf. Processes are ended
 * with their children in {@link #close()}.
 */
final class Busy implements AutoCloseable {
    static final String SOURCE = """
            volatile unsigned long sink;
            __attribute__((noinline)) unsigned long spin_inner(unsigned long n) {
                unsigned long s = 0;
                for (unsigned long i = 0; i < n; i++) s += i * i;
                return s;
            }
            __attribute__((noinline)) void spin_outer(void) {
                for (;;) sink += spin_inner(100000);
            }
            int main(void) { spin_outer(); return 0; }
            """;

    private final Path dir;
    private final List<Process> started = java.util.Collections.synchronizedList(new ArrayList<>());

    Busy() throws IOException, InterruptedException {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc is not installed (apt-get install gcc)");
        dir = Files.createTempDirectory("stackfold-busy");
        Files.writeString(dir.resolve("busy.c"), SOURCE);
        Process cc = new ProcessBuilder("gcc", "-O0", "-fno-omit-frame-pointer", "-fno-inline", "-o",
                dir.resolve("busy").toString(), dir.resolve("busy.c").toString()).inheritIO().start();
        if (!cc.waitFor(60, TimeUnit.SECONDS) || cc.exitValue() != 0) {
            cc.destroyForcibly();
            throw new IOException("gcc failed to build the busy program");
        }
    }

    /** The binary under {@code name} (at most 15 bytes, so comm equals it). */
    synchronized Path binary(String name) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.exists(p)) {
            Files.copy(dir.resolve("busy"), p);
            p.toFile().setExecutable(true);
        }
        return p;
    }

    /**
     * Starts {@code prefix... binary(name)} and returns the process. A binary copied just now can be
     * "busy" (ETXTBSY) for a moment: a process forked by another thread meanwhile (a recorder starting
     * perf) holds the copy's write descriptor until it execs. That is retried, briefly.
     */
    Process start(String name, String... prefix) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(prefix));
        cmd.add(binary(name).toString());
        for (int attempt = 1; ; attempt++) {
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                started.add(p);
                return p;
            } catch (IOException e) {
                if (attempt == 20 || e.getMessage() == null || !e.getMessage().contains("error=26")) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    Path dir() {
        return dir;
    }

    /** A unique name of at most 15 bytes. */
    static String name(String tag) {
        String n = tag + ProcessHandle.current().pid();
        return n.length() > 15 ? n.substring(n.length() - 15) : n;
    }

    @Override
    public void close() throws IOException {
        for (Process p : List.copyOf(started)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var s = Files.list(dir)) {
            for (Path f : s.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
