package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.GoToolPprof;
import io.github.stackfold.testing.Shared;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame pprof --kubectl} run as a real process (the shaded {@code flame.jar}) with a <b>stub</b>
 * {@code kubectl} first on its PATH: there is no Kubernetes cluster here. The stub records its
 * arguments, one per line, and prints a real kube-apiserver profile, gzipped as the apiserver serves it.
 */
class PprofKubectlIT {
    private static final String PROFILE = "real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb";

    @TempDir
    Path tmp;

    private record Run(int code, String err) {
    }

    private Path stub(String name, String body) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Path kubectl = dir.resolve("kubectl");
        Files.writeString(kubectl, "#!/bin/sh\n# stub kubectl for tests: there is no cluster here\n" + body);
        Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    private Run flame(Path pathFirst, String... args) throws IOException, InterruptedException {
        return flameWithPath(pathFirst + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), args);
    }

    private Run flameWithPath(String path, String... args) throws IOException, InterruptedException {
        String jar = System.getProperty("stackfold.flameJar", "target/flame.jar");
        Shared.requireThat(Files.exists(Path.of(jar)), jar + " is not built (run mvn package first)");
        List<String> argv = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(tmp.resolve("stderr.txt").toFile());
        pb.environment().put("PATH", path);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("flame did not finish in 120 s");
        }
        return new Run(p.exitValue(), Files.readString(tmp.resolve("stderr.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void kubectlModeRunsKubectlGetRawAsAnArgumentListAndFoldsWhatItPrints() throws Exception {
        Path profile = Shared.path(PROFILE);
        Path argsFile = tmp.resolve("args.txt");
        Path stubDir = stub("ok", "printf '%s\\n' \"$@\" > '" + argsFile + "'\n"
                + "exec gzip -c '" + profile + "'\n");
        Path out = tmp.resolve("results");
        Run r = flame(stubDir, "pprof", "--kubectl", "--seconds", "7", "--output-dir", out.toString(), "--keep");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readAllLines(argsFile)).containsExactly("get", "--raw", "/debug/pprof/profile?seconds=7");

        FoldedProfile folded;
        try (InputStream in = Files.newInputStream(out.resolve("kube-apiserver.folded"))) {
            folded = FoldedProfile.read(in, "kube-apiserver.folded");
        }
        // truth from Go's own decoder of the same file
        String go = GoToolPprof.requireGo();
        assertThat(folded.asMap()).isEqualTo(GoToolPprof.fold(GoToolPprof.raw(go, profile), 1));
        assertThat(out.resolve("kube-apiserver.pb.gz")).exists();
    }

    @Test
    void kubectlRefusingIsAOneLineErrorQuotingIt() throws Exception {
        Path stubDir = stub("forbidden", "echo 'Error from server (Forbidden): forbidden: User \"dev\" cannot get path "
                + "\"/debug/pprof/profile\"' >&2\nexit 1\n");
        Run r = flame(stubDir, "pprof", "--kubectl", "--seconds", "1", "--output-dir", tmp.resolve("x").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.NOT_PERMITTED);
        assertThat(r.err()).contains("flame: kubectl get --raw /debug/pprof/profile?seconds=1 failed: Error from server (Forbidden)")
                .doesNotContain("\tat ");
    }

    @Test
    void kubectlMissingIsAOneLineErrorSayingSo() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Run r = flameWithPath(empty.toString(), "pprof", "--kubectl", "--seconds", "1", "--output-dir",
                tmp.resolve("y").toString());
        String err = r.err();
        assertThat(r.code()).as(err).isEqualTo(ExitCodes.MISSING_TOOL);
        assertThat(err).contains("flame: kubectl is not installed or not on the PATH").doesNotContain("\tat ");
    }
}
