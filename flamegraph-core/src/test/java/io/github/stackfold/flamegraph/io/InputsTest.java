package io.github.stackfold.flamegraph.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputsTest {
    private static final byte[] TEXT = "java 1 1.0: 1 cycles:\n  1 f (m)\n\n".repeat(1000).getBytes(StandardCharsets.US_ASCII);

    @Test
    void decompressesByContentNotByName(@TempDir Path dir) throws IOException {
        for (String kind : new String[] {"gz", "xz", "bz2", "zst"}) {
            // a misleading name: the content decides
            Path f = dir.resolve("profile-" + kind + ".txt");
            Files.write(f, compress(kind, TEXT));
            try (InputStream in = Inputs.open(f)) {
                assertThat(in.readAllBytes()).as(kind).isEqualTo(TEXT);
            }
        }
        Path plain = dir.resolve("plain.gz");
        Files.write(plain, TEXT);
        try (InputStream in = Inputs.open(plain)) {
            assertThat(in.readAllBytes()).isEqualTo(TEXT);
        }
    }

    @Test
    void opensAFileAsItIsAndNamesWhyOneCannotBeOpened(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("f.txt");
        Files.write(f, TEXT);
        try (InputStream in = Inputs.openFile(f)) {
            assertThat(in.readAllBytes()).isEqualTo(TEXT);
        }
        assertThatThrownBy(() -> Inputs.openFile(dir.resolve("missing"))).isInstanceOf(NoSuchFileException.class)
                .hasMessage(dir.resolve("missing").toString());
        assertThatThrownBy(() -> Inputs.openFile(dir)).isInstanceOf(IOException.class).hasMessage("Is a directory");
        assertThatThrownBy(() -> Inputs.open(dir.resolve("missing"), InputStream.nullInputStream()))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void readsConcatenatedGzipMembers() throws IOException {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(compress("gz", TEXT));
        both.write(compress("gz", TEXT));
        try (InputStream in = Inputs.decompress(new ByteArrayInputStream(both.toByteArray()))) {
            assertThat(in.readAllBytes()).hasSize(TEXT.length * 2);
        }
    }

    @Test
    void dashIsStandardInputAndClosingLeavesItOpen() throws IOException {
        boolean[] closed = {false};
        InputStream stdin = new ByteArrayInputStream(compress("xz", TEXT)) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        try (InputStream in = Inputs.open(Path.of("-"), stdin)) {
            assertThat(in.readAllBytes()).isEqualTo(TEXT);
        }
        assertThat(closed[0]).isFalse();
        assertThat(Inputs.sourceName(Path.of("-"))).isEqualTo("<stdin>");
        assertThat(Inputs.sourceName(Path.of("a/b.txt"))).isEqualTo("a/b.txt");
    }

    static byte[] compress(String kind, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = switch (kind) {
            case "gz" -> new GZIPOutputStream(bytes);
            case "xz" -> new XZCompressorOutputStream(bytes);
            case "bz2" -> new BZip2CompressorOutputStream(bytes);
            case "zst" -> new ZstdCompressorOutputStream(bytes);
            default -> throw new IllegalArgumentException(kind);
        }) {
            out.write(data);
        }
        return bytes.toByteArray();
    }
}
