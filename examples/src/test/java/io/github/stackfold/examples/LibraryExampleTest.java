package io.github.stackfold.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibraryExampleTest {

    @Test
    void readmeExampleRendersARealApiserverProfileAndPrintsAuthShares(@TempDir Path tmp) throws Exception {
        Path pb = Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb");
        Path svg = tmp.resolve("flame.svg");
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            LibraryExample.main(new String[] {pb.toString(), svg.toString()});
        } finally {
            System.setOut(old);
        }
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertThat(Files.readString(svg)).contains("k8s.io/apiserver");
        // 9 of 199 samples have an authentication frame (go tool pprof -traces, counted by hand; see
        // ApiserverProfilesTest), 1 of 199 an authorization frame; the margins are Wilson's for 199 samples
        assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("authentication +4\\.5% ±3\\.0 +4\\.5% ±3\\.0")
                .containsPattern("authorization +0\\.5% ±1\\.4");
    }

    @Test
    void runWithoutArgumentsSaysHowToRunItInsteadOfAnIndexOutOfBoundsTrace() throws Exception {
        // as its javadoc says to run it: a JVM of its own (the exit code is the process's)
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LibraryExample.class.getName())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isEqualTo(64);
        assertThat(out).isEmpty();
        assertThat(err).isEqualTo("usage: java -cp examples/target/flame.jar io.github.stackfold.examples.LibraryExample"
                + " PROFILE OUT.svg\n");
    }
}
