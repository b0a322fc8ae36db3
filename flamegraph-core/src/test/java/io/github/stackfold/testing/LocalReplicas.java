package io.github.stackfold.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * Stand-ins for the replicas of an HA control plane, for tests: one local HTTP or HTTPS server per
 * replica, on 127.0.0.1, 127.0.0.2, ... and one port (as apiservers share 6443 on their own IPs),
 * each serving a real kube-apiserver CPU profile from {@code shared/real/kube-apiserver-pprof},
 * gzipped as Go serves it, at {@code /debug/pprof/profile}, and {@code {"gitVersion":"v1.31.N"}} at
 * {@code /version}. A profile request is answered only once every replica has one open (or after
 * 20 s, with a 500 saying the fetches were not concurrent). A replica can be made to answer 403 as
 * an apiserver does for a user without the RBAC rule.
 *
 * <p>Also writes a <b>stub</b> {@code kubectl} (there is no cluster here): {@code get endpointslices}
 * prints an EndpointSliceList naming the servers; {@code --server URL --tls-server-name NAME get --raw
 * PATH} fetches PATH from that server with curl, checking its certificate against NAME as kubectl
 * does, and turns a 403 into kubectl's message and exit code 1. Every call's arguments are appended
 * to {@code kubectl-args.txt}, one call per line.
 */
public final class LocalReplicas implements AutoCloseable {
    public static final String PROFILE = "real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb";
    public static final String ALONE = "real/kube-apiserver-pprof/kubeapiserver_alone_cpu_profile.pb";

    public final Path dir;
    public final boolean https;
    public final List<Path> served = new ArrayList<>();
    public final List<HttpServer> servers = new ArrayList<>();
    public final Map<String, String> queries = new ConcurrentHashMap<>();
    public final Map<String, String> authorization = new ConcurrentHashMap<>();
    public int port;
    private final CountDownLatch allOpen;

    private LocalReplicas(Path dir, boolean https, int n) {
        this.dir = dir;
        this.https = https;
        this.allOpen = new CountDownLatch(n);
    }

    /**
     * {@code profiles.size()} replicas, replica i serving {@code profiles.get(i)} (a path below
     * shared/, or an absolute path); {@code forbidden} lists the replicas (0-based) that answer 403.
     */
    public static LocalReplicas start(Path dir, boolean https, List<String> profiles, List<Integer> forbidden)
            throws Exception {
        LocalReplicas r = new LocalReplicas(Files.createDirectories(dir), https, profiles.size() - forbidden.size());
        SSLContext tls = https ? r.pki() : null;
        for (int attempt = 0; ; attempt++) {
            try {
                r.bind(profiles, forbidden, tls);
                return r;
            } catch (BindException e) {
                // the port was free on 127.0.0.1 but not on another loopback address: try another
                r.stopServers();
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private void bind(List<String> profiles, List<Integer> forbidden, SSLContext tls) throws IOException {
        port = 0;
        for (int i = 0; i < profiles.size(); i++) {
            Path profile = Path.of(profiles.get(i)).isAbsolute() ? Path.of(profiles.get(i)) : Shared.path(profiles.get(i));
            served.add(profile);
            InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(address(i)), port);
            HttpServer s;
            if (tls != null) {
                HttpsServer hs = HttpsServer.create(at, 16);
                hs.setHttpsConfigurator(new HttpsConfigurator(tls));
                s = hs;
            } else {
                s = HttpServer.create(at, 16);
            }
            port = s.getAddress().getPort();
            String instance = address(i) + ":" + port;
            byte[] gz = gzip(Files.readAllBytes(profile));
            boolean refuse = forbidden.contains(i);
            String version = "{\"major\":\"1\",\"minor\":\"31\",\"gitVersion\":\"v1.31." + (i + 1) + "\"}";
            s.createContext("/debug/pprof/profile", ex -> {
                queries.put(instance, String.valueOf(ex.getRequestURI().getRawQuery()));
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                if (auth != null) {
                    authorization.put(instance, auth);
                }
                if (refuse) {
                    send(ex, 403, ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
                            + "\"forbidden: User \\\"dev\\\" cannot get path \\\"/debug/pprof/profile\\\"\","
                            + "\"reason\":\"Forbidden\",\"code\":403}").getBytes(StandardCharsets.UTF_8));
                    return;
                }
                allOpen.countDown();
                try {
                    if (!allOpen.await(20, TimeUnit.SECONDS)) {
                        send(ex, 500, "the replicas were not asked at the same time".getBytes(StandardCharsets.UTF_8));
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                send(ex, 200, gz);
            });
            s.createContext("/version", ex -> send(ex, 200, version.getBytes(StandardCharsets.UTF_8)));
            s.setExecutor(Executors.newCachedThreadPool());
            servers.add(s);
            s.start();
        }
    }

    public static String address(int i) {
        return "127.0.0." + (i + 1);
    }

    public String instance(int i) {
        return address(i) + ":" + port;
    }

    /** The URL of replica 0's profile endpoint. */
    public String url() {
        return (https ? "https" : "http") + "://" + address(0) + ":" + port + "/debug/pprof/profile";
    }

    public Path ca() {
        return dir.resolve("ca.crt");
    }

    /** An EndpointSliceList naming every replica, ready, on the servers' port. */
    public String endpointSlices() {
        StringBuilder eps = new StringBuilder();
        for (int i = 0; i < servers.size(); i++) {
            eps.append(i == 0 ? "" : ",").append("{\"addresses\":[\"").append(address(i))
                    .append("\"],\"conditions\":{\"ready\":true,\"serving\":true,\"terminating\":false}}");
        }
        return "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"discovery.k8s.io/v1\","
                + "\"kind\":\"EndpointSlice\",\"addressType\":\"IPv4\",\"metadata\":{\"name\":\"kubernetes\","
                + "\"namespace\":\"default\",\"labels\":{\"kubernetes.io/service-name\":\"kubernetes\"}},"
                + "\"endpoints\":[" + eps + "],\"ports\":[{\"name\":\"https\",\"port\":" + port
                + ",\"protocol\":\"TCP\"}]}]}";
    }

    /** Writes the stub kubectl (see the class comment) and returns its path. */
    public Path stubKubectl() throws IOException {
        Files.writeString(dir.resolve("endpointslices.json"), endpointSlices());
        Path kubectl = dir.resolve("kubectl");
        String scheme = https ? "https" : "http";
        Files.writeString(kubectl, "#!/bin/sh\n"
                + "# stub kubectl for tests: there is no cluster here\n"
                + "echo \"$*\" >> '" + dir.resolve("kubectl-args.txt") + "'\n"
                + "server=''; name=''\n"
                + "while [ $# -gt 0 ]; do\n"
                + "  case \"$1\" in\n"
                + "    --server) server=\"$2\"; shift 2;;\n"
                + "    --tls-server-name) name=\"$2\"; shift 2;;\n"
                + "    get) shift; break;;\n"
                + "    *) shift;;\n"
                + "  esac\n"
                + "done\n"
                + "if [ \"$1\" = endpointslices ]; then exec cat '" + dir.resolve("endpointslices.json") + "'; fi\n"
                + "[ \"$1\" = --raw ] || { echo \"stub kubectl: unexpected: $*\" >&2; exit 2; }\n"
                + "path=\"$2\"\n"
                + "hostport=\"${server#*://}\"\n"
                + "host=\"${hostport%:*}\"; port=\"${hostport##*:}\"\n"
                + "out=$(mktemp)\n"
                + (https
                        ? "code=$(curl -sS --cacert '" + ca() + "' --connect-to \"$name:$port:$host:$port\" -o \"$out\" "
                                + "-w '%{http_code}' \"https://$name:$port$path\")\n"
                        : "code=$(curl -sS -o \"$out\" -w '%{http_code}' \"" + scheme + "://$host:$port$path\")\n")
                + "rc=$?\n"
                + "if [ $rc -ne 0 ]; then rm -f \"$out\"; echo \"Unable to connect to the server: curl exit $rc\" >&2; exit 1; fi\n"
                + "case \"$code\" in\n"
                + "  200) cat \"$out\"; rm -f \"$out\"; exit 0;;\n"
                + "  403) rm -f \"$out\"; echo \"Error from server (Forbidden): forbidden: User \\\"dev\\\" cannot get path \\\"${path%%\\?*}\\\"\" >&2; exit 1;;\n"
                + "  *) echo \"Error from server: HTTP $code: $(head -c 200 \"$out\")\" >&2; rm -f \"$out\"; exit 1;;\n"
                + "esac\n");
        Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));
        return kubectl;
    }

    public List<String> kubectlCalls() throws IOException {
        Path f = dir.resolve("kubectl-args.txt");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
            gz.write(data);
        }
        return b.toByteArray();
    }

    /** A CA and a server certificate for "kubernetes" and 127.0.0.1-3, made by openssl; the server's context. */
    private SSLContext pki() throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is missing: cannot make test certificates");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
                "-keyout", "ca.key", "-out", "ca.crt");
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:kubernetes,IP:127.0.0.1,IP:127.0.0.2,"
                + "IP:127.0.0.3\nextendedKeyUsage=serverAuth\n");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kube-apiserver", "-keyout", "server.key",
                "-out", "server.csr");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "server.ext", "-out", "server.crt");
        openssl("pkcs12", "-export", "-in", "server.crt", "-inkey", "server.key", "-passout", "pass:test",
                "-out", "server.p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            ks.load(in, "test".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, "test".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("/usr/bin/openssl"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + Files.readString(dir.resolve("openssl.log")));
        }
    }

    private void stopServers() {
        for (HttpServer s : servers) {
            s.stop(0);
            if (s.getExecutor() instanceof java.util.concurrent.ExecutorService e) {
                e.shutdownNow();
            }
        }
        servers.clear();
        served.clear();
    }

    @Override
    public void close() {
        stopServers();
    }
}
