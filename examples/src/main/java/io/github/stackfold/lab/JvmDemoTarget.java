package io.github.stackfold.lab;

import io.github.stackfold.examples.demo.ApiServerLikeDemo;
import io.github.stackfold.examples.demo.DemoLoad;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The repository's {@link ApiServerLikeDemo} in a JVM of its own, started with
 * {@code -XX:+PreserveFramePointer} so perf can walk Java stacks. Before perf script runs,
 * {@code jcmd PID Compiler.perfmap} (JDK 17+) writes {@code /tmp/perf-PID.map}, perf's JIT symbol
 * file; its names are then tidied to {@code pkg.Class.method(args)} (HotSpot puts the return type
 * first, which would hide the class from the analysis' name prefixes).
 */
public final class JvmDemoTarget implements DemoTarget {
    private static final String MAIN = ApiServerLikeDemo.class.getName();

    private final Process process;
    private final int port;
    private final Path javaHome;

    private JvmDemoTarget(Process process, int port, Path javaHome) {
        this.process = process;
        this.port = port;
        this.javaHome = javaHome;
    }

    /**
     * Starts the server with this JVM's runtime and class path; it ends by itself after
     * {@code maxLifetime}, and when this JVM goes away (its stdin closes).
     */
    public static JvmDemoTarget start(Duration maxLifetime, Duration startTimeout) throws IOException {
        Path javaHome = Path.of(System.getProperty("java.home"));
        List<String> cmd = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString(),
                "-XX:+PreserveFramePointer", "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), MAIN,
                "--port", "0", "--exit-on-stdin-eof", "--max-seconds", Long.toString(maxLifetime.toSeconds())));
        Process p = Children.start(new ProcessBuilder(cmd).redirectErrorStream(true));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> readUntilReady(out));
            String line = ready.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            int port = Integer.parseInt(line.substring(ApiServerLikeDemo.READY.length()).split(" ")[0]);
            drain(out);
            return new JvmDemoTarget(p, port, javaHome);
        } catch (TimeoutException e) {
            Children.end(p, 500);
            throw new IOException("the demo server did not start within " + startTimeout.toSeconds() + " s");
        } catch (ExecutionException | RuntimeException e) {
            Children.end(p, 500);
            Throwable c = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException("the demo server did not start: " + c.getMessage(), c);
        } catch (InterruptedException e) {
            Children.end(p, 500);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the demo server");
        }
    }

    private static String readUntilReady(BufferedReader out) {
        StringBuilder seen = new StringBuilder();
        try {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(ApiServerLikeDemo.READY)) {
                    return line;
                }
                if (seen.length() < 2000) {
                    seen.append(line).append(" / ");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("it exited" + (seen.length() > 0 ? ": " + seen : ""));
    }

    /** Keeps reading the child's output so it never blocks on a full pipe. */
    private static void drain(BufferedReader out) {
        Thread t = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // the child ended
            }
        }, "demo-server-output");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public String name() {
        return "demo-server";
    }

    @Override
    public String description() {
        return "the repository's apiserver-like demo server (" + MAIN + ", Java "
                + Runtime.version().feature() + ", -XX:+PreserveFramePointer) on 127.0.0.1:" + port + ", PID " + pid();
    }

    @Override
    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    @Override
    public InputStream rules() throws IOException {
        InputStream in = JvmDemoTarget.class.getResourceAsStream("demo-server.json");
        if (in == null) {
            throw new IOException("resource demo-server.json is missing from the class path");
        }
        return in;
    }

    @Override
    public String rulesName() {
        return "demo-server.json";
    }

    @Override
    public LoadRun startLoad(int clients, Duration duration) {
        CompletableFuture<DemoLoad.Stats> f = CompletableFuture.supplyAsync(() -> {
            try {
                return DemoLoad.run(port, clients, duration);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new DemoLoad.Stats(0, java.util.Map.of());
            }
        });
        return () -> {
            try {
                DemoLoad.Stats s = f.get(duration.toMillis() + 15_000, TimeUnit.MILLISECONDS);
                return clients + " HTTP clients: " + s.requests() + " requests, by status " + s.byStatus();
            } catch (ExecutionException | TimeoutException e) {
                return clients + " HTTP clients: did not finish (" + e + ")";
            }
        };
    }

    /** perf's JIT symbol file for this process. */
    public Path perfMap() {
        return Path.of("/tmp/perf-" + pid() + ".map");
    }

    @Override
    public String beforeScript() {
        Path jcmd = javaHome.resolve("bin/jcmd");
        if (!Files.isExecutable(jcmd)) {
            return "no jcmd in " + javaHome + " (a JRE without the JDK tools): Java frames stay unnamed";
        }
        try {
            int code = Children.run(List.of(jcmd.toString(), Long.toString(pid()), "Compiler.perfmap"), 60_000);
            if (code != 0 || !Files.exists(perfMap())) {
                return "jcmd " + pid() + " Compiler.perfmap failed (exit " + code + "): Java frames stay unnamed";
            }
            tidyPerfMap(perfMap());
            return null;
        } catch (IOException e) {
            return "could not write the perf map with jcmd: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while writing the perf map";
        }
    }

    /**
     * Rewrites a HotSpot perf map's names from {@code RET pkg.Class.method(ARGS)} to
     * {@code pkg.Class.method(ARGS)}; stub names such as {@code Interpreter} or
     * {@code StubRoutines (1)} stay as they are.
     */
    static void tidyPerfMap(Path map) throws IOException {
        List<String> lines = Files.readAllLines(map, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            out.add(tidyPerfMapLine(line));
        }
        Path tmp = map.resolveSibling(map.getFileName() + ".tmp");
        Files.write(tmp, out, StandardCharsets.ISO_8859_1);
        Files.move(tmp, map, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String tidyPerfMapLine(String line) {
        // "START SIZE NAME": the name begins after the second space
        int s1 = line.indexOf(' ');
        int s2 = s1 < 0 ? -1 : line.indexOf(' ', s1 + 1);
        if (s2 < 0) {
            return line;
        }
        String name = line.substring(s2 + 1);
        int paren = name.indexOf('(');
        int space = paren < 0 ? -1 : name.lastIndexOf(' ', paren);
        if (space <= 0 || space == paren - 1) {
            return line;
        }
        return line.substring(0, s2 + 1) + name.substring(space + 1);
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close(); // the server ends on stdin EOF
        } catch (IOException ignored) {
            // ending it anyway below
        }
        Children.end(process, 2_000);
        try {
            Files.deleteIfExists(perfMap());
        } catch (IOException ignored) {
            // /tmp is cleaned by the system; nothing else to do
        }
    }
}
