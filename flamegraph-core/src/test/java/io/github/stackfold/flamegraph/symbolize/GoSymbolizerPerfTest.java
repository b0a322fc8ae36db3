package io.github.stackfold.flamegraph.symbolize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.stackfold.testing.GoPrograms;
import io.github.stackfold.testing.GoPrograms.Toolchain;
import io.github.stackfold.testing.GoPrograms.Variant;
import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.PerfRuns.Frame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real perf on real Go programs: the test program built normally and stripped ({@code -s -w}), as a
 * plain and a position-independent executable, each run under {@code perf record -e cpu-clock -g}.
 * perf names the frames of the unstripped build from its symbol table; the symbolizer must give the
 * stripped build's frames the same names.
 */
class GoSymbolizerPerfTest {
    @TempDir
    Path tmp;

    @Test
    void namesStrippedFramesAsPerfNamesTheUnstrippedBuild() {
        compareWithUnstripped(GoPrograms.requireDefault(), Variant.PLAIN, Variant.STRIPPED);
    }

    @Test
    void namesStrippedFramesOfAPositionIndependentBuild() {
        compareWithUnstripped(GoPrograms.requireDefault(), Variant.PIE, Variant.PIE_STRIPPED);
    }

    @Test
    void namesStrippedFramesOfTheNewestGoLayout() {
        Toolchain go = GoPrograms.newest();
        io.github.stackfold.testing.Shared.requireThat(go.minor() >= 20,
                "no Go 1.20+ toolchain (golang-1.2x-go from bookworm-backports) for the 0xfffffff1 layout");
        compareWithUnstripped(go, Variant.PLAIN, Variant.STRIPPED);
    }

    @Test
    void leavesFramesOfABinaryThatIsNotGoAloneWithOneWarning() throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow()).toRealPath();
        List<String> warnings = new CopyOnWriteArrayList<>();
        GoSymbolizer s = GoSymbolizer.builder().listener((m, w) -> warnings.add(w)).build();
        for (long a = 0; a < 100_000; a += 7) {
            assertNull(s.symbolize(java.toString(), a));
        }
        assertNull(s.symbolize("/no/such/binary", 0x1000));
        assertNull(s.symbolize("/no/such/binary", 0x2000));
        assertNull(s.symbolize("[kernel.kallsyms]", 0xffffffff81000000L));
        assertNull(s.symbolize("[unknown]", 0));
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(java.toString()) && warnings.get(0).contains("not a Go binary"),
                warnings.get(0));
        assertTrue(warnings.get(1).contains("/no/such/binary: binary not found"), warnings.get(1));
        assertEquals(0, s.namedFrames());
    }

    @Test
    void findsTheBinaryBelowSymfsOrByItsFileName() throws Exception {
        Path stripped = GoPrograms.build(GoPrograms.requireDefault(), Variant.STRIPPED);
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("usr/local/bin"));
        Files.copy(stripped, root.resolve("usr/local/bin/kube-apiserver"));
        long entryOffset = 0x1000; // the first function: .text starts at file offset 0x1000 in Go binaries

        GoSymbolizer viaSymfs = GoSymbolizer.builder().locator(BinaryLocator.symfs(root)).build();
        String[] a = viaSymfs.symbolize("/usr/local/bin/kube-apiserver", entryOffset);
        GoSymbolizer viaBinary = GoSymbolizer.builder()
                .locator(BinaryLocator.binary(root.resolve("usr/local/bin/kube-apiserver"))).build();
        String[] b = viaBinary.symbolize("/usr/local/bin/kube-apiserver", entryOffset);
        assertTrue(a != null && a.length == 1 && !a[0].isEmpty());
        assertEquals(List.of(a), List.of(b));
        assertNull(viaBinary.symbolize("/usr/lib/x86_64-linux-gnu/libc.so.6", entryOffset),
                "--binary only names modules with its file name");
    }

    @Test
    void readsTheBinaryOfARunningProcessThroughProc() throws Exception {
        Path stripped = GoPrograms.build(GoPrograms.requireDefault(), Variant.STRIPPED);
        Process p = new ProcessBuilder(stripped.toString(), "run", "20000").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            GoSymbolizer s = GoSymbolizer.builder().locator(BinaryLocator.process(p.pid())).build();
            String[] viaProc = s.symbolize(stripped.toString(), 0x1000);
            String[] direct = GoSymbolizer.builder().build().symbolize(stripped.toString(), 0x1000);
            assertTrue(viaProc != null && direct != null);
            assertEquals(List.of(direct), List.of(viaProc));
            // a path that only exists inside the process's root resolves through /proc/PID/root
            Path viaRoot = BinaryLocator.process(p.pid()).locate("/usr/bin/env");
            assertEquals(Path.of("/proc", Long.toString(p.pid()), "root", "usr/bin/env"), viaRoot);
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private void compareWithUnstripped(Toolchain go, Variant namedVariant, Variant strippedVariant) {
        PerfRuns.requirePerf();
        Path named = GoPrograms.build(go, namedVariant);
        Path stripped = GoPrograms.build(go, strippedVariant);
        Path namedText = PerfRuns.record(List.of(named.toString(), "run", "1500"), tmp, "named");
        Path strippedText = PerfRuns.record(List.of(stripped.toString(), "run", "1500"), tmp, "stripped");

        List<String> warnings = new CopyOnWriteArrayList<>();
        GoSymbolizer symbolizer = GoSymbolizer.builder().listener((m, w) -> warnings.add(w)).build();

        // 1. every frame perf named in the unstripped build: the same address in the stripped build
        //    (the two builds have the same text) must get the same name
        int namedFrames = 0;
        int same = 0;
        Map<String, Integer> differences = new TreeMap<>();
        for (Frame f : PerfRuns.frames(namedText)) {
            if (!f.module().equals(named.toString()) || f.unknown()) {
                continue;
            }
            namedFrames++;
            String[] got = symbolizer.symbolize(stripped.toString(), f.address());
            String want = f.symbol().endsWith(".abi0") ? f.symbol().substring(0, f.symbol().length() - 5)
                    : f.symbol();
            if (got != null && got[0].equals(want)) {
                same++;
            } else {
                differences.merge(f.symbol() + " -> " + (got == null ? null : got[0]), 1, Integer::sum);
            }
        }
        double sameShare = 100.0 * same / namedFrames;

        // 2. the stripped build's own profile: perf left its frames unknown, the symbolizer names them
        int strippedFrames = 0;
        int unknownBefore = 0;
        int namedAfter = 0;
        long t0 = System.nanoTime();
        GoSymbolizer fresh = GoSymbolizer.builder().listener((m, w) -> warnings.add(w)).build();
        List<Frame> frames = PerfRuns.frames(strippedText);
        for (Frame f : frames) {
            if (!f.module().equals(stripped.toString())) {
                continue;
            }
            strippedFrames++;
            if (f.unknown()) {
                unknownBefore++;
                namedAfter += fresh.symbolize(f.module(), f.address()) != null ? 1 : 0;
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        double namedShare = 100.0 * namedAfter / unknownBefore;
        System.err.printf("%s %s: %d of %d frames perf named in the unstripped build named alike in the "
                + "stripped build (%.2f %%); stripped profile: %d of %d [unknown] frames named (%.2f %%), "
                + "%d ms for %d frames%n", go, strippedVariant, same, namedFrames, sameShare, namedAfter,
                unknownBefore, namedShare, ms, frames.size());

        assertTrue(warnings.isEmpty(), warnings.toString());
        assertTrue(namedFrames > 1000, "frames perf named in the unstripped build: " + namedFrames);
        assertTrue(sameShare >= 99.0, sameShare + " %, differences: " + differences);
        assertTrue(unknownBefore >= strippedFrames * 0.9,
                "perf itself could not name the stripped build: " + unknownBefore + " of " + strippedFrames);
        assertTrue(namedShare >= 99.0, namedShare + " % of the stripped build's frames named");
    }
}
