package io.github.stackfold.flamegraph.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A result file is complete or absent, and has the mode a plain write would give it. */
class AtomicOutputTest {
    @TempDir
    Path dir;

    @Test
    void aNewFileGetsTheModeOfAPlainWriteAndAnOldOneKeepsItsMode() throws IOException {
        Path plain = Files.write(dir.resolve("plain.txt"), new byte[] {1});
        Path result = dir.resolve("flame.svg");
        AtomicOutput.write(result, "first".getBytes(StandardCharsets.US_ASCII));
        assertThat(Files.readString(result)).isEqualTo("first");
        assertThat(Files.getPosixFilePermissions(result)).isEqualTo(Files.getPosixFilePermissions(plain));

        Files.setPosixFilePermissions(result, PosixFilePermissions.fromString("rw-r-----"));
        AtomicOutput.write(result, "second".getBytes(StandardCharsets.US_ASCII));
        assertThat(Files.readString(result)).isEqualTo("second");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(result))).isEqualTo("rw-r-----");
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryOne() throws IOException {
        Path result = Files.writeString(dir.resolve("report.json"), "old");
        assertThatThrownBy(() -> AtomicOutput.write(result, out -> {
            out.write("half".getBytes(StandardCharsets.US_ASCII));
            throw new IOException("No space left on device");
        })).isInstanceOf(IOException.class)
                .hasMessage("cannot write " + result + ": No space left on device (nothing was written there)");
        assertThat(Files.readString(result)).isEqualTo("old");
        assertThat(leftovers()).isEmpty();
    }

    private Stream<Path> leftovers() throws IOException {
        return Files.list(dir).filter(p -> p.getFileName().toString().endsWith(".tmp")).toList().stream();
    }
}
