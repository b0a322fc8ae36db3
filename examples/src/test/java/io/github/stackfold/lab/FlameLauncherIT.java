package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The {@code flame} launcher, run as a user runs it: its JVM options leave standard output to the
 * command, and {@code FLAME_JAVA_OPTS} reaches the JVM after them (so a user's {@code -Xmx} wins).
 */
class FlameLauncherIT {
    private static final Path ROOT = Shared.repoRoot();

    private static FlameProcess.Result launcher(Map<String, String> env, String... args) throws Exception {
        FlameProcess.jar(); // skips with a reason when flame.jar is not built
        List<String> cmd = new ArrayList<>();
        cmd.add(ROOT.resolve("flame").toString());
        cmd.addAll(List.of(args));
        return FlameProcess.runCommand(cmd, env, 120);
    }

    @Test
    void theLaunchersStandardOutputIsTheCollapseAlone() throws Exception {
        Path input = Shared.path("conformance/collapse-perf/inputs/example-perf-stacks.txt");
        Path expected = Shared.path("conformance/collapse-perf/expected/example-perf-stacks--default.txt");
        for (String threads : new String[] {"1", "2"}) {
            FlameProcess.Result r = launcher(Map.of(), "collapse", "--threads", threads, input.toString());
            assertThat(r.code()).as(r.stderr()).isZero();
            assertThat(r.stdout()).as("--threads %s", threads).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
        }
    }

    @Test
    void flameJavaOptsComeAfterTheLaunchersOwnAndWin() throws Exception {
        launcher(Map.of(), "--version"); // the launcher rebuilds flame.jar first when a source is newer, and says so on stderr
        FlameProcess.Result r = launcher(Map.of("FLAME_JAVA_OPTS", "-XX:+PrintFlagsFinal -Xmx256m -XX:TieredStopAtLevel=4"), "--version");
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(r.stderr()).isEmpty();
        String flags = r.stdout();
        assertThat(flags.lines().filter(l -> l.contains(" MaxHeapSize ")).findFirst().orElseThrow()).contains("= " + 256L * 1024 * 1024);
        assertThat(flags.lines().filter(l -> l.contains(" TieredStopAtLevel ")).findFirst().orElseThrow()).contains("= 4");
        assertThat(flags.lines().filter(l -> l.contains(" UseSerialGC ")).findFirst().orElseThrow()).contains("= true");
        assertThat(flags).contains("flame ");
    }
}
