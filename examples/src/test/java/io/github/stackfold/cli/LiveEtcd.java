package io.github.stackfold.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Debian's etcd ({@code /usr/bin/etcd}, a real Go server) on 127.0.0.1 with free ports, a temporary
 * data directory and {@code --enable-pprof}, plus a bounded load loop through its v3 JSON gateway.
 * {@link #close()} ends etcd (SIGTERM, then SIGKILL) and the load.
 */
final class LiveEtcd implements AutoCloseable {
    static final Path ETCD = Path.of("/usr/bin/etcd");

    private final Process process;
    private final int clientPort;
    private final String scheme;
    private final HttpClient http;
    private final AtomicBoolean loading = new AtomicBoolean();
    private final AtomicLong requests = new AtomicLong();
    private final List<Thread> loaders = new ArrayList<>();

    private LiveEtcd(Process process, int clientPort, String scheme, HttpClient http) {
        this.process = process;
        this.clientPort = clientPort;
        this.scheme = scheme;
        this.http = http;
    }

    /**
     * Starts etcd; {@code tls} adds arguments such as {@code --cert-file} (then the client URL is
     * https), and {@code http} is the client the readiness check and the load use.
     */
    static LiveEtcd start(Path dataDir, List<String> tls, HttpClient http) throws IOException, InterruptedException {
        return start(ETCD, dataDir, tls, http);
    }

    /** {@link #start(Path, List, HttpClient)} running {@code binary} (a copy of etcd, say) instead of /usr/bin/etcd. */
    static LiveEtcd start(Path binary, Path dataDir, List<String> tls, HttpClient http)
            throws IOException, InterruptedException {
        int client = freePort();
        int peer = freePort();
        String scheme = tls.isEmpty() ? "http" : "https";
        List<String> argv = new ArrayList<>(List.of(binary.toString(),
                "--name", "stackfold-test",
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", scheme + "://127.0.0.1:" + client,
                "--advertise-client-urls", scheme + "://127.0.0.1:" + client,
                "--listen-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-cluster", "stackfold-test=http://127.0.0.1:" + peer,
                "--enable-pprof",
                "--logger", "zap", "--log-level", "error"));
        argv.addAll(tls);
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        Process p = new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        LiveEtcd etcd = new LiveEtcd(p, client, scheme, http);
        try {
            etcd.awaitHealthy(Duration.ofSeconds(30), log);
        } catch (IOException | RuntimeException | InterruptedException e) {
            etcd.close();
            throw e;
        }
        return etcd;
    }

    /** The etcd process's id. */
    long pid() {
        return process.pid();
    }

    String baseUrl() {
        return scheme + "://127.0.0.1:" + clientPort;
    }

    private void awaitHealthy(Duration timeout, Path log) throws IOException, InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new IOException("etcd exited with " + process.exitValue() + ": " + tail(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("true")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("etcd was not healthy within " + timeout.toSeconds() + " s: " + tail(log));
    }

    /**
     * Puts and gets keys through the v3 JSON gateway on {@code threads} threads until {@link #close()}
     * or {@code bound} has passed, whichever comes first.
     */
    void startLoad(int threads, Duration bound) {
        loading.set(true);
        long until = System.nanoTime() + bound.toNanos();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                Base64.Encoder b64 = Base64.getEncoder();
                for (long i = 0; loading.get() && System.nanoTime() < until; i++) {
                    String key = b64.encodeToString(("key-" + id + "-" + (i % 500)).getBytes(StandardCharsets.UTF_8));
                    String value = b64.encodeToString(("value " + i + " ".repeat(64)).getBytes(StandardCharsets.UTF_8));
                    try {
                        post("/v3/kv/put", "{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}");
                        post("/v3/kv/range", "{\"key\":\"" + key + "\"}");
                        requests.addAndGet(2);
                    } catch (IOException e) {
                        // etcd is going away at the end of the test
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "etcd-load-" + t);
            th.setDaemon(true);
            th.start();
            loaders.add(th);
        }
    }

    long requests() {
        return requests.get();
    }

    private void post(String path, String json) throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.discarding());
    }

    @Override
    public void close() throws InterruptedException {
        loading.set(false);
        for (Thread t : loaders) {
            t.interrupt();
            t.join(5000);
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
