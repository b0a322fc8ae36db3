package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flame analyze} as a user runs it: the built flame.jar in its own process, its class path only. */
class AnalyzeIT {
    record Result(int code, String out, String err) {
    }

    static Result flameJar(String... args) throws Exception {
        Path jar = Shared.repoRoot().resolve("examples/target/flame.jar");
        Shared.requireThat(Files.exists(jar), jar + " is not built (mvn package)");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        try {
            p.getOutputStream().close();
            var err = new java.io.ByteArrayOutputStream();
            Thread t = new Thread(() -> {
                try {
                    p.getErrorStream().transferTo(err);
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            });
            t.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("flame finished").isTrue();
            t.join(5000);
            return new Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void yamlRulesWorkFromTheShippedJar(@TempDir Path dir) throws Exception {
        Path pb = Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb");
        Path rules = dir.resolve("tls-only.yaml");
        Files.writeString(rules, "name: tls-only\ncategories:\n  - name: tls\n    prefixes: [\"crypto/tls.\"]\n");
        Result r = flameJar("analyze", "--json", "--rules", rules.toString(), pb.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"rules\" : \"tls-only\"").contains("\"samples\" : 199");
    }
}
