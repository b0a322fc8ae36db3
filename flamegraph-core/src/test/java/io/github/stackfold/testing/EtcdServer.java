package io.github.stackfold.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's etcd ({@code /usr/bin/etcd}, a stripped Go server) on 127.0.0.1 with free ports and a
 * temporary data folder, and a bounded {@code etcdctl put/get} load. {@link #close()} kills the server
 * and the load and deletes the data; use it in a finally block or {@code @AfterAll}.
 */
public final class EtcdServer implements AutoCloseable {
    public static final Path ETCD = Path.of("/usr/bin/etcd");
    public static final Path ETCDCTL = Path.of("/usr/bin/etcdctl");

    private final Path dir;
    private final Process process;
    private final String endpoint;
    private final List<Thread> loaders = new ArrayList<>();
    private volatile boolean stopLoad;

    private EtcdServer(Path dir, Process process, String endpoint) {
        this.dir = dir;
        this.process = process;
        this.endpoint = endpoint;
    }

    /** Starts etcd and waits until it answers, or skips the test when etcd/etcdctl are not installed. */
    public static EtcdServer start() throws IOException, InterruptedException {
        Shared.requireThat(Files.isExecutable(ETCD) && Files.isExecutable(ETCDCTL),
                "etcd or etcdctl missing (apt-get install etcd-server etcd-client)");
        Path dir = Files.createTempDirectory("stackfold-etcd");
        int client = freePort();
        int peer = freePort();
        String clientUrl = "http://127.0.0.1:" + client;
        String peerUrl = "http://127.0.0.1:" + peer;
        Process p = new ProcessBuilder(ETCD.toString(), "--name", "t", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "t=" + peerUrl, "--log-level", "error")
                .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
        EtcdServer s = new EtcdServer(dir, p, "127.0.0.1:" + client);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("etcd exited: " + Files.readString(dir.resolve("etcd.log")));
                }
                if (s.ctl("put", "ready", "1") == 0) {
                    return s;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("etcd did not answer within 60 s");
                }
                Thread.sleep(200);
            }
        } catch (RuntimeException | InterruptedException e) {
            s.close();
            throw e;
        }
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Starts {@code threads} load loops of etcdctl put and get (1 KiB values, a range read every tenth
     * round), each ending after {@code maxRounds} rounds or {@code seconds}, whichever comes first.
     */
    public void load(int threads, int maxRounds, int seconds) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String value = "v".repeat(1024);
        AtomicInteger failures = new AtomicInteger();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                for (int i = 0; i < maxRounds && !stopLoad && System.nanoTime() < end; i++) {
                    String key = "k/" + id + "/" + (i % 50);
                    int rc = ctl("put", key, value) | ctl("get", key);
                    if (i % 10 == 0) {
                        rc |= ctl("get", "--prefix", "k/");
                    }
                    if (rc != 0) {
                        failures.incrementAndGet();
                    }
                }
            }, "etcd-load-" + t);
            th.setDaemon(true);
            th.start();
            loaders.add(th);
        }
    }

    private int ctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ETCDCTL.toString(), "--endpoints", endpoint,
                "--dial-timeout", "5s", "--command-timeout", "5s"));
        cmd.addAll(List.of(args));
        Process p = null;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("ETCDCTL_API", "3");
            p = pb.start();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    @Override
    public void close() {
        stopLoad = true;
        for (Thread t : loaders) {
            try {
                t.join(20_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        GoPrograms.deleteTree(dir);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
