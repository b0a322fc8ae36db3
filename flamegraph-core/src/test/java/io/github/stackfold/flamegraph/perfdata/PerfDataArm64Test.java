package io.github.stackfold.flamegraph.perfdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.symbolize.BinaryLocator;
import io.github.stackfold.flamegraph.symbolize.internal.ElfFile;
import io.github.stackfold.testing.GoPrograms;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's arm64 recording folded without perf, and the {@code --binary} path on arm64: a Go program
 * cross-built here for arm64 ({@code GOARCH=arm64}, stripped, with a GNU build-id), sampled in a
 * synthetic perf.data that names it {@code /usr/local/bin/kube-apiserver}. The names expected come from
 * {@code go tool nm} on the same program built with its symbol table.
 */
class PerfDataArm64Test {
    private static final String BUILD_ID = "872aa86e7c565b491c7d65f70db2172ba9e8e32a";

    @TempDir
    static Path tmp;
    private static Path stripped;
    private static Map<String, Long> symbols;

    @BeforeAll
    static void buildForArm64() throws IOException {
        List<GoPrograms.Toolchain> tcs = GoPrograms.toolchains();
        Shared.requireThat(!tcs.isEmpty(), "no Go toolchain (apt-get install golang-go)");
        GoPrograms.Toolchain go = tcs.get(tcs.size() - 1);
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        for (String f : List.of("go.mod", "main.go")) {
            try (InputStream in = PerfDataArm64Test.class.getResourceAsStream("/gosym/burn/" + f)) {
                Files.copy(in, src.resolve(f));
            }
        }
        Path plain = tmp.resolve("burn-arm64");
        stripped = tmp.resolve("kube-apiserver");
        build(go, src, plain, "-B 0x" + BUILD_ID);
        build(go, src, stripped, "-s -w -B 0x" + BUILD_ID);
        symbols = new HashMap<>();
        String nm = GoPrograms.run(List.of(go.go().toString(), "tool", "nm", plain.toString()), null, 300);
        for (String line : nm.split("\n")) {
            String[] p = line.trim().split("\\s+");
            if (p.length == 3 && (p[1].equals("T") || p[1].equals("t"))) {
                symbols.put(p[2], Long.parseLong(p[0], 16));
            }
        }
    }

    private static void build(GoPrograms.Toolchain go, Path src, Path out, String ldflags) {
        List<String> cmd = List.of("env", "GOARCH=arm64", "GOOS=linux", "CGO_ENABLED=0",
                "GOCACHE=" + tmp.resolve("cache"), "GOPATH=" + tmp.resolve("gopath"), "GOFLAGS=-mod=mod",
                "HOME=" + tmp, go.go().toString(), "build", "-C", src.toString(), "-o", out.toString(),
                "-ldflags=" + ldflags, ".");
        GoPrograms.run(cmd, null, 900);
    }

    @Test
    void theLabRecordingFoldsToTheDepthsAndBoundariesOfItsFlameGraph() throws Exception {
        Path data = PerfDataReaderArm64Test.arm64();
        Path folded = data.resolveSibling("vkamlov-arm64-flame.folded");
        Shared.requireThat(Files.isRegularFile(folded), "no " + folded);
        PerfDataCollapser.Result r = PerfDataCollapser.builder()
                .options(CollapseOptions.builder().kernel(true).build()).build().collapse(data);
        assertEquals(373_058_756L, r.profile().total());
        assertEquals(157, r.info().samples());
        assertEquals(null, r.kernelSymbols(), "recorded on another host: no kallsyms of ours");
        Map<String, Long> ours = new TreeMap<>();
        r.profile().forEach((st, w) -> {
            assertTrue(st.startsWith("kube-apiserver;"), st);
            for (String f : FoldedProfile.frames(st).subList(1, FoldedProfile.frames(st).size())) {
                assertTrue(f.equals("[kube-apiserver]") || f.equals("[vdso]") || f.equals("[unknown]")
                        || f.endsWith("_[k]"), f);
            }
            ours.merge(shape(st, true), w, Long::sum);
        });
        Map<String, Long> theirs = new TreeMap<>();
        try (InputStream in = Files.newInputStream(folded)) {
            FoldedProfile.read(in, folded.toString()).forEach((st, w) -> theirs.merge(shape(st, false), w, Long::sum));
        }
        // the flame graph put samples narrower than 0.1 px into their parent frame (README: 0.08 % of the
        // weight): the shapes must agree on all but that
        long moved = 0;
        for (String s : new java.util.TreeSet<>(concat(ours.keySet(), theirs.keySet()))) {
            moved += Math.abs(ours.getOrDefault(s, 0L) - theirs.getOrDefault(s, 0L));
        }
        assertTrue(moved / 2 < 373_058_756L / 1000, "weight in other shapes: " + moved / 2 + "\nours " + ours
                + "\ntheirs " + theirs);
        assertTrue(ours.keySet().stream().anyMatch(s -> s.contains("uk")), "user/kernel boundaries: " + ours);
    }

    private static List<String> concat(java.util.Set<String> a, java.util.Set<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    /** u for a user frame, k for a kernel frame, root first. */
    private static String shape(String stack, boolean ours) {
        StringBuilder sb = new StringBuilder();
        List<String> fs = FoldedProfile.frames(stack);
        for (String f : fs.subList(1, fs.size())) {
            boolean kernel = ours ? f.endsWith("_[k]") : !f.startsWith("[");
            sb.append(kernel ? 'k' : 'u');
        }
        return sb.toString();
    }

    /** A recording of the stripped arm64 build mapped as /usr/local/bin/kube-apiserver. */
    private static SyntheticPerfData recording(String recordedBuildId) throws Exception {
        ElfFile elf = ElfFile.open(stripped);
        ElfFile.Segment text = elf.loadSegments().stream().filter(ElfFile.Segment::executable).findFirst()
                .orElseThrow();
        long start = 0x0000aaaa00000000L + text.vaddr(); // as if loaded elsewhere: file offsets matter
        long delta = start - text.vaddr(); // runtime address = vaddr + delta; pgoff = the segment's offset
        SyntheticPerfData d = new SyntheticPerfData()
                .comm(100, 100, "kube-apiserver").comm(100, 101, "kube-apiserver").comm(100, 102, "kube-apiserver")
                .mmap2(100, start, text.fileSize(), text.offset(), "/usr/local/bin/kube-apiserver", recordedBuildId)
                .buildId(100, recordedBuildId, "/usr/local/bin/kube-apiserver");
        long fib = symbols.get("main.fib") + delta + 8;
        long burn = symbols.get("main.burn") + delta + 16;
        long main = symbols.get("main.main") + delta + 16;
        long rtMain = symbols.get("runtime.main") + delta + 16;
        d.sample(100, 101, 1000, fib, burn, main, rtMain);
        d.finishedRound();
        d.sample(100, 102, 500, burn, main, rtMain);
        d.finishedRound();
        return d;
    }

    @Test
    void theMatchingBinaryNamesTheFramesInEveryLayout() throws Exception {
        SyntheticPerfData d = recording(BUILD_ID);
        List<String> warnings = new CopyOnWriteArrayList<>();
        PerfDataCollapser c = PerfDataCollapser.builder().locator(BinaryLocator.binary(stripped))
                .listener((m, w) -> warnings.add(w)).buildIdCache(null).build();
        Map<String, Long> expected = Map.of(
                "kube-apiserver;runtime.main;main.main;main.burn;main.fib", 1000L,
                "kube-apiserver;runtime.main;main.main;main.burn", 500L);
        for (byte[] bytes : List.of(d.file(false), d.pipe(false), d.file(true), d.pipe(true))) {
            PerfDataCollapser.Result r = c.collapse(new ByteArrayInputStream(bytes), "synthetic.data");
            assertEquals(expected, r.profile().asMap());
            assertEquals("aarch64", r.info().arch());
            assertEquals(List.of(new BuildId(100, false, BUILD_ID, "/usr/local/bin/kube-apiserver")),
                    r.info().buildIds());
        }
        assertEquals(List.of(), warnings);
        // without the binary: the frames stay [kube-apiserver], as perf prints them
        PerfDataCollapser none = PerfDataCollapser.builder().buildIdCache(null).build();
        assertEquals(Map.of("kube-apiserver;[kube-apiserver];[kube-apiserver];[kube-apiserver];[kube-apiserver]", 1000L,
                "kube-apiserver;[kube-apiserver];[kube-apiserver];[kube-apiserver]", 500L),
                none.collapse(new ByteArrayInputStream(d.file(false)), "synthetic.data").profile().asMap());
    }

    @Test
    void aBinaryWithAnotherBuildIdNamesNothingAndSaysWhy() throws Exception {
        String other = "00112233445566778899aabbccddeeff00112233";
        SyntheticPerfData d = recording(other);
        List<String> warnings = new CopyOnWriteArrayList<>();
        PerfDataCollapser c = PerfDataCollapser.builder().locator(BinaryLocator.binary(stripped))
                .listener((m, w) -> warnings.add(w)).buildIdCache(null).build();
        FoldedProfile p = c.collapse(new ByteArrayInputStream(d.file(false)), "synthetic.data").profile();
        assertTrue(p.asMap().keySet().stream().allMatch(s -> s.matches("kube-apiserver(;\\[kube-apiserver\\])+")),
                p.asMap().toString());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(other) && warnings.get(0).contains(BUILD_ID), warnings.get(0));
    }

    @Test
    void aCutRecordingKeepsWhatWasRead() throws Exception {
        byte[] whole = recording(BUILD_ID).file(false);
        // cut inside the second sample: the first is folded, the cut is reported
        PerfDataCollapser c = PerfDataCollapser.builder().locator(BinaryLocator.binary(stripped)).buildIdCache(null)
                .build();
        long dataSize = java.nio.ByteBuffer.wrap(whole).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(48);
        byte[] cut = java.util.Arrays.copyOf(whole, (int) (264 + dataSize - 20)); // inside the second sample
        PerfDataCollapser.Result r = c.collapse(new ByteArrayInputStream(cut), "cut.data");
        assertNotNull(r.info());
        assertTrue(r.info().truncatedAt() > 264, r.info().toString());
        assertEquals(Map.of("kube-apiserver;runtime.main;main.main;main.burn;main.fib", 1000L), r.profile().asMap());
    }
}
