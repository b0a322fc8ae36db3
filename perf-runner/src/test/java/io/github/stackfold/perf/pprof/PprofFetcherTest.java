package io.github.stackfold.perf.pprof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.testing.Shared;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PprofFetcherTest {
    @TempDir
    Path tmp;

    @Test
    void appendsSecondsToTheQueryOrReplacesIt() {
        assertThat(PprofFetcher.withSeconds(URI.create("https://10.0.0.1:6443/debug/pprof/profile"), 30))
                .hasToString("https://10.0.0.1:6443/debug/pprof/profile?seconds=30");
        assertThat(PprofFetcher.withSeconds(URI.create("http://h/debug/pprof/profile?debug=0"), 5))
                .hasToString("http://h/debug/pprof/profile?debug=0&seconds=5");
        assertThat(PprofFetcher.withSeconds(URI.create("http://h/debug/pprof/profile?seconds=1&x=%20y#frag"), 5))
                .hasToString("http://h/debug/pprof/profile?seconds=5&x=%20y");
        assertThat(PprofFetcher.withSeconds(URI.create("http://h/p?nanoseconds=1"), 2))
                .hasToString("http://h/p?nanoseconds=1&seconds=2");
    }

    @Test
    void kubectlModeIsAnArgumentListWithTheSecondsInThePath() {
        PprofFetcher f = PprofFetcher.builder().kubectl().seconds(12).build();
        assertThat(f.command()).containsExactly("kubectl", "get", "--raw", "/debug/pprof/profile?seconds=12");
        assertThat(f.url()).isNull();
    }

    @Test
    void atAReplicaReplacesTheUrlsHostAndPortOrGivesKubectlTheServerAndTheCertificatesName() {
        PprofFetcher url = PprofFetcher.builder().url(URI.create("https://10.0.0.1:6443/debug/pprof/profile?debug=0"))
                .seconds(5).build();
        assertThat(url.at("10.0.0.3", 6443).url())
                .hasToString("https://10.0.0.3:6443/debug/pprof/profile?debug=0&seconds=5");
        assertThat(url.url()).as("the template is unchanged").hasToString("https://10.0.0.1:6443/debug/pprof/profile?debug=0&seconds=5");
        PprofFetcher kubectl = PprofFetcher.builder().kubectl(List.of("kubectl", "--context", "prod")).seconds(5).build();
        assertThat(kubectl.at("10.0.0.3", 6443).command()).containsExactly("kubectl", "--context", "prod",
                "--server", "https://10.0.0.3:6443", "--tls-server-name", "kubernetes",
                "get", "--raw", "/debug/pprof/profile?seconds=5");
        assertThat(kubectl.toBuilder().tlsServerName("api.prod").build().at("10.0.0.3", 6443).command())
                .containsSequence("--tls-server-name", "api.prod");
        assertThatThrownBy(() -> PprofFetcher.builder().url(URI.create("http://h/")).server(URI.create("https://x")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--server");
    }

    @Test
    void rejectsNonHttpUrlsAndCredentialsWithKubectl() {
        assertThatThrownBy(() -> PprofFetcher.builder().url(URI.create("file:///etc/passwd")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PprofFetcher.builder().kubectl().token("t").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PprofFetcher.builder().url(URI.create("http://h/")).clientCertificate(Path.of("c"), null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PprofFetcher.builder().kubectl().seconds(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsPkcs8Pkcs1AndSec1KeysMadeByOpenssl() throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is missing");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa8.key");
        openssl("rsa", "-in", "rsa8.key", "-traditional", "-out", "rsa1.key");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec1.key");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "ec1.key", "-out", "ec8.key");
        openssl("genpkey", "-algorithm", "ed25519", "-out", "ed.key");
        assertThat(Files.readString(tmp.resolve("rsa1.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Files.readString(tmp.resolve("ec1.key"))).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(Pem.privateKey(tmp.resolve("rsa8.key")).getAlgorithm()).isEqualTo("RSA");
        assertThat(Pem.privateKey(tmp.resolve("rsa1.key")).getEncoded())
                .isEqualTo(Pem.privateKey(tmp.resolve("rsa8.key")).getEncoded());
        assertThat(Pem.privateKey(tmp.resolve("ec1.key")).getAlgorithm()).isEqualTo("EC");
        assertThat(Pem.privateKey(tmp.resolve("ec1.key")).getEncoded()).isNotEmpty();
        assertThat(Pem.privateKey(tmp.resolve("ec8.key")).getAlgorithm()).isEqualTo("EC");
        assertThat(Pem.privateKey(tmp.resolve("ed.key")).getAlgorithm()).isIn("Ed25519", "EdDSA");
    }

    @Test
    void aFileWithoutAKeyOrCertificateIsBadInputNamingIt() throws Exception {
        Path junk = Files.writeString(tmp.resolve("junk.pem"), "hello\n");
        assertThatThrownBy(() -> Pem.privateKey(junk)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(junk + ": expected a PEM private key");
        assertThatThrownBy(() -> Pem.certificates(junk)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(junk + ": expected a PEM certificate");
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of("/usr/bin/openssl"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("openssl.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new IOException("openssl did not finish");
        }
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve("openssl.log"))).isZero();
    }
}
