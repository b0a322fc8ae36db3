package io.github.stackfold.flamegraph.perfdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.PerfRuns;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recording whose perf was killed mid-record, made from a real one: {@code perf record -e cpu-clock -g}
 * writes the file header (attributes, ids, the data offset) as it starts with a data size of 0, and the
 * size and the feature sections only as it ends. The test cuts a real perf.data in the middle of its data
 * (inside a record) and zeroes the data size, as a SIGKILL leaves it. The reader must read the records
 * before the cut and say the recording was cut; what it folds must equal what {@code perf script} prints
 * for the same prefix made whole again (the data size set to the last complete record, no features).
 *
 * <p>The file layout used here (file mode, little-endian): u64 data offset at byte 40, u64 data size at
 * 48, four u64 feature bit sets at 72; each record starts {@code u32 type, u16 misc, u16 size}.
 */
class PerfDataCutTest {
    private static final int SAMPLE = 9;

    @TempDir
    Path tmp;

    /** The record boundaries of a whole file's data and which records are samples. */
    private record Layout(long dataOff, long dataEnd, List<Long> starts, List<Integer> types) {
        /** The samples among the records that start before {@code end} and end by it. */
        long samplesBefore(long end) {
            long n = 0;
            for (int i = 0; i < starts.size(); i++) {
                long next = i + 1 < starts.size() ? starts.get(i + 1) : dataEnd;
                if (next <= end && types.get(i) == SAMPLE) {
                    n++;
                }
            }
            return n;
        }
    }

    private static Layout layout(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x32454c4946524550L, bb.getLong(0), "a little-endian perf.data");
        long off = bb.getLong(40);
        long end = off + bb.getLong(48);
        List<Long> starts = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (long p = off; p < end; p += bb.getShort((int) p + 6) & 0xffff) {
            starts.add(p);
            types.add(bb.getInt((int) p));
        }
        return new Layout(off, end, starts, types);
    }

    private Path record() throws IOException {
        PerfRuns.requirePerf();
        return PerfRuns.recordData(PerfRuns.busyLoop(300_000), tmp, "whole");
    }

    /** perf script's fold of a file (the fields the collapser reads; periods as weights, as ours). */
    private FoldedProfile viaPerfScript(Path data) throws IOException {
        Path text = tmp.resolve(data.getFileName() + ".txt");
        PerfDataVersusPerfTest.exec(List.of("perf", "script", "-i", data.toString(), "-F",
                "comm,pid,tid,time,period,event,ip,sym,dso"), text);
        try (InputStream in = Files.newInputStream(text)) {
            return PerfCollapser.create(CollapseOptions.builder().threads(1).build()).collapse(in, text.toString());
        }
    }

    private static PerfDataCollapser ours() {
        // the cut file has no host name or kernel release to tell it was made here: this host's kallsyms given
        return PerfDataCollapser.builder().goSymbols(false).kallsyms(Path.of("/proc/kallsyms")).build();
    }

    @Test
    void aRecordingWhosePerfWasKilledIsReadUpToItsLastCompleteRecord() throws Exception {
        Path whole = record();
        byte[] b = Files.readAllBytes(whole);
        Layout l = layout(b);
        assertTrue(l.samplesBefore(l.dataEnd) > 50, "samples recorded: " + l.samplesBefore(l.dataEnd));
        // cut inside the record that starts after the middle of the data
        int mid = 0;
        while (l.starts.get(mid) - l.dataOff < (l.dataEnd - l.dataOff) / 2) {
            mid++;
        }
        long lastWhole = l.starts.get(mid);
        long cutAt = lastWhole + 5;
        byte[] killed = Arrays.copyOf(b, (int) cutAt);
        ByteBuffer.wrap(killed).order(ByteOrder.LITTLE_ENDIAN).putLong(48, 0); // data size: not written yet
        Path cut = tmp.resolve("killed.data");
        Files.write(cut, killed);
        long expected = l.samplesBefore(lastWhole);
        assertTrue(expected > 0 && expected < l.samplesBefore(l.dataEnd), "a cut among the samples: " + expected);

        // perf itself refuses it
        IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> viaPerfScript(cut), "perf script on the cut file");
        assertTrue(refused.getMessage().contains("data size field is 0"), refused.getMessage());

        PerfDataCollapser.Result r = ours().collapse(cut);
        assertTrue(r.info().cut(), r.info().toString());
        assertEquals(expected, r.info().samples());
        assertEquals(lastWhole, r.info().readTo());
        assertEquals("the recording was cut: perf.data has no end header; read " + expected + " samples up to byte "
                + lastWhole, r.info().cutMessage());

        // the same prefix made whole: its data size set, no features, for perf script to read
        byte[] repaired = Arrays.copyOf(b, (int) lastWhole);
        ByteBuffer rb = ByteBuffer.wrap(repaired).order(ByteOrder.LITTLE_ENDIAN);
        rb.putLong(48, lastWhole - l.dataOff);
        for (int i = 0; i < 4; i++) {
            rb.putLong(72 + 8 * i, 0);
        }
        Path prefix = tmp.resolve("prefix.data");
        Files.write(prefix, repaired);
        FoldedProfile theirs = viaPerfScript(prefix);
        assertEquals(theirs.asMap(), r.profile().asMap());
        // only the recorded command: the shell, or perf's child before its exec (perf-exec; a loaded
        // machine can leave the whole first half of the data to it)
        assertTrue(r.profile().asMap().keySet().stream().allMatch(s -> s.startsWith("sh;") || s.startsWith("perf-exec;")),
                r.profile().asMap().keySet().toString());
        assertTrue(ours().collapse(whole).profile().asMap().keySet().stream().anyMatch(s -> s.startsWith("sh;")),
                "the whole recording holds the shell's loop");
    }

    @Test
    void aFileThatEndsBeforeItsDataIsReadUpToItsLastCompleteRecord() throws Exception {
        Path whole = record();
        byte[] b = Files.readAllBytes(whole);
        Layout l = layout(b);
        PerfDataCollapser.Result w = ours().collapse(whole);
        assertFalse(w.info().cut(), w.info().toString());
        assertNull(w.info().cutMessage());

        // the header says where the data ends; the file ends a third of the way in, on a record's start
        int k = l.starts.size() / 3;
        long end = l.starts.get(k);
        Path cut = tmp.resolve("short.data");
        Files.write(cut, Arrays.copyOf(b, (int) end));
        PerfDataCollapser.Result r = ours().collapse(cut);
        long expected = l.samplesBefore(end);
        assertTrue(expected > 0, "samples before byte " + end);
        assertEquals(expected, r.info().samples());
        assertEquals("the recording was cut: perf.data ends at byte " + end + ", before the end of its data at byte "
                + l.dataEnd + "; read " + expected + " samples up to byte " + end, r.info().cutMessage());
    }
}
