package io.github.stackfold.flamegraph.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
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

    @Test
    void truncatedOrCorruptCompressedDataIsBadInputNamingTheFile(@TempDir Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            sb.append("java ").append(i * 7919L % 100_003).append(" f").append(i % 977).append('\n');
        }
        byte[] text = sb.toString().getBytes(StandardCharsets.US_ASCII);
        Map<String, String> formats = Map.of("gz", "gzip", "xz", "xz", "bz2", "bzip2", "zst", "zstd");
        for (Map.Entry<String, String> k : formats.entrySet()) {
            byte[] whole = compress(k.getKey(), text);
            Path half = Files.write(dir.resolve("half." + k.getKey()), Arrays.copyOf(whole, whole.length / 2));
            assertThatThrownBy(() -> {
                try (InputStream in = Inputs.open(half)) {
                    in.readAllBytes();
                }
            }).as(k.getKey()).isInstanceOf(BadInputException.class)
                    .hasMessageStartingWith(half + ": " + k.getValue() + " data is truncated or corrupt");
        }
        byte[] corrupt = compress("gz", text);
        for (int i = 20; i < 40; i++) {
            corrupt[i] ^= 0x5a;
        }
        assertThatThrownBy(() -> Inputs.decompress(new ByteArrayInputStream(corrupt), "bad.gz").readAllBytes())
                .isInstanceOf(BadInputException.class).hasMessageStartingWith("bad.gz: gzip data is truncated or corrupt (");
    }

    @Test
    void aFailureToReadTheCompressedBytesStaysAnIOException() throws IOException {
        byte[] gz = compress("gz", TEXT);
        InputStream failing = new InputStream() {
            int at;

            @Override
            public int read() throws IOException {
                if (at >= gz.length / 2) {
                    throw new IOException("disk on fire");
                }
                return gz[at++] & 0xff;
            }
        };
        assertThatThrownBy(() -> Inputs.decompress(failing, "x.gz").readAllBytes())
                .isInstanceOf(IOException.class).hasMessage("disk on fire");
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
