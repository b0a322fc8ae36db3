package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The lab's scripts parse under {@code bash -n} and explain themselves; running them for real on
 * recordings is {@code LabScriptsIT} (it needs the built flame.jar).
 */
class LabScriptsTest {

    @ParameterizedTest
    @ValueSource(strings = {"scripts/profile-apiserver.sh", "scripts/generate-flamegraph.sh"})
    void parsesUnderBashNoExec(String script) throws Exception {
        Path file = Shared.repoRoot().resolve(script);
        assertThat(Files.isExecutable(file)).as(script + " is executable").isTrue();
        Result r = run(List.of("bash", "-n", file.toString()));
        assertThat(r.stderr).isEmpty();
        assertThat(r.code).isZero();
    }

    @Test
    void generateFlamegraphWithoutInputPrintsUsageAndExits64() throws Exception {
        Result r = run(List.of(Shared.repoRoot().resolve("scripts/generate-flamegraph.sh").toString()));
        assertThat(r.code).isEqualTo(64);
        assertThat(r.stderr).contains("Usage: scripts/generate-flamegraph.sh INPUT");
    }

    record Result(int code, String stderr) {
    }

    static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            p.getOutputStream().close();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return new Result(p.exitValue(), err);
        } finally {
            p.destroyForcibly();
        }
    }
}
