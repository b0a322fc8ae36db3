package io.github.stackfold.flamegraph.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader.Format;
import io.github.stackfold.flamegraph.pprof.PprofOptions;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileLoaderTest {
    private static final String PPROF = "real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb";

    @TempDir
    Path tmp;

    private static FoldedProfile reference() throws IOException {
        return PprofReader.create().read(Shared.path(PPROF)).folded();
    }

    /** A directory given to the library's load(Path) is named in a not-a-profile error, as the CLI names it. */
    @Test
    void aDirectoryIsNoProfileAndTheErrorNamesIt() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("results"));
        assertThatThrownBy(() -> ProfileLoader.create().load(dir)).isInstanceOf(NotAProfileException.class)
                .hasMessageStartingWith(dir + ": a directory, not a profile (expected a pprof profile");
        // a file named "-" is that file, not standard input
        Path dash = Files.writeString(tmp.resolve("-"), "main;work 3\n");
        assertThat(ProfileLoader.create().load(dash).total()).isEqualTo(3);
    }

    @Test
    void loadsPprofRawGzippedXzAndBzip2ByContentWhateverTheName() throws Exception {
        byte[] raw = Files.readAllBytes(Shared.path(PPROF));
        Map<String, Long> expected = reference().asMap();
        ProfileLoader loader = ProfileLoader.create();
        for (Compression c : Compression.values()) {
            Path file = tmp.resolve("profile-" + c + ".txt"); // a misleading name on purpose
            Files.write(file, c.compress(raw));
            assertThat(loader.load(file).asMap()).as(c.name()).isEqualTo(expected);
        }
    }

    @Test
    void loadsPprofFromAStreamDeliveringOneByteAtATime() throws Exception {
        byte[] gz = Compression.GZIP.compress(Files.readAllBytes(Shared.path(PPROF)));
        FoldedProfile p = ProfileLoader.create().load(new OneByteAtATime(new ByteArrayInputStream(gz)), "<stdin>");
        assertThat(p.asMap()).isEqualTo(reference().asMap());
    }

    @Test
    void passesPprofOptionsToTheReader() throws Exception {
        ProfileLoader loader = ProfileLoader.builder()
                .pprof(PprofOptions.builder().sampleType("samples").build()).build();
        assertThat(loader.load(Shared.path(PPROF)).total()).isEqualTo(199);
    }

    @Test
    void loadsFoldedTextPlainOrCompressedAndThroughStdin() throws Exception {
        FoldedProfile ref = reference();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        ref.write(text);
        ProfileLoader loader = ProfileLoader.create();
        for (Compression c : Compression.values()) {
            Path file = tmp.resolve("stacks-" + c);
            Files.write(file, c.compress(text.toByteArray()));
            assertThat(loader.load(file).asMap()).as(c.name()).isEqualTo(ref.asMap());
        }
        InputStream slow = new OneByteAtATime(new ByteArrayInputStream(text.toByteArray()));
        assertThat(loader.load(slow, "<stdin>").asMap()).isEqualTo(ref.asMap());
    }

    @Test
    void handsPerfScriptTextToThePerfCollapser() throws Exception {
        Path perf = Shared.path("conformance/collapse-perf/inputs/go-stacks.txt");
        List<String> sources = new ArrayList<>();
        List<byte[]> seen = new ArrayList<>();
        ProfileLoader loader = ProfileLoader.builder().perfScript((in, source) -> {
            sources.add(source);
            seen.add(in.readAllBytes());
            return FoldedProfile.of(Map.of("collapsed", 1L));
        }).build();
        Path gz = tmp.resolve("go-stacks.txt.gz");
        Files.write(gz, Compression.GZIP.compress(Files.readAllBytes(perf)));
        assertThat(loader.load(gz).asMap()).isEqualTo(Map.of("collapsed", 1L));
        assertThat(sources).containsExactly(gz.toString());
        // the collapser gets the whole decompressed text, the sniffed head included
        assertThat(seen.get(0)).isEqualTo(Files.readAllBytes(perf));
    }

    @Test
    void collapsesPerfScriptWithDefaultOptionsAsStackcollapsePerfDoes() throws Exception {
        Path dir = Shared.path("conformance/collapse-perf");
        ProfileLoader loader = ProfileLoader.create();
        int compared = 0;
        try (Stream<Path> inputs = Files.list(dir.resolve("inputs"))) {
            for (Path in : (Iterable<Path>) inputs::iterator) {
                String name = in.getFileName().toString().replaceFirst("\\.txt$", "");
                Path expected = dir.resolve("expected/" + name + "--default.txt");
                if (Files.size(in) == 0 || !Files.exists(expected) || Files.size(expected) == 0) {
                    continue;
                }
                Path gz = tmp.resolve(name + ".gz");
                Files.write(gz, Compression.GZIP.compress(Files.readAllBytes(in)));
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                loader.load(gz).write(got);
                // byte for byte: folded text read back would lose a frame's trailing blank
                assertThat(got.toString(StandardCharsets.ISO_8859_1)).as(name)
                        .isEqualTo(Files.readString(expected, StandardCharsets.ISO_8859_1));
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(15);
    }

    @Test
    void loadsStandardInputForADashAndFilesOtherwise() throws Exception {
        byte[] gz = Compression.GZIP.compress(Files.readAllBytes(Shared.path(PPROF)));
        ProfileLoader loader = ProfileLoader.create();
        assertThat(loader.load(Path.of("-"), new ByteArrayInputStream(gz)).asMap()).isEqualTo(reference().asMap());
        try (ProfileInput in = ProfileInput.of(new ByteArrayInputStream(gz), "<stdin>")) {
            assertThat(in.kind()).isEqualTo(ProfileInput.Kind.PPROF);
            assertThat(loader.load(in).asMap()).as("telling the kind left the stream where it was")
                    .isEqualTo(reference().asMap());
        }
    }

    @Test
    void detectsEveryConformancePerfInputAsPerfAndEveryExpectedOutputAsFolded() throws Exception {
        Path dir = Shared.path("conformance/collapse-perf");
        int perf = 0;
        int folded = 0;
        try (Stream<Path> inputs = Files.list(dir.resolve("inputs"))) {
            for (Path p : (Iterable<Path>) inputs::iterator) {
                byte[] b = head(p);
                if (new String(b, StandardCharsets.ISO_8859_1).isBlank()) {
                    assertThat(ProfileLoader.detect(b, b.length)).as(p.toString()).isEqualTo(Format.EMPTY);
                    continue;
                }
                assertThat(ProfileLoader.detect(b, b.length)).as(p.toString()).isEqualTo(Format.PERF_SCRIPT);
                assertThat(ProfileInput.kind(b)).as(p.toString()).isEqualTo(ProfileInput.Kind.PERF_SCRIPT);
                perf++;
            }
        }
        try (Stream<Path> outputs = Files.list(dir.resolve("expected"))) {
            for (Path p : (Iterable<Path>) outputs::iterator) {
                byte[] b = head(p);
                if (b.length > 0) {
                    assertThat(ProfileLoader.detect(b, b.length)).as(p.toString()).isEqualTo(Format.FOLDED);
                    folded++;
                }
            }
        }
        assertThat(perf).isGreaterThan(20);
        assertThat(folded).isGreaterThan(150);
        // flamegraph.pl's inputs: fractional and two-count lines are folded text too
        int fg = 0;
        try (Stream<Path> inputs = Files.list(Shared.path("conformance/flamegraph/folded"))) {
            for (Path p : (Iterable<Path>) inputs::iterator) {
                byte[] b = head(p);
                if (!new String(b, StandardCharsets.ISO_8859_1).isBlank()) {
                    assertThat(ProfileLoader.detect(b, b.length)).as(p.toString()).isEqualTo(Format.FOLDED);
                    fg++;
                }
            }
        }
        assertThat(fg).isGreaterThan(3);
    }

    @Test
    void tellsPerfScriptByItsStackLinesAndLeavesTheStreamWhereItWas() throws Exception {
        String perf = "java 1 [000] 1.0: 1 cpu-clock:\n\t7f00 Foo::bar+0x1 (/x.so)\n\n";
        try (ProfileInput in = ProfileInput.of(new ByteArrayInputStream(perf.getBytes(StandardCharsets.UTF_8)), "p")) {
            assertThat(in.kind()).isEqualTo(ProfileInput.Kind.PERF_SCRIPT);
            assertThat(new String(in.stream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(perf);
        }
        for (String notPerf : new String[] {"a;b 1\n", "not a folded line\n\n", "a 1\n  \n\t\r\n"}) {
            try (ProfileInput in = ProfileInput.of(new ByteArrayInputStream(notPerf.getBytes(StandardCharsets.UTF_8)), "n")) {
                assertThat(in.kind()).as(notPerf).isNotEqualTo(ProfileInput.Kind.PERF_SCRIPT);
            }
        }
    }

    @Test
    void detectsLiteralLinesOfEachFormat() {
        assertThat(detect("java;start_thread;JavaThread::run 42\nswapper;do_idle_[k] 7\n")).isEqualTo(Format.FOLDED);
        assertThat(detect("a;b 1")).isEqualTo(Format.FOLDED); // no final newline
        assertThat(detect("a;b 0.25\na;c 3.\nb 12.5\n")).isEqualTo(Format.FOLDED); // fractions, as flamegraph.pl reads
        assertThat(detect("a;b 1.5.5\nc .5\n")).isEqualTo(Format.PERF_SCRIPT); // not counts: the collapser says what is wrong
        assertThat(detect("java 12345 [001] 1234.567890:    1001001 cpu-clock:\n\t7f00 Foo::bar+0x1 (/x.so)\n"))
                .isEqualTo(Format.PERF_SCRIPT);
        assertThat(detect("# ========\n# captured on: x\n# ========\n#\nperf 1 [000] 1.0: 1 cycles:\n"))
                .isEqualTo(Format.PERF_SCRIPT);
        assertThat(detect("\n  \n")).isEqualTo(Format.EMPTY);
        assertThat(detect("{\"total\": 12}\n")).isEqualTo(Format.PERF_SCRIPT); // the collapser says what is wrong
    }

    @Test
    void emptyAndForeignBinaryInputAreBadInputNamingTheSource() throws Exception {
        ProfileLoader loader = ProfileLoader.create();
        Path empty = Files.write(tmp.resolve("empty.txt"), new byte[0]);
        assertThatThrownBy(() -> loader.load(empty))
                .isInstanceOf(BadInputException.class)
                .hasMessage(empty + ": empty, not a profile (expected " + NotAProfileException.EXPECTED + ")");
        Path perfData = Files.write(tmp.resolve("perf.data"), "PERFILE2\0\0\0\0\u0001\u0002".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> loader.load(perfData))
                .isInstanceOf(BadInputException.class)
                .hasMessage(perfData + ": at byte 0: expected a perf.data header (magic \"PERFILE2\"), but the input"
                        + " has only 14 bytes");
        Path elf = Path.of("/bin/true");
        Shared.requireThat(Files.isReadable(elf), "/bin/true is not readable");
        assertThatThrownBy(() -> loader.load(elf))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("/bin/true: an executable (ELF), not a profile");
    }

    @Test
    void foldedBadLinesGoToTheHandlerAndTheRestIsKept() throws Exception {
        List<BadInputException> bad = new ArrayList<>();
        ProfileLoader loader = ProfileLoader.builder().onBadLine(bad::add).build();
        FoldedProfile p = loader.load(new ByteArrayInputStream("a;b 3\na;c 4\nno count here\na;b 2\n"
                .getBytes(StandardCharsets.UTF_8)), "x.folded");
        assertThat(p.asMap()).isEqualTo(Map.of("a;b", 5L, "a;c", 4L));
        assertThat(bad).singleElement().extracting(BadInputException::line).isEqualTo(3L);
    }

    private static Format detect(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return ProfileLoader.detect(b, b.length);
    }

    private static byte[] head(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return in.readNBytes(ProfileLoader.HEAD);
        }
    }

    enum Compression {
        NONE, GZIP, XZ, BZIP2;

        byte[] compress(byte[] data) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (OutputStream out = wrap(b)) {
                out.write(data);
            }
            return b.toByteArray();
        }

        private OutputStream wrap(OutputStream b) throws IOException {
            switch (this) {
                case GZIP:
                    return new GZIPOutputStream(b);
                case XZ:
                    return new XZCompressorOutputStream(b);
                case BZIP2:
                    return new BZip2CompressorOutputStream(b);
                default:
                    return b;
            }
        }
    }

    /** Delivers at most one byte per read, as a slow pipe may. */
    static final class OneByteAtATime extends FilterInputStream {
        OneByteAtATime(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1));
        }
    }
}
