package io.github.stackfold.lab;

import io.github.stackfold.examples.demo.DemoLoad;

import io.github.stackfold.flamegraph.analyze.Rules;

import java.io.IOException;
import java.net.InetAddress;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Debian's etcd ({@code /usr/bin/etcd}, a stripped Go server like kube-apiserver's release binaries)
 * as a single-member cluster on 127.0.0.1 with free ports and a temporary data directory, loaded
 * through its HTTP JSON gateway ({@code /v3/kv/put}, {@code /v3/kv/range}) by bounded client loops.
 */
public final class EtcdDemoTarget implements DemoTarget {
    /** Where Debian's etcd-server package installs the server. */
    public static final Path DEBIAN_ETCD = Path.of("/usr/bin/etcd");

    private final Process process;
    private final Path dataDir;
    private final int clientPort;
    private final String version;

    private EtcdDemoTarget(Process process, Path dataDir, int clientPort, String version) {
        this.process = process;
        this.dataDir = dataDir;
        this.clientPort = clientPort;
        this.version = version;
    }

    /** Whether {@code etcd} is installed where Debian puts it. */
    public static boolean available() {
        return Files.isExecutable(DEBIAN_ETCD);
    }

    /** Starts etcd and waits until {@code /health} says it is healthy. */
    public static EtcdDemoTarget start(Path etcd, Duration startTimeout) throws IOException {
        Path dataDir = Files.createTempDirectory("stackfold-etcd-");
        int client = freePort();
        int peer = freePort();
        String c = "http://127.0.0.1:" + client;
        String p = "http://127.0.0.1:" + peer;
        List<String> cmd = List.of(etcd.toString(), "--name", "stackfold-demo", "--data-dir", dataDir.resolve("data").toString(),
                "--listen-client-urls", c, "--advertise-client-urls", c,
                "--listen-peer-urls", p, "--initial-advertise-peer-urls", p,
                "--initial-cluster", "stackfold-demo=" + p, "--initial-cluster-state", "new",
                "--listen-metrics-urls", "http://127.0.0.1:" + freePort(),
                "--enable-pprof"); // /debug/pprof on the client port (loopback only), for flame profile --pprof
        Path log = dataDir.resolve("etcd.log");
        Process proc = Children.startTarget(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(log.toFile()));
        proc.getOutputStream().close();
        EtcdDemoTarget t = new EtcdDemoTarget(proc, dataDir, client, version(etcd));
        try {
            t.awaitHealthy(startTimeout, log);
            return t;
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private static String version(Path etcd) {
        try {
            Process v = Children.start(new ProcessBuilder(etcd.toString(), "--version").redirectErrorStream(true));
            try {
                v.getOutputStream().close();
                byte[] out = v.getInputStream().readNBytes(4096);
                v.waitFor(10, TimeUnit.SECONDS);
                String first = new String(out, StandardCharsets.UTF_8).lines().findFirst().orElse("");
                return first.startsWith("etcd Version: ") ? first.substring("etcd Version: ".length()).trim() : "";
            } finally {
                Children.end(v, 200);
            }
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return "";
        }
    }

    private void awaitHealthy(Duration timeout, Path log) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        URI health = URI.create("http://127.0.0.1:" + clientPort + "/health");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("etcd exited with code " + process.exitValue() + " at start: " + tail(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("true")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for etcd");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for etcd");
            }
        }
        throw new IOException("etcd was not healthy within " + timeout.toSeconds() + " s: " + tail(log));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public String name() {
        return "etcd";
    }

    @Override
    public String description() {
        return "Debian's etcd" + (version.isEmpty() ? "" : " " + version) + " (" + DEBIAN_ETCD
                + ", a stripped Go server) on 127.0.0.1:" + clientPort + ", PID " + pid();
    }

    @Override
    public long pid() {
        return process.pid();
    }

    public int clientPort() {
        return clientPort;
    }

    /** etcd's own CPU profile endpoint (Go's net/http/pprof). */
    public String pprofUrl() {
        return "http://127.0.0.1:" + clientPort + "/debug/pprof/profile";
    }

    @Override
    public Rules rules() {
        return Rules.builtIn("etcd");
    }

    @Override
    public LoadRun startLoad(int clients, Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        List<Thread> threads = new ArrayList<>();
        List<Map<Integer, Long>> counts = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        for (int i = 0; i < clients; i++) {
            Map<Integer, Long> m = new TreeMap<>();
            counts.add(m);
            int seed = i;
            Thread t = new Thread(() -> clientLoop(http, deadline, stop, new SplittableRandom(seed), m), "etcd-load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return () -> {
            stop.set(true);
            for (Thread t : threads) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 10_000));
                t.interrupt();
            }
            DemoLoad.Stats total = DemoLoad.Stats.sum(counts);
            return clients + " HTTP clients (etcd JSON gateway put/range): " + total.requests() + " requests, by status "
                    + total.byStatusText();
        };
    }

    private void clientLoop(HttpClient http, long deadline, AtomicBoolean stop, SplittableRandom rnd, Map<Integer, Long> counts) {
        Base64.Encoder b64 = Base64.getEncoder();
        URI put = URI.create("http://127.0.0.1:" + clientPort + "/v3/kv/put");
        URI range = URI.create("http://127.0.0.1:" + clientPort + "/v3/kv/range");
        byte[] value = new byte[512];
        while (System.nanoTime() < deadline && !stop.get() && !Thread.currentThread().isInterrupted()) {
            String key = "/registry/pods/team-" + rnd.nextInt(5) + "/pod-" + rnd.nextInt(200);
            String body;
            URI uri;
            if (rnd.nextInt(100) < 40) {
                rnd.nextBytes(value);
                body = "{\"key\":\"" + b64.encodeToString(key.getBytes(StandardCharsets.UTF_8))
                        + "\",\"value\":\"" + b64.encodeToString(value) + "\"}";
                uri = put;
            } else {
                // list a "namespace": every key under the prefix, as the apiserver lists pods
                String prefix = key.substring(0, key.lastIndexOf('/') + 1);
                byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
                end[end.length - 1]++;
                body = "{\"key\":\"" + b64.encodeToString(prefix.getBytes(StandardCharsets.UTF_8))
                        + "\",\"range_end\":\"" + b64.encodeToString(end) + "\"}";
                uri = range;
            }
            if (!DemoLoad.sendAndCount(http, HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), counts)) {
                return;
            }
        }
    }

    @Override
    public void close() {
        Children.end(process, 3_000);
        try (Stream<Path> s = Files.walk(dataDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir; nothing more to do
        }
    }
}
