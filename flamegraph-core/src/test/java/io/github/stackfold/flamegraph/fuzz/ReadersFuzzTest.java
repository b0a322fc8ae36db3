package io.github.stackfold.flamegraph.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.diff.DiffProfile;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.parse.PerfScriptParser;
import io.github.stackfold.flamegraph.perfdata.PerfDataCollapser;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.flamegraph.render.FoldedSamples;
import io.github.stackfold.flamegraph.symbolize.internal.DamagedBinaryException;
import io.github.stackfold.flamegraph.symbolize.internal.ElfFile;
import io.github.stackfold.flamegraph.symbolize.internal.GoBinary;
import io.github.stackfold.flamegraph.symbolize.internal.GoPcLnTab;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Fuzz targets for every reader of untrusted bytes: any input ends in a result or in the library's
 * own exception (a one-line message), never another exception, a hang or a runaway allocation.
 * {@code mvn verify} replays the seeds in {@code src/test/resources/.../ReadersFuzzTestInputs/TARGET}
 * (and past findings, kept there); {@code scripts/fuzz-campaign.sh TARGET SECONDS} fuzzes one target.
 * {@link SharedCorpusTest} runs the same targets over the real files of ../shared, read in place.
 */
class ReadersFuzzTest {
    /** perf script text through the parser, line by line, and through the collapser. */
    @FuzzTest(maxDuration = "3h")
    void perfScript(byte[] data) throws IOException {
        PerfScriptParser p = PerfScriptParser.of(new ByteArrayInputStream(data), "fuzz");
        int lines = 0;
        while (p.nextLine()) {
            p.classify();
            lines++;
        }
        assertThat(lines).isLessThanOrEqualTo(data.length + 1);
        // one thread, and two threads on pieces of 64 bytes (the default 1 MiB would hold every input
        // whole: small pieces put the cuts between samples, and the merge of pieces, under the fuzzer)
        for (int threads : new int[] {1, 2}) {
            try {
                FoldedProfile f = PerfCollapser.create(CollapseOptions.builder().threads(threads).chunkBytes(64).build())
                        .collapse(new ByteArrayInputStream(data), "fuzz");
                checkFolded(f);
            } catch (StackfoldException expected) {
                assertOneLine(expected);
            }
        }
    }

    /** Folded text, with flamegraph.pl's fractional and two-count (diff) lines. */
    @FuzzTest(maxDuration = "3h")
    void folded(byte[] data) throws Exception {
        for (boolean anywhere : new boolean[] {false, true}) {
            FoldedSamples s = FoldedSamples.read(new ByteArrayInputStream(data), "fuzz", e -> { }, anywhere);
            for (int i = 0; i < s.size(); i++) {
                assertThat(s.count(i)).isNotNegative();
                assertThat(s.stack(i)).doesNotContain("\n");
            }
        }
        FoldedProfile f = FoldedProfile.read(new ByteArrayInputStream(data), "fuzz", e -> { });
        checkFolded(f);
        DiffProfile d = DiffProfile.read(new ByteArrayInputStream(data), "fuzz", e -> { });
        for (int i = 0; i < d.size(); i++) {
            assertThat(d.stack(i)).doesNotContain("\n");
        }
        // (what was read is drawn by WritersFuzzTest#svg: rendering here cut the executions per second tenfold)
    }

    /** A pprof profile.proto, raw. */
    @FuzzTest(maxDuration = "3h")
    void pprof(byte[] data) {
        try {
            PprofReader.create().read(data, "fuzz").folded();
        } catch (StackfoldException expected) {
            assertOneLine(expected);
        }
    }

    /** A pprof profile.proto, gzipped (as Go serves it). */
    @FuzzTest(maxDuration = "3h")
    void pprofGzipped(byte[] data) throws IOException {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(z)) {
            g.write(data);
        }
        byte[] gz = z.toByteArray();
        try {
            PprofReader.create().read(gz, "fuzz").folded();
        } catch (StackfoldException expected) {
            assertOneLine(expected);
        }
        // a gzip stream cut short
        try {
            PprofReader.create().read(java.util.Arrays.copyOf(gz, gz.length / 2), "fuzz");
        } catch (StackfoldException expected) {
            assertOneLine(expected);
        }
    }

    /** An ELF file and the Go symbol table (.gopclntab) in it; the table on its own too. */
    @FuzzTest(maxDuration = "3h")
    void elfGopclntab(byte[] data) {
        try {
            ElfFile elf = ElfFile.of(Path.of("fuzz"), ByteBuffer.wrap(data));
            GoBinary.of(elf);
        } catch (DamagedBinaryException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            try {
                GoPcLnTab.parse(ByteBuffer.wrap(data), order);
            } catch (DamagedBinaryException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    /**
     * A perf.data file (file or pipe format) through the reader and collapser; no binaries, build-id
     * cache or kallsyms of this machine are looked up, so a run depends on its bytes alone.
     */
    @FuzzTest(maxDuration = "3h")
    void perfData(byte[] data) throws IOException {
        PerfDataCollapser c = PerfDataCollapser.builder().hostKallsyms(false).goSymbols(false)
                .buildIdCache(Path.of("/nonexistent-stackfold-fuzz")).perfMapDir(Path.of("/nonexistent-stackfold-fuzz"))
                .locator(path -> null).build();
        try {
            checkFolded(c.collapse(new ByteArrayInputStream(data), "fuzz").profile());
        } catch (StackfoldException expected) {
            assertOneLine(expected);
        }
    }

    static void checkFolded(FoldedProfile f) {
        for (int i = 0; i < f.size(); i++) {
            assertThat(f.stack(i)).doesNotContain("\n");
            assertThat(f.count(i)).isNotNegative();
        }
    }

    static void assertOneLine(StackfoldException e) {
        assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
    }
}
