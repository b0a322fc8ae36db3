package io.github.stackfold.flamegraph.perfdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.symbolize.GoSymbolizer;
import io.github.stackfold.testing.EtcdServer;
import io.github.stackfold.testing.GoPrograms;
import io.github.stackfold.testing.GoPrograms.Variant;
import io.github.stackfold.testing.PerfRuns;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recordings made here with the real {@code perf record -e cpu-clock -g}, folded two ways: by
 * {@link PerfDataCollapser} from the perf.data, and by {@link PerfCollapser} from
 * {@code perf script -F comm,pid,tid,time,period,event,ip,sym,dso} (the fields that carry everything
 * the collapser's flags use). The two must be equal byte for byte with each set of flags.
 *
 * <p>Allowed differences, checked by the tests that meet them: frames of a stripped Go binary, which
 * perf prints as {@code [unknown]}, are named by both sides from {@code .gopclntab} (perf script's side
 * through {@link GoSymbolizer}, as {@code flame collapse --symbolize} does); a sample in a PLT stub of
 * a binary whose {@code _init} (size 0) perf stretches over {@code .plt}: perf names it {@code _init}
 * or {@code read@plt} depending on the shape of its symbol tree, we name it {@code _init}, so both
 * compare as {@code _init|plt}; and in the system-wide test the processes named there.
 */
class PerfDataVersusPerfTest {
    private static final String BUSY_C = """
            #include <stdio.h>
            #include <stdlib.h>
            #include <unistd.h>
            #include <fcntl.h>
            static volatile double sink;
            static volatile int scale = 1;
            __attribute__((noinline)) double leaf(int n) { double s = 0; for (int i = 0; i < n * scale; i++) s += i * 0.5; return s; }
            __attribute__((noinline)) double mid(int n) { return leaf(n) + leaf(n / 2); }
            __attribute__((noinline)) void kernel_work(void) {
                char b[4096]; int z = open("/dev/zero", O_RDONLY), n = open("/dev/null", O_WRONLY);
                for (int i = 0; i < 20000; i++) { if (read(z, b, sizeof b) > 0) write(n, b, sizeof b); }
                close(z); close(n);
            }
            int main(int c, char **v) {
                long end = atol(c > 1 ? v[1] : "300");
                for (long k = 0; k < end; k++) { sink += mid(100000); if (k % 100 == 0) kernel_work(); }
                printf("%f\\n", sink);
                return 0;
            }
            """;

    /** A JVM's hot loop: compiled by the JIT, named from the perf map the JVM writes as it exits. */
    private static final String SPIN_JAVA = """
            public class Spin {
                static volatile double sink;
                static double leaf(int n) { double s = 0; for (int i = 0; i < n; i++) { s += i * 0.5; } return s; }
                static double mid(int n) { return leaf(n) + leaf(n / 2); }
                public static void main(String[] a) {
                    long end = System.nanoTime() + 2_000_000_000L;
                    while (System.nanoTime() < end) { sink += mid(100_000); }
                }
            }
            """;

    @TempDir
    Path tmp;

    private static final List<UnaryOperator<CollapseOptions.Builder>> FLAGS = List.of(
            b -> b, b -> b.pid(true), b -> b.tid(true), b -> b.kernel(true), b -> b.all(true), b -> b.addrs(true));

    @Test
    void aCProgramWithKernelWork() throws Exception {
        PerfRuns.requirePerf();
        Path busy = buildBusy();
        Path data = record(List.of(busy.toString(), "600"), "c");
        for (UnaryOperator<CollapseOptions.Builder> f : FLAGS) {
            FoldedProfile ours = compare(data, f, false);
            assertTrue(ours.total() > 100, "samples: " + ours.total());
        }
        FoldedProfile k = compare(data, b -> b.kernel(true), false);
        assertTrue(k.asMap().keySet().stream().anyMatch(s -> s.contains(";main;read;") && s.endsWith("_[k]")),
                "kernel frames under read: " + k.asMap().keySet());
        assertTrue(k.asMap().keySet().stream().anyMatch(s -> s.contains("main;mid;leaf") || s.contains("main;leaf")),
                k.asMap().keySet().toString());
    }

    @Test
    void systemWide() throws Exception {
        PerfRuns.requirePerf();
        Path busy = buildBusy();
        Process p = new ProcessBuilder(busy.toString(), "100000").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Path data = record(List.of("-a", "--", "sleep", "2"), "a");
            for (UnaryOperator<CollapseOptions.Builder> f : FLAGS) {
                CollapseOptions.Builder b = f.apply(CollapseOptions.builder().threads(1));
                Map<String, Long> theirs = plt(viaPerfScript(data, b, false).asMap());
                Map<String, Long> ours = plt(PerfDataCollapser.builder().options(b.build()).goSymbols(false).build()
                        .collapse(data).profile().asMap());
                assertEquals(sum(theirs), sum(ours));
                // Allowed differences, by process: (1) C++ names, which perf demangles and we leave mangled
                // (_Z...); (2) samples of exiting tasks that perf prints as ':-1 PID/-1 TIME:', a line
                // stackcollapse cannot parse (it folds the whole line into the process name), where we
                // fold ':-1'. Every other process must fold to the same stacks.
                java.util.Set<String> skipped = new java.util.TreeSet<>();
                for (String st : ours.keySet()) {
                    if (st.contains(";_Z") || st.startsWith(":-1")) {
                        skipped.add(st.substring(0, st.indexOf(';') < 0 ? st.length() : st.indexOf(';')));
                    }
                }
                Map<String, Long> o = byComm(ours, skipped);
                Map<String, Long> t = byComm(theirs, skipped);
                if (!t.equals(o)) {
                    throw new AssertionError("skipped processes " + skipped + "; " + diff(t, o));
                }
                assertTrue(o.keySet().stream().anyMatch(st -> st.startsWith("busy")), o.keySet().toString());
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aGoProgramWithSymbols() throws Exception {
        PerfRuns.requirePerf();
        Path go = GoPrograms.build(GoPrograms.requireDefault(), Variant.PLAIN);
        Path data = record(List.of(go.toString(), "run", "2000"), "goplain");
        compare(data, b -> b, false);
        compare(data, b -> b.kernel(true), false);
    }

    @Test
    void strippedEtcdNamedFromGopclntab() throws Exception {
        PerfRuns.requirePerf();
        try (EtcdServer etcd = EtcdServer.start()) {
            etcd.load(2, 1_000_000, 4);
            Path data = tmp.resolve("etcd.data");
            exec(List.of("perf", "record", "-q", "-e", "cpu-clock", "-F", "999", "-g", "-p", Long.toString(etcd.pid()),
                    "-o", data.toString(), "--", "sleep", "3"), tmp.resolve("etcd.log"));
            FoldedProfile named = compare(data, b -> b, true);
            long etcdFrames = named.asMap().keySet().stream().filter(s -> s.startsWith("etcd;")).count();
            assertTrue(etcdFrames > 0, "etcd stacks: " + named.asMap().keySet());
            assertTrue(named.asMap().keySet().stream().anyMatch(s -> s.contains("runtime.")),
                    "Go frames named: " + named.asMap().keySet());
            // without .gopclntab naming, the frames are what perf script prints: [etcd]
            PerfDataCollapser plain = PerfDataCollapser.builder().goSymbols(false).build();
            FoldedProfile unnamed = plain.collapse(data).profile();
            assertEquals(viaPerfScript(data, CollapseOptions.builder().threads(1), false).asMap(), unnamed.asMap());
            assertTrue(unnamed.asMap().keySet().stream().anyMatch(s -> s.contains("[etcd]")), "unnamed: "
                    + unnamed.asMap().keySet());
        }
    }

    /**
     * A JVM with a perf map ({@code /tmp/perf-PID.map}, written by {@code -XX:+DumpPerfMapAtExit}): the
     * JIT's and interpreter's frames, annotated {@code _[j]} as {@code --jit} marks the perf map's, are the
     * same on both sides, stack by stack. The JVM's own C++ frames are left out of the comparison: perf
     * demangles them, we leave them mangled (the difference the system-wide test allows too).
     */
    @Test
    void aJvmWithAPerfMap() throws Exception {
        PerfRuns.requirePerf();
        Path src = tmp.resolve("Spin.java");
        Files.writeString(src, SPIN_JAVA);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long before = System.currentTimeMillis();
        Path data = record(List.of(java, "-XX:+UnlockDiagnosticVMOptions", "-XX:+DumpPerfMapAtExit",
                "-XX:+PreserveFramePointer", src.toString()), "jvm");
        try {
            CollapseOptions.Builder b = CollapseOptions.builder().threads(1).jit(true);
            FoldedProfile theirs = viaPerfScript(data, b, false);
            FoldedProfile ours = PerfDataCollapser.builder().options(b.build()).goSymbols(false).build().collapse(data)
                    .profile();
            assertEquals(theirs.total(), ours.total());
            Map<String, Long> t = jitFrames(theirs.asMap());
            Map<String, Long> o = jitFrames(ours.asMap());
            assertEquals(t, o, diff(t, o));
            assertTrue(o.keySet().stream().anyMatch(st -> st.contains("Spin.leaf_[j]")), o.keySet().toString());
        } finally {
            // the perf maps this JVM wrote (perf-PID.map, PID unknown here)
            try (var maps = Files.newDirectoryStream(Path.of("/tmp"), "perf-*.map")) {
                for (Path m : maps) {
                    if (Files.getLastModifiedTime(m).toMillis() >= before && Files.readString(m,
                            StandardCharsets.ISO_8859_1).contains("Spin.leaf")) {
                        Files.deleteIfExists(m);
                    }
                }
            }
        }
    }

    /** Each stack as its process and its {@code _[j]} frames only, the weights of stacks alike summed. */
    private static Map<String, Long> jitFrames(Map<String, Long> stacks) {
        Map<String, Long> out = new TreeMap<>();
        stacks.forEach((st, w) -> {
            String[] f = st.split(";");
            StringBuilder k = new StringBuilder(f[0]);
            for (int i = 1; i < f.length; i++) {
                if (f[i].endsWith("_[j]")) {
                    k.append(';').append(f[i]);
                }
            }
            out.merge(k.toString(), w, Long::sum);
        });
        return out;
    }

    private static String diff(Map<String, Long> theirs, Map<String, Long> ours) {
        Map<String, String> diff = new TreeMap<>();
        for (Map.Entry<String, Long> e : theirs.entrySet()) {
            Long o = ours.get(e.getKey());
            if (!e.getValue().equals(o)) {
                diff.put(e.getKey(), "perf " + e.getValue() + " ours " + o);
            }
        }
        for (Map.Entry<String, Long> e : ours.entrySet()) {
            if (!theirs.containsKey(e.getKey())) {
                diff.put(e.getKey(), "perf none, ours " + e.getValue());
            }
        }
        StringBuilder sb = new StringBuilder(diff.size() + " stacks differ:\n");
        diff.entrySet().stream().limit(20).forEach(e -> sb.append(e.getValue()).append(": ")
                .append(e.getKey().length() > 400 ? e.getKey().substring(0, 400) + "..." : e.getKey()).append('\n'));
        return sb.toString();
    }

    /** PLT stub frames and {@code _init} as one frame {@code _init|plt} (see the class comment). */
    private static Map<String, Long> plt(Map<String, Long> stacks) {
        Map<String, Long> out = new TreeMap<>();
        stacks.forEach((st, w) -> out.merge(st.replaceAll(";(_init|[^;]*@plt)(?=;|$)", ";_init|plt"), w, Long::sum));
        return out;
    }

    private static long sum(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The stacks of processes not in {@code skipped} (a process name is the stack's first frame). */
    private static Map<String, Long> byComm(Map<String, Long> stacks, java.util.Set<String> skipped) {
        Map<String, Long> out = new TreeMap<>();
        stacks.forEach((st, w) -> {
            String comm = st.indexOf(';') < 0 ? st : st.substring(0, st.indexOf(';'));
            boolean skip = comm.startsWith(":-1") || skipped.stream().anyMatch(sk -> comm.equals(sk)
                    || comm.startsWith(sk.replaceAll("-[0-9?]+(/.*)?$", "") + "-"));
            if (!skip) {
                out.put(st, w);
            }
        });
        return out;
    }

    /** Folds both ways with the same flags, asserts equality and returns ours. */
    private FoldedProfile compare(Path data, UnaryOperator<CollapseOptions.Builder> flags, boolean goNames)
            throws IOException {
        CollapseOptions.Builder b = flags.apply(CollapseOptions.builder().threads(1));
        FoldedProfile theirs = viaPerfScript(data, b, goNames);
        FoldedProfile ours = PerfDataCollapser.builder().options(b.build()).goSymbols(goNames).build().collapse(data)
                .profile();
        Map<String, Long> t = plt(theirs.asMap());
        Map<String, Long> o = plt(ours.asMap());
        if (!t.equals(o)) {
            assertEquals(theirs.total(), ours.total(), diff(t, o));
            throw new AssertionError(diff(t, o));
        }
        return ours;
    }

    private FoldedProfile viaPerfScript(Path data, CollapseOptions.Builder b, boolean goNames) throws IOException {
        Path text = data.resolveSibling(data.getFileName() + ".txt");
        if (!Files.exists(text)) {
            exec(List.of("perf", "script", "-i", data.toString(), "-F", "comm,pid,tid,time,period,event,ip,sym,dso"),
                    text);
        }
        if (goNames) {
            b = b.symbolizer(GoSymbolizer.builder().build());
        }
        try (InputStream in = Files.newInputStream(text)) {
            return PerfCollapser.create(b.build()).collapse(in, text.toString());
        }
    }

    private Path buildBusy() throws IOException {
        Path src = tmp.resolve("busy.c");
        Files.writeString(src, BUSY_C);
        Path exe = tmp.resolve("busy");
        exec(List.of("gcc", "-O1", "-fno-omit-frame-pointer", "-o", exe.toString(), src.toString()),
                tmp.resolve("gcc.log"));
        return exe;
    }

    private Path record(List<String> command, String name) throws IOException {
        Path data = tmp.resolve(name + ".data");
        List<String> cmd = new ArrayList<>(List.of("perf", "record", "-q", "-e", "cpu-clock", "-F", "999", "-g",
                "-o", data.toString()));
        if (!command.get(0).equals("-a")) {
            cmd.add("--");
        }
        cmd.addAll(command);
        exec(cmd, tmp.resolve(name + ".log"));
        return data;
    }

    static void exec(List<String> cmd, Path out) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.appendTo(out.resolveSibling(out.getFileName() + ".err").toFile()))
                .start();
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                throw new IllegalStateException(String.join(" ", cmd) + ": timed out");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": "
                        + Files.readString(out.resolveSibling(out.getFileName() + ".err"), StandardCharsets.ISO_8859_1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            p.destroyForcibly();
        }
    }
}
