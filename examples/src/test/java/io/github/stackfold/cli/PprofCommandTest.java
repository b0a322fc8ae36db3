package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.perf.NotPermittedException;
import io.github.stackfold.perf.pprof.PprofFetcher;
import io.github.stackfold.testing.GoToolPprof;
import io.github.stackfold.testing.Shared;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PprofCommandTest {
    @TempDir
    Path tmp;

    static CliRun flame(String... args) {
        return CliRun.of(args);
    }

    private static FoldedProfile readFolded(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return FoldedProfile.read(in, file.toString());
        }
    }

    /** A new {@link Certificates} PKI in {@code tmp/NAME}; skips with the reason when openssl is missing. */
    private Path testPki(String name) throws IOException, InterruptedException {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is missing: cannot make test certificates");
        Path pki = Files.createDirectories(tmp.resolve(name));
        Certificates.make(pki);
        return pki;
    }

    @Test
    void fetchesALiveEtcdProfileOverHttpAndWritesItsFoldedStacks() throws Exception {
        Shared.requireThat(Files.isExecutable(LiveEtcd.ETCD), LiveEtcd.ETCD + " is missing (apt-get install etcd-server)");
        Path out = tmp.resolve("results");
        Path heapOut = tmp.resolve("heap-results");
        CliRun run;
        CliRun heap;
        long requests;
        try (LiveEtcd etcd = LiveEtcd.start(tmp.resolve("etcd-data"), List.of(), HttpClient.newHttpClient())) {
            etcd.startLoad(2, Duration.ofSeconds(30));
            run = flame("pprof", "--url", etcd.baseUrl() + "/debug/pprof/profile", "--seconds", "3",
                    "--output-dir", out.toString(), "--keep");
            requests = etcd.requests();
            // a real profile without CPU samples: etcd's heap profile
            heap = flame("pprof", "--url", etcd.baseUrl() + "/debug/pprof/heap", "--seconds", "1",
                    "--output-dir", heapOut.toString());
        }
        assertThat(heap.code()).as(heap.err()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(heap.err()).contains("no sample type 'cpu'").contains("inuse_space/bytes").doesNotContain("\tat ");
        // as flamegraph.pl does on no samples: a graph saying so
        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(heapOut.resolve("flame.svg").toFile());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(requests).isPositive();
        // the profile names its binary: Debian's /usr/bin/etcd
        Path folded = out.resolve("etcd.folded");
        FoldedProfile p = readFolded(folded);
        assertThat(p.total()).isPositive();
        // the put/range requests went through etcd's server code while the profile was taken
        assertThat(p.asMap().keySet()).anyMatch(s -> s.contains("go.etcd.io/etcd/etcdserver"));
        assertThat(p.asMap().keySet()).allMatch(s -> !s.isEmpty() && !s.contains(";;"));
        assertThat(run.err()).contains("wrote " + folded + " and " + out.resolve("flame.svg"));
        // the flame graph: well-formed, one frame per distinct name path, etcd's server code among them
        org.w3c.dom.Document svg = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(out.resolve("flame.svg").toFile());
        org.w3c.dom.NodeList titles = svg.getElementsByTagName("title");
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < titles.getLength(); i++) {
            frames.add(titles.item(i).getTextContent());
        }
        assertThat(frames).anyMatch(t -> t.startsWith("go.etcd.io/etcd/etcdserver") && t.contains(" nanoseconds, "));

        // the same live profile, decoded by Go's own pprof: stack for stack equal
        String go = GoToolPprof.requireGo();
        Path kept = out.resolve("etcd.pb.gz");
        assertThat(kept).exists();
        // a live profile may hold a sample without a location, which go tool pprof leaves out
        assertThat(GoToolPprof.withoutNoStack(p.asMap())).isEqualTo(GoToolPprof.fold(GoToolPprof.raw(go, kept), 1));
    }

    @Test
    void fetchesOverHttpsWithCaAndClientCertificateAndRefusesWithoutOne() throws Exception {
        Shared.requireThat(Files.isExecutable(LiveEtcd.ETCD), LiveEtcd.ETCD + " is missing (apt-get install etcd-server)");
        Path pki = testPki("pki");
        List<String> tls = List.of(
                "--cert-file", pki.resolve("server.crt").toString(),
                "--key-file", pki.resolve("server.key").toString(),
                "--client-cert-auth", "--trusted-ca-file", pki.resolve("ca.crt").toString());
        SSLContext ctx = Certificates.clientContext(pki);
        Path out = tmp.resolve("tls-results");
        CliRun ok;
        CliRun noCert;
        CliRun wrongCa;
        List<String> refusedNot = new ArrayList<>();
        try (LiveEtcd etcd = LiveEtcd.start(tmp.resolve("etcd-tls"), tls, HttpClient.newBuilder().sslContext(ctx).build())) {
            etcd.startLoad(1, Duration.ofSeconds(30));
            String url = etcd.baseUrl() + "/debug/pprof/profile";
            ok = flame("pprof", "--url", url, "--seconds", "2", "--output-dir", out.toString(),
                    "--cacert", pki.resolve("ca.crt").toString(),
                    // the client key in PKCS#1 ("BEGIN RSA PRIVATE KEY"), as kubeadm and kind write it
                    "--cert", pki.resolve("client.crt").toString(), "--key", pki.resolve("client-pkcs1.key").toString());
            noCert = flame("pprof", "--url", url, "--seconds", "1", "--output-dir", out.toString(),
                    "--cacert", pki.resolve("ca.crt").toString());
            wrongCa = flame("pprof", "--url", url, "--seconds", "1", "--output-dir", out.toString(),
                    "--cacert", pki.resolve("other-ca.crt").toString(),
                    "--cert", pki.resolve("client.crt").toString(), "--key", pki.resolve("client.key").toString());
            // the refusal comes after the TLS 1.3 handshake, racing the request: over h2 about 1 in 140
            // ended as a ClosedChannelException (exit 5) or waited out the timeout
            PprofFetcher noCertFetcher = PprofFetcher.builder().url(java.net.URI.create(url)).seconds(1)
                    .caCert(pki.resolve("ca.crt")).grace(Duration.ofSeconds(3)).build();
            for (int i = 0; i < 200; i++) {
                try {
                    noCertFetcher.fetch();
                    refusedNot.add(i + ": a profile");
                } catch (NotPermittedException expected) {
                    // refused, as every time
                } catch (IOException | RuntimeException e) {
                    refusedNot.add(i + ": " + e);
                }
            }
        }
        assertThat(refusedNot).as("fetches without a client certificate not refused, of 200").isEmpty();
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(readFolded(out.resolve("etcd.folded")).total()).isPositive();
        for (CliRun refused : List.of(noCert, wrongCa)) {
            assertThat(refused.code()).as(refused.err()).isEqualTo(ExitCodes.NOT_PERMITTED);
            assertThat(refused.err()).contains("flame: https://127.0.0.1:").contains("TLS").doesNotContain("\tat ");
        }
        assertThat(wrongCa.err().lines().filter(l -> l.startsWith("flame: ")).count()).isEqualTo(1);
    }

    @Test
    void aTlsConnectionResetAfterTheHandshakeIsNotPermittedAndAsksForAClientCertificate() throws Exception {
        // what a TLS 1.3 server requiring a client certificate may look like to a client without one
        // (etcd, above, now and then): the handshake completes, then the connection is reset while
        // the request goes out, before the server's alert is read. That was 'Connection reset', exit 5.
        Path pki = testPki("pki-reset");
        SSLContext server = Certificates.serverContext(pki);
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            Thread resetter = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (java.net.Socket plain = listener.accept()) {
                        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) server.getSocketFactory()
                                .createSocket(plain, null, plain.getPort(), false);
                        tls.setUseClientMode(false);
                        tls.startHandshake();
                        plain.setSoLinger(true, 0); // closed with a reset, without a TLS close
                    } catch (IOException e) {
                        // the listener closed
                    }
                }
            });
            resetter.setDaemon(true);
            resetter.start();
            CliRun r = flame("pprof", "--url", "https://127.0.0.1:" + listener.getLocalPort() + "/debug/pprof/profile",
                    "--seconds", "1", "--output-dir", tmp.resolve("reset").toString(),
                    "--cacert", pki.resolve("ca.crt").toString());
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.NOT_PERMITTED);
            assertThat(r.err()).contains("the server reset the TLS connection").contains("give --cert and --key")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void asksForHttp11AloneNotH2() throws Exception {
        // the deterministic half of the loop above: the offer the JDK's client makes by ALPN in its
        // ClientHello, as a TLS server of the test's own sees it (no ALPN extension at all: 'none')
        Path pki = testPki("pki-alpn");
        SSLContext server = Certificates.serverContext(pki);
        List<String> offers = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (javax.net.ssl.SSLServerSocket listener = (javax.net.ssl.SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) listener.accept()) {
                    List<String> seen = new ArrayList<>(List.of("none"));
                    tls.setHandshakeApplicationProtocolSelector((socket, protocols) -> {
                        seen.clear();
                        seen.addAll(protocols);
                        return protocols.contains("http/1.1") ? "http/1.1" : null;
                    });
                    tls.startHandshake();
                    offers.add(String.join(",", seen));
                    // an answer, so the client ends at once
                    tls.getOutputStream().write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    offers.add("failed: " + e);
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            CliRun r = flame("pprof", "--url", "https://127.0.0.1:" + listener.getLocalPort() + "/debug/pprof/profile",
                    "--seconds", "1", "--output-dir", tmp.resolve("alpn").toString(),
                    "--cacert", pki.resolve("ca.crt").toString());
            acceptor.join(10_000);
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.NO_TARGET);
            assertThat(r.err()).contains("HTTP 404");
        }
        assertThat(offers).hasSize(1);
        assertThat(offers.get(0)).doesNotContain("h2").doesNotStartWith("failed");
    }

    @Test
    void sendsTheBearerTokenAndReportsARefusedOneAsNotPermitted() throws Exception {
        // a stub of the apiserver's token check (there is no cluster here) serving a real apiserver profile
        byte[] profile = Files.readAllBytes(Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb"));
        List<String> queries = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer stub = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/debug/pprof/profile", ex -> {
            queries.add(ex.getRequestURI().getRawQuery());
            boolean ok = "Bearer s3cret".equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = ok ? profile : "{\"kind\":\"Status\",\"message\":\"Unauthorized\"}\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(ok ? 200 : 401, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        stub.start();
        try {
            String url = "http://127.0.0.1:" + stub.getAddress().getPort() + "/debug/pprof/profile";
            Path tokenFile = Files.writeString(tmp.resolve("token"), "s3cret\n");
            CliRun ok = flame("pprof", "--url", url, "--seconds", "2", "--token-file", tokenFile.toString(),
                    "--output-dir", tmp.resolve("ok").toString());
            CliRun refused = flame("pprof", "--url", url, "--seconds", "2", "--token", "wrong",
                    "--output-dir", tmp.resolve("refused").toString());
            assertThat(ok.code()).as(ok.err()).isZero();
            assertThat(readFolded(tmp.resolve("ok/kube-apiserver.folded")).total()).isEqualTo(1_990_000_000L);
            assertThat(refused.code()).isEqualTo(ExitCodes.NOT_PERMITTED);
            assertThat(refused.err()).contains("HTTP 401").doesNotContain("wrong").doesNotContain("\tat ");
            assertThat(queries).containsOnly("seconds=2");
        } finally {
            stub.stop(0);
        }
    }

    @Test
    void aServerThatIsNotThereIsAOneLineError() throws Exception {
        int port = LiveEtcd.freePort();
        CliRun r = flame("pprof", "--url", "http://127.0.0.1:" + port + "/debug/pprof/profile", "--seconds", "1",
                "--output-dir", tmp.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.NO_TARGET);
        assertThat(r.err()).contains("flame: http://127.0.0.1:" + port + "/debug/pprof/profile?seconds=1: cannot connect")
                .doesNotContain("\tat ");
    }

    @Test
    void urlAndKubectlAreExclusiveAndTheUrlMustBeHttp() {
        assertThat(flame("pprof", "--url", "http://127.0.0.1:1/debug/pprof/profile", "--kubectl").code())
                .isEqualTo(ExitCodes.USAGE);
        assertThat(flame("pprof").code()).isEqualTo(ExitCodes.USAGE);
        CliRun ftp = flame("pprof", "--url", "ftp://127.0.0.1/debug/pprof/profile");
        assertThat(ftp.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(ftp.err()).contains("expected an http:// or https:// URL");
        assertThat(flame("pprof", "--kubectl", "--token", "x").code()).isEqualTo(ExitCodes.USAGE);
    }

    /** Test PKI made with openssl: a CA, a server certificate for 127.0.0.1, a client certificate, another CA. */
    static final class Certificates {
        static void make(Path dir) throws IOException, InterruptedException {
            openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
                    "-keyout", "ca.key", "-out", "ca.crt");
            openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=other-ca",
                    "-keyout", "other-ca.key", "-out", "other-ca.crt");
            Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
            Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
            for (String who : new String[] {"server", "client"}) {
                openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + who,
                        "-keyout", who + ".key", "-out", who + ".csr");
                openssl(dir, "x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                        "-CAcreateserial", "-days", "2", "-extfile", who + ".ext", "-out", who + ".crt");
            }
            openssl(dir, "rsa", "-in", "client.key", "-traditional", "-out", "client-pkcs1.key");
            assertThat(Files.readString(dir.resolve("client-pkcs1.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
            assertThat(Files.readString(dir.resolve("client.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        }

        /** A server context with server.crt, for a TLS server of the test's own. */
        static SSLContext serverContext(Path dir) throws Exception {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keyManagers(dir, "server"), null, null);
            return ctx;
        }

        /** The key managers of WHO.crt and WHO.key, through a keytool-free PKCS12 made by openssl. */
        private static javax.net.ssl.KeyManager[] keyManagers(Path dir, String who) throws Exception {
            openssl(dir, "pkcs12", "-export", "-in", who + ".crt", "-inkey", who + ".key", "-passout", "pass:test",
                    "-out", who + ".p12");
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve(who + ".p12"))) {
                ks.load(in, "test".toCharArray());
            }
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
            kmf.init(ks, "test".toCharArray());
            return kmf.getKeyManagers();
        }

        /** The test's own client context (for etcd's readiness check and load). */
        static SSLContext clientContext(Path dir) throws Exception {
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(dir.resolve("ca.crt"))) {
                trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(in));
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keyManagers(dir, "client"), tmf.getTrustManagers(), null);
            return ctx;
        }

        private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
            List<String> argv = new ArrayList<>(List.of("/usr/bin/openssl"));
            argv.addAll(List.of(args));
            Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("openssl.log").toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IOException("openssl " + args[0] + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new IOException("openssl " + String.join(" ", args) + " failed: "
                        + Files.readString(dir.resolve("openssl.log")));
            }
        }
    }
}
