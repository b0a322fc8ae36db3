package io.github.stackfold.flamegraph.collapse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.Test;

class PerfCollapserTest {

    private static String fold(String perfScript) throws IOException {
        return fold(perfScript, b -> { });
    }

    private static String fold(String perfScript, Consumer<CollapseOptions.Builder> options) throws IOException {
        CollapseOptions.Builder b = CollapseOptions.builder().threads(1);
        options.accept(b);
        return PerfCollapser.create(b.build())
                .collapse(new ByteArrayInputStream(perfScript.getBytes(StandardCharsets.ISO_8859_1)), "test.txt")
                .toString();
    }

    @Test
    void collapsesGoMethodNamesWithPointerReceivers() throws IOException {
        String in = "server 4242 [001] 100.000001: 1000 cpu-clock:\n"
                + "\t  4b5d8e net/http.(*conn).serve+0x4ee (/usr/local/bin/server)\n"
                + "\t  45f1a1 runtime.goexit.abi0+0x1 (/usr/local/bin/server)\n\n"
                + "server 4242 [001] 100.000002: 1000 cpu-clock:\n"
                + "\t  4b0000 main.Map[...]+0x10 (/usr/local/bin/server)\n"
                + "\t  4b0100 main.main.func1+0x20 (/usr/local/bin/server)\n\n";
        assertThat(fold(in)).isEqualTo(
                "server;main.main.func1;main.Map[...] 1000\n"
                + "server;runtime.goexit.abi0;net/http.(*conn).serve 1000\n");
    }

    @Test
    void dropsCppArgumentListsButKeepsAnonymousNamespaces() throws IOException {
        String in = "app 7 1.0: 1 cycles:\n"
                + "  401b97 ns::(anonymous namespace)::worker(int, char const*)+0x17 (/opt/app)\n"
                + "  401c00 std::function<void ()>::operator()() const+0x32 (/opt/app)\n"
                + "  401d00 (anonymous namespace)::helper()+0x1 (/opt/app)\n"
                + "  401e00 print(\"quoted\")+0x1 (/opt/app)\n\n";
        // the first '(' ends the name, even inside a template argument; a name starting with '(' is skipped
        assertThat(fold(in)).isEqualTo("app;print;std::function<void ;ns::(anonymous namespace)::worker 1\n");
    }

    @Test
    void shortensJavaDescriptorsOnlyForJavaProcesses() throws IOException {
        String frame = "  7f722d142778 Lorg/mozilla/javascript/ContextFactory;.call(Lorg/mozilla/javascript/ContextAction;)"
                + "Ljava/lang/Object; (/tmp/perf-19982.map)\n";
        String in = "java 19982 1.0: 1 cycles:\n" + frame + "\n" + "node 19983 1.0: 1 cycles:\n" + frame + "\n";
        assertThat(fold(in)).isEqualTo(
                "java;org/mozilla/javascript/ContextFactory:.call 1\n"
                + "node;Lorg/mozilla/javascript/ContextFactory:.call 1\n");
        // with --pid the process name is java-?, which still starts with java
        assertThat(fold("java 19982 1.0: 1 cycles:\n" + frame + "\n", b -> b.pid(true)))
                .isEqualTo("java-?;org/mozilla/javascript/ContextFactory:.call 1\n");
    }

    @Test
    void keepsRustTraitImplementationsAndClosures() throws IOException {
        String in = "boa_cli 12937 10360.271071:   10101010 cpu-clock:uhH: \n"
                + "  562039122f0f <alloc::boxed::Box<T> as gc::trace::Trace>::trace+0xbf (/target/debug/boa_cli)\n"
                + "  56203912789e boa::main::{{closure}}+0xe (/target/debug/boa_cli)\n\n";
        assertThat(fold(in)).isEqualTo(
                "boa_cli;boa::main::{{closure}};<alloc::boxed::Box<T> as gc::trace::Trace>::trace 10101010\n");
    }

    @Test
    void weighsSamplesByPeriodAndCountsOneWithoutIt() throws IOException {
        String with = "app 1 1.0: 250000 cpu-clock:\n  1 f (m)\n\napp 1 1.1: 250000 cpu-clock:\n  1 f (m)\n\n";
        assertThat(fold(with)).isEqualTo("app;f 500000\n");
        String without = "app 1 [000] 1.0: cpu-clock:\n  1 f (m)\n\napp 1 [000] 1.1: cpu-clock:\n  1 f (m)\n\n";
        assertThat(fold(without)).isEqualTo("app;f 2\n");
        // a period of 0 counts as 1 (the reference treats "0" as no period)
        assertThat(fold("app 1 1.0: 0 cpu-clock:\n  1 f (m)\n\n")).isEqualTo("app;f 1\n");
    }

    @Test
    void keepsTheFirstEventByDefaultAndReportsWhatItDropped() throws IOException {
        String in = "app 1 1.0: 10 cycles:\n  1 f (m)\n\n"
                + "app 1 1.1: 20 instructions:\n  1 g (m)\n\n"
                + "app 1 1.2: 30 instructions:\n  1 g (m)\n\n"
                + "app 1 1.3: 40 cycles:\n  1 f (m)\n\n";
        List<CollapseStats> stats = new ArrayList<>();
        CollapseListener l = new CollapseListener() {
            @Override
            public void finished(CollapseStats s) {
                stats.add(s);
            }
        };
        assertThat(fold(in, b -> b.listener(l))).isEqualTo("app;f 50\n");
        assertThat(stats).hasSize(1);
        assertThat(stats.get(0).keptEvent()).isEqualTo("cycles");
        assertThat(stats.get(0).eventDefaulted()).isTrue();
        assertThat(stats.get(0).droppedEvents()).isEqualTo(Map.of("instructions", 2L));
        assertThat(fold(in, b -> b.eventFilter("instructions"))).isEqualTo("app;g 50\n");
    }

    @Test
    void namesProcessesWithPidAndTid() throws IOException {
        String in = "V8 WorkerThread 24636/25607 [000] 94564.109216: 100 cycles:\n  1 f (m)\n\n"
                + "java 25607 [000] 94564.109217: 100 cycles:\n  1 f (m)\n\n";
        assertThat(fold(in)).isEqualTo("V8_WorkerThread;f 100\njava;f 100\n");
        assertThat(fold(in, b -> b.pid(true))).isEqualTo("V8_WorkerThread-24636;f 100\njava-?;f 100\n");
        assertThat(fold(in, b -> b.tid(true))).isEqualTo("V8_WorkerThread-24636/25607;f 100\njava-?/25607;f 100\n");
    }

    @Test
    void namesUnknownFramesByModuleAndWithAddrsByAddress() throws IOException {
        String in = "app 1 1.0: 1 cycles:\n"
                + "  7f00aa [unknown] (/lib/x86_64-linux-gnu/libc.so.6)\n"
                + "  7f00bb [unknown] ([unknown])\n\n";
        assertThat(fold(in)).isEqualTo("app;[unknown];[libc.so.6] 1\n");
        assertThat(fold(in, b -> b.addrs(true))).isEqualTo("app;[unknown <7f00bb>];[libc.so.6 <7f00aa>] 1\n");
    }

    @Test
    void annotatesKernelJitAndInlinedFrames() throws IOException {
        String in = "java 1 1.0: 1 cycles:\n"
                + "  ffffffff81 do_syscall_64+0x5 ([kernel.kallsyms])\n"
                + "  8c3453 tcp_sendmsg (/lib/modules/4.3.0/build/vmlinux)\n"
                + "  7f1 Lp/A;::outer->Lp/B;::inner+0x4 (/tmp/perf-123.map)\n"
                + "  7f2 [unknown] ([unknown])\n\n";
        assertThat(fold(in)).isEqualTo("java;[unknown];p/A:::outer;p/B:::inner_[i];tcp_sendmsg;do_syscall_64 1\n");
        assertThat(fold(in, b -> b.all(true))).isEqualTo(
                "java;[unknown];p/A:::outer_[j];p/B:::inner_[i];tcp_sendmsg_[k];do_syscall_64_[k] 1\n");
        assertThat(fold(in, b -> b.kernel(true))).contains("tcp_sendmsg_[k]").doesNotContain("_[j]");
        assertThat(fold(in, b -> b.jit(true))).contains("outer_[j]").doesNotContain("_[k]");
    }

    @Test
    void symbolizerNamesUnknownFramesAndMarksTheCalleesInlinedIntoThem() throws IOException {
        List<String> asked = new CopyOnWriteArrayList<>();
        FrameSymbolizer s = (module, address) -> {
            asked.add(module + "@" + Long.toHexString(address));
            return address == 0x4b5d8e ? new String[] {"net/http.(*conn).serve", "main.handler(int)"} : null;
        };
        String in = "apiserver 1 1.0: 1 cpu-clock:\n"
                + "  4b5d8e [unknown] (/usr/local/bin/kube-apiserver)\n"
                + "  4b0000 [unknown] (/usr/local/bin/kube-apiserver)\n"
                + "  7f2 [unknown] ([unknown])\n\n";
        assertThat(fold(in, b -> b.symbolizer(s))).isEqualTo(
                "apiserver;[unknown];[kube-apiserver];net/http.(*conn).serve;main.handler_[i] 1\n");
        assertThat(asked).containsExactlyInAnyOrder("/usr/local/bin/kube-apiserver@4b5d8e",
                "/usr/local/bin/kube-apiserver@4b0000");
    }

    @Test
    void aSampleWithoutItsEmptyLineJoinsTheNextAndTheLastIsDropped() throws IOException {
        String in = "app 1 1.0: 1 cycles:\n  1 f (m)\n"
                + "bb 2 1.1: 5 cycles:\n  1 g (m)\n\n"
                + "cc 3 1.2: 7 cycles:\n  1 h (m)\n";
        assertThat(fold(in)).isEqualTo("bb;g;f 5\n");
    }

    @Test
    void reportsBadLinesWithSourceAndLineAndGoesOn() throws IOException {
        String in = "app 1 1.0: 1 cycles:\n  1 f (m)\n  garbage here\n\n# comment\n??\napp 1 1.0: 1 cycles:\n  1 f (m)\n\n";
        List<BadInputException> bad = new ArrayList<>();
        List<CollapseStats> stats = new ArrayList<>();
        CollapseListener l = new CollapseListener() {
            @Override
            public void badLine(BadInputException e) {
                bad.add(e);
            }

            @Override
            public void finished(CollapseStats s) {
                stats.add(s);
            }
        };
        assertThat(fold(in, b -> b.listener(l))).isEqualTo("app;f 2\n");
        assertThat(bad).extracting(BadInputException::line).containsExactly(3L, 6L);
        assertThat(bad.get(0).getMessage()).startsWith("test.txt:3: unrecognized line 'garbage here'");
        assertThat(bad.get(0).offset()).isEqualTo(31);
        assertThat(stats.get(0).badLines()).isEqualTo(2);
        List<BadInputException> few = new ArrayList<>();
        fold(in, b -> b.maxBadLineReports(1).listener(new CollapseListener() {
            @Override
            public void badLine(BadInputException e) {
                few.add(e);
            }
        }));
        assertThat(few).hasSize(1);
    }

    @Test
    void rejectsInputThatIsNotPerfScript() {
        PerfCollapser c = PerfCollapser.create(CollapseOptions.builder().threads(1).build());
        assertThatThrownBy(() -> c.collapse(new ByteArrayInputStream(new byte[0]), "empty.txt"))
                .isInstanceOf(BadInputException.class).hasMessageStartingWith("empty.txt: empty input");
        assertThatThrownBy(() -> c.collapse(new ByteArrayInputStream(new byte[] {'P', 'E', 'R', 'F', 'I', 'L', 'E', '2', 0}),
                "perf.data")).isInstanceOf(BadInputException.class).hasMessageContaining("perf.data: a perf.data file");
        assertThatThrownBy(() -> c.collapse(new ByteArrayInputStream(new byte[] {1, 2, 0, 3}), "x.bin"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("x.bin: binary data");
        assertThatThrownBy(() -> c.collapse(new ByteArrayInputStream("{\"a\": 1 }\n".getBytes(StandardCharsets.UTF_8)), "p.json"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("p.json: JSON");
        assertThatThrownBy(() -> c.collapse(new ByteArrayInputStream("hello\nworld\n".getBytes(StandardCharsets.UTF_8)), "r.md"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("r.md: no event or stack line found");
    }

    @Test
    void readsGzipXzBzip2AndZstdByContent() throws IOException {
        String text = "app 1 1.0: 3 cycles:\n  1 f+0x1 (m)\n  2 main (m)\n\n";
        byte[] plain = text.getBytes(StandardCharsets.ISO_8859_1);
        PerfCollapser c = PerfCollapser.create(CollapseOptions.builder().threads(1).build());
        for (String kind : List.of("gz", "xz", "bz2", "zst")) {
            byte[] packed = compress(kind, plain);
            assertThat(packed).as(kind).isNotEqualTo(plain);
            assertThat(c.collapse(new ByteArrayInputStream(packed), "in." + kind).toString()).as(kind)
                    .isEqualTo("app;main;f 3\n");
        }
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

    @Test
    void mergesSeveralInputsIntoOneProfile() throws IOException {
        PerfCollapser c = PerfCollapser.create(CollapseOptions.builder().threads(1).build());
        FoldedProfile p = c.session()
                .add(new ByteArrayInputStream("app 1 1.0: 2 cycles:\n  1 f (m)\n\n".getBytes(StandardCharsets.US_ASCII)), "one")
                .add(new ByteArrayInputStream(("app 1 1.0: 3 instructions:\n  1 g (m)\n\n"
                        + "app 1 1.0: 5 cycles:\n  1 f (m)\n\n").getBytes(StandardCharsets.US_ASCII)), "two")
                .finish();
        // the first input's first event (cycles) is kept in both
        assertThat(p.toString()).isEqualTo("app;f 7\n");
    }

    /** Folds with 1 thread and with 3 threads on small pieces; returns both outputs and bad-line reports. */
    private static List<String> oneAndMany(byte[] data, Consumer<CollapseOptions.Builder> flags) throws IOException {
        List<String> results = new ArrayList<>();
        for (int threads : new int[] {1, 3}) {
            List<String> bad = new ArrayList<>();
            CollapseOptions.Builder b = CollapseOptions.builder().threads(threads).chunkBytes(threads == 1 ? 1 << 22 : 700)
                    .maxBadLineReports(1000).listener(new CollapseListener() {
                        @Override
                        public void badLine(BadInputException e) {
                            bad.add(e.getMessage() + "@" + e.offset());
                        }
                    });
            flags.accept(b);
            results.add(PerfCollapser.create(b.build()).collapse(new ByteArrayInputStream(data), "in") + String.join("\n", bad));
        }
        return results;
    }

    @Test
    void parallelFoldingGivesTheSameProfileAndBadLinesAsOneThread() throws IOException {
        Path dir = Shared.path("conformance/collapse-perf/inputs");
        int compared = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                byte[] data = Files.readAllBytes(f);
                if (data.length == 0) {
                    continue;
                }
                List<String> r = oneAndMany(data, b -> b.all(true).tid(true));
                assertThat(r.get(1)).as(f.getFileName().toString()).isEqualTo(r.get(0));
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(20);
        byte[] weird = "app 1 1.0: 1 cycles:\n  1 f (m)\n\n??\n\n\nbb 1 1.0: 1 cycles:\n  1 g (m)\n  bad\n\n".repeat(200)
                .getBytes(StandardCharsets.US_ASCII);
        List<String> r = oneAndMany(weird, b -> { });
        assertThat(r.get(0)).contains("in:4: unrecognized line '??'").contains("in:9: unrecognized line 'bad'");
        assertThat(r.get(1)).isEqualTo(r.get(0));
    }

    @Test
    void aReadThatFailsWhileThreadsFoldFailsTheRunAndLeavesNoThreadBehind() throws Exception {
        byte[] data = "app 1 1.0: 1 cycles:\n  1 f (m)\n\n".repeat(2000).getBytes(StandardCharsets.US_ASCII);
        InputStream failing = new InputStream() {
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= 40_000) {
                    throw new IOException("disk on fire");
                }
                int n = Math.min(len, Math.min(997, data.length - pos));
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        long before = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("stackfold-collapse")).count();
        PerfCollapser c = PerfCollapser.create(CollapseOptions.builder().threads(3).chunkBytes(700).build());
        assertThatThrownBy(() -> c.collapse(failing, "in")).isInstanceOf(IOException.class).hasMessageContaining("disk on fire");
        for (int i = 0; i < 100 && Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("stackfold-collapse")).count() > before; i++) {
            Thread.sleep(20);
        }
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("stackfold-collapse")).count())
                .isEqualTo(before);
    }

    @Test
    void parallelFoldingOfARealJvmRecordingMatchesOneThread() throws IOException {
        Path gz = Shared.path("bench/real-jvm-xz-kernel.perf.txt.gz");
        byte[] data;
        try (InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz))) {
            data = in.readNBytes(12 << 20); // the first 12 MB keep the test quick
        }
        FoldedProfile one = PerfCollapser.create(CollapseOptions.builder().threads(1).all(true).build())
                .collapse(new ByteArrayInputStream(data), "jvm");
        FoldedProfile many = PerfCollapser.create(CollapseOptions.builder().threads(4).chunkBytes(256 << 10).all(true).build())
                .collapse(new ByteArrayInputStream(data), "jvm");
        assertThat(one.size()).isGreaterThan(100);
        assertThat(many.toString()).isEqualTo(one.toString());
    }
}
