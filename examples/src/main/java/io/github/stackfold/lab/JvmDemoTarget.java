package io.github.stackfold.lab;

import io.github.stackfold.examples.demo.ApiServerLikeDemo;
import io.github.stackfold.examples.demo.DemoLoad;
import io.github.stackfold.flamegraph.analyze.Rules;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The repository's {@link ApiServerLikeDemo} in a JVM of its own, started with
 * {@code -XX:+PreserveFramePointer} so perf can walk Java stacks (and {@code -XX:TieredStopAtLevel=1}:
 * C1 compiles quickly, so a few seconds of profile are not spent in the C2 compiler). Before perf
 * script runs, {@link JvmPerfMap} writes perf's JIT symbol file, {@code /tmp/perf-PID.map}.
 */
public final class JvmDemoTarget implements DemoTarget {
    private static final String MAIN = ApiServerLikeDemo.class.getName();

    private final Process process;
    private final int port;
    private final JvmPerfMap perfMap;

    private JvmDemoTarget(Process process, int port, Path javaHome) {
        this.process = process;
        this.port = port;
        this.perfMap = JvmPerfMap.forJdk(process.pid(), javaHome);
    }

    /**
     * Starts the server with this JVM's runtime and class path; it ends by itself after
     * {@code maxLifetime}, and when this JVM goes away (its stdin closes).
     */
    public static JvmDemoTarget start(Duration maxLifetime, Duration startTimeout) throws IOException {
        Path javaHome = Path.of(System.getProperty("java.home"));
        List<String> cmd = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString(),
                // frame pointers for perf's stack walk; C1 only: a short demo is not spent in the C2
                // compiler, and less inlining leaves more of the handler chain's frames to see
                "-XX:+PreserveFramePointer", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), MAIN,
                "--port", "0", "--exit-on-stdin-eof", "--max-seconds", Long.toString(maxLifetime.toSeconds())));
        Process p = Children.startTarget(new ProcessBuilder(cmd).redirectErrorStream(true));
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
                + Runtime.version().feature() + ", -XX:+PreserveFramePointer -XX:TieredStopAtLevel=1) on 127.0.0.1:" + port + ", PID " + pid();
    }

    @Override
    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    @Override
    public Rules rules() throws IOException {
        return demoServerRules();
    }

    /** The categories of the demo server's frames (resource {@code demo-server.json} beside this class). */
    static Rules demoServerRules() throws IOException {
        try (InputStream in = JvmDemoTarget.class.getResourceAsStream("demo-server.json")) {
            if (in == null) {
                throw new IOException("resource demo-server.json is missing from the class path");
            }
            return Rules.read(in, "demo-server.json", false);
        }
    }

    @Override
    public LoadRun startLoad(int clients, Duration duration) {
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<DemoLoad.Stats> f = CompletableFuture.supplyAsync(() -> {
            try {
                return DemoLoad.run(port, clients, duration, stop);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new DemoLoad.Stats(0, java.util.Map.of());
            }
        });
        return () -> {
            stop.set(true);
            try {
                DemoLoad.Stats s = f.get(duration.toMillis() + 15_000, TimeUnit.MILLISECONDS);
                return clients + " HTTP clients: " + s.requests() + " requests, by status " + s.byStatusText();
            } catch (ExecutionException | TimeoutException e) {
                return clients + " HTTP clients: did not finish (" + e + ")";
            }
        };
    }

    @Override
    public String beforeScript() {
        return perfMap.write();
    }

    @Override
    public boolean writesSymbolMap() {
        return true;
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close(); // the server ends on stdin EOF
        } catch (IOException ignored) {
            // ending it anyway below
        }
        Children.end(process, 2_000);
        perfMap.remove();
    }
}
