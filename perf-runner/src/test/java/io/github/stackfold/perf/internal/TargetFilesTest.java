package io.github.stackfold.perf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.perf.ExecTarget;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetFilesTest {
    private final TargetFiles local = TargetFiles.of(ExecTarget.local(), Duration.ofSeconds(5), Duration.ofSeconds(5));

    @Test
    void removeTreeRemovesNestedFilesButNotWhatALinkPointsTo(@TempDir Path tmp) throws Exception {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path kept = Files.writeString(outside.resolve("kept.txt"), "not ours");
        Path dir = Files.createDirectory(tmp.resolve("stackfold-perf.test"));
        Files.write(dir.resolve("perf.data"), new byte[4096]);
        Files.writeString(Files.createDirectories(dir.resolve("a/b")).resolve("c.txt"), "c");
        Files.createSymbolicLink(dir.resolve("link"), outside);

        local.removeTree(dir.toString());

        assertThat(dir).doesNotExist();
        assertThat(kept).hasContent("not ours");
    }

    @Test
    void removeTreeOfWhatIsAlreadyGoneIsQuiet(@TempDir Path tmp) {
        local.removeTree(tmp.resolve("never-made").toString());

        assertThat(tmp.resolve("never-made")).doesNotExist();
    }
}
