package io.github.stackfold.flamegraph.symbolize;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding a process's binary once the process has exited, with a real process (a copy of sleep). */
class BinaryLocatorTest {

    @Test
    void anExitedProcessIsFoundAtItsPathOnlyWhileTheFileThereIsTheOneItRan(@TempDir Path dir) throws Exception {
        Path sleep = Path.of("/usr/bin/sleep");
        Shared.requireThat(Files.isExecutable(sleep) && Files.isDirectory(Path.of("/proc/self")), "no /usr/bin/sleep or /proc");
        Path copy = dir.resolve("sleepy");
        Files.copy(sleep, copy);
        Process p = new ProcessBuilder(copy.toString(), "30").start();
        BinaryLocator locator;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/exe")).equals(copy)) {
                assertThat(System.nanoTime()).as("exec of the copy").isLessThan(deadline);
                Thread.sleep(10);
            }
            locator = BinaryLocator.processOrModulePath(Path.of("/proc"), p.pid());
            assertThat(locator.locate(copy.toString())).isEqualTo(Path.of("/proc/" + p.pid() + "/exe"));
        } finally {
            p.destroyForcibly();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.exists(Path.of("/proc/" + p.pid()))).as("the process is gone").isFalse();
        assertThat(BinaryLocator.process(p.pid()).locate(copy.toString())).as("through /proc: nothing").isNull();
        assertThat(locator.locate(copy.toString())).as("at the path perf recorded").isEqualTo(copy);
        assertThat(locator.locate(copy + " (deleted)")).isEqualTo(copy);
        assertThat(locator.locate(sleep.toString())).as("another module at its path").isEqualTo(sleep);
        assertThat(locator.locate(dir.resolve("missing").toString())).isNull();
        assertThat(BinaryLocator.processOrModulePath(Path.of("/proc"), p.pid()).locate(copy.toString()))
                .as("made after the exit: whose root it had is unknown").isNull();

        // replaced since the process started (a new file at the same path): not the binary it ran
        Path tmp = dir.resolve("sleepy.new");
        Files.copy(sleep, tmp);
        Files.move(tmp, copy, StandardCopyOption.REPLACE_EXISTING);
        assertThat(locator.locate(copy.toString())).isNull();
    }
}
