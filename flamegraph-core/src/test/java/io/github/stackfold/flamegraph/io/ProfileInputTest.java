package io.github.stackfold.flamegraph.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileInputTest {

    private static ProfileInput.Kind kind(byte[] data) throws IOException {
        try (ProfileInput in = ProfileInput.of(new ByteArrayInputStream(data), "x")) {
            return in.kind();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void eachKindIsToldFromItsFirstBytes() throws IOException {
        assertThat(kind(bytes("main;f 3\nmain;g 1\n"))).isEqualTo(ProfileInput.Kind.FOLDED);
        assertThat(kind(bytes("java 1 [000] 1.0: 1 cpu-clock:\n\t1 a (m)\n\n"))).isEqualTo(ProfileInput.Kind.PERF_SCRIPT);
        assertThat(kind(bytes("\u0089PNG\r\n\u001a\n\0\0\0\rIHDR"))).isEqualTo(ProfileInput.Kind.IMAGE);
        assertThat(kind(bytes("\u00ff\u00d8\u00ff\u00e0\0\u0010JFIF"))).isEqualTo(ProfileInput.Kind.IMAGE);
        assertThat(kind(bytes("GIF89a\u0001\0\u0001\0"))).isEqualTo(ProfileInput.Kind.IMAGE);
        assertThat(kind(bytes("%PDF-1.7\n%\u00e2\u00e3\n"))).isEqualTo(ProfileInput.Kind.DOCUMENT);
        assertThat(kind(bytes("PK\u0003\u0004\u0014\0\u0006\0"))).isEqualTo(ProfileInput.Kind.DOCUMENT);
        assertThat(kind(bytes("<!DOCTYPE html>\n<html><body>hi</body></html>\n"))).isEqualTo(ProfileInput.Kind.HTML);
        assertThat(kind(bytes("<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"3\"/></svg>\n")))
                .isEqualTo(ProfileInput.Kind.IMAGE);
        assertThat(kind(bytes("PERFILE2h\0\0\0\0\0\0\0"))).isEqualTo(ProfileInput.Kind.PERF_DATA);
        assertThat(kind(bytes("PERFILE2\u0010\0\0\0\0\0\0\0"))).isEqualTo(ProfileInput.Kind.PERF_DATA); // pipe mode
        assertThat(kind(new byte[0])).isEqualTo(ProfileInput.Kind.EMPTY);
        assertThat(kind(bytes("\0\u0001\u0002\u0003garbage\u00fe"))).isEqualTo(ProfileInput.Kind.BINARY);
        assertThat(kind(bytes("# stackfold\n\nA README with words.\nAnd more: lines here.\n")))
                .isEqualTo(ProfileInput.Kind.TEXT);
    }

    @Test
    void compressedInputIsToldByWhatItHolds() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(bytes("main;f 3\n"));
        }
        try (ProfileInput in = ProfileInput.of(new ByteArrayInputStream(gz.toByteArray()), "f.gz")) {
            assertThat(in.kind()).isEqualTo(ProfileInput.Kind.FOLDED);
            assertThat(new String(in.stream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("main;f 3\n");
        }
    }

    @Test
    void filesDirectoriesAndProgramsAreOpenedAndNamed(@TempDir Path dir) throws IOException {
        try (ProfileInput in = ProfileInput.open(dir.toString(), null)) {
            assertThat(in.kind()).isEqualTo(ProfileInput.Kind.DIRECTORY);
            assertThat(in.notAProfile()).hasMessageStartingWith(dir + ": a directory, not a profile");
        }
        Path ls = Path.of("/bin/ls");
        Shared.requireThat(Files.isReadable(ls), "/bin/ls is not readable here");
        try (ProfileInput in = ProfileInput.open(ls.toString(), null)) {
            assertThat(in.kind()).isEqualTo(ProfileInput.Kind.ELF);
            assertThat(in.what()).isEqualTo("an executable (ELF)");
        }
    }

    @Test
    void theLoaderRefusesWhatIsNoProfile() throws IOException {
        ProfileLoader loader = ProfileLoader.create();
        // perf.data is a profile now: one cut short is bad input that says where and what was expected
        assertThatThrownBy(() -> loader.load(new ByteArrayInputStream(bytes("PERFILE2h\0\0\0")), "perf.data"))
                .isInstanceOf(io.github.stackfold.flamegraph.BadInputException.class)
                .hasMessage("perf.data: at byte 0: expected a perf.data header (magic \"PERFILE2\"), but the input has"
                        + " only 12 bytes");
        assertThatThrownBy(() -> loader.load(new ByteArrayInputStream(bytes("Just some words.\nMore words 42 here.\n")), "README.md"))
                .isInstanceOf(NotAProfileException.class).hasMessageStartingWith("README.md: text in none of the profile formats");
    }

    @Test
    void jsonIsNamedAsJson() throws IOException {
        ProfileLoader loader = ProfileLoader.create();
        assertThatThrownBy(() -> loader.load(new ByteArrayInputStream(bytes("{\n  \"rules\": \"kube-apiserver\",\n  \"total\": 1990000000\n}\n")),
                "report.json"))
                .isInstanceOf(NotAProfileException.class).hasMessageStartingWith("report.json: JSON, not a profile");
        assertThatThrownBy(() -> loader.load(new ByteArrayInputStream(bytes("[{\"name\":\"a\"}]")), "list.json"))
                .isInstanceOf(NotAProfileException.class).hasMessageStartingWith("list.json: JSON, not a profile");
        // text that merely starts with a bracket is not called JSON
        assertThatThrownBy(() -> loader.load(new ByteArrayInputStream(bytes("[section]\nkey words here\n")), "a.ini"))
                .isInstanceOf(NotAProfileException.class).hasMessageStartingWith("a.ini: text in none of the profile formats");
    }

    @Test
    void aRealPerfDataFileIsPerfData() throws IOException {
        Path data = Shared.path("real/lab-recordings/vkamlov-arm64.perf.data");
        try (ProfileInput in = ProfileInput.open(data.toString(), null)) {
            assertThat(in.kind()).isEqualTo(ProfileInput.Kind.PERF_DATA);
        }
    }
}
