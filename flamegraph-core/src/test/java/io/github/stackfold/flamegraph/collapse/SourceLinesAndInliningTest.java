package io.github.stackfold.flamegraph.collapse;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --srcline}, {@code --inline} and {@code --context} against stackcollapse-perf.pl's own output.
 *
 * <p>{@code src/test/resources/collapse-perf/} holds, in the layout of {@code ../shared/conformance/collapse-perf}:
 * {@code bin/inl}, built from {@code bin/inl.c} with {@code gcc -g -O2 -no-pie -fno-omit-frame-pointer}
 * (Debian gcc 12.2); {@code inputs/gcc-inline-srcline.txt}, {@code perf script -F+srcline} (perf 6.1) of
 * {@code perf record -e cpu-clock -F 299 -g ./inl 5000} (173 samples); {@code inputs/gcc-inline.txt},
 * plain {@code perf script} of the same recording without its libc stack lines (addr2line on the
 * machine's libc would make the expected output depend on the machine); and
 * {@code expected/<input>--<opts>.txt}, the output of stackcollapse-perf.pl (FlameGraph, the version
 * with {@code --srcline}; the copy used is Thaumy/FlameGraph at ca26a74, which gives all 218 shared
 * conformance outputs byte for byte) with those flags. The recording ran {@code /tmp/collapse-inl/inl};
 * the inputs keep that path, and the inlining cases replace it by this copy's path (the output names
 * no path). Inlining needs addr2line and nm (binutils) and is skipped, saying so, without them.
 */
class SourceLinesAndInliningTest {
    static final String RECORDED_BINARY = "/tmp/collapse-inl/inl";

    static Path resources() throws URISyntaxException {
        return Path.of(SourceLinesAndInliningTest.class.getResource("/collapse-perf/expected").toURI()).getParent();
    }

    static Stream<String> cases() throws Exception {
        try (Stream<Path> s = Files.list(resources().resolve("expected"))) {
            return s.map(p -> p.getFileName().toString().replaceAll("\\.txt$", "")).sorted().toList().stream();
        }
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static String collapse(byte[] input, String opts) throws IOException {
        CollapseOptions.Builder b = CollapseOptions.builder();
        if (!opts.equals("default")) {
            for (String f : opts.split("\\+")) {
                switch (f) {
                    case "srcline" -> b.srcline(true);
                    case "inline" -> b.inline(true);
                    case "context" -> b.context(true);
                    case "all" -> b.all(true);
                    case "tid" -> b.tid(true);
                    default -> throw new AssertionError("unknown flag " + f);
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PerfCollapser.create(b.build()).collapse(new ByteArrayInputStream(input), "in").write(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesStackcollapsePerf(String name) throws Exception {
        int sep = name.indexOf("--");
        String input = name.substring(0, sep);
        String opts = name.substring(sep + 2);
        Path dir = resources();
        String text = Files.readString(dir.resolve("inputs").resolve(input + ".txt"), StandardCharsets.ISO_8859_1);
        if (opts.contains("inline")) {
            Shared.requireThat(onPath("addr2line") && onPath("nm"), "addr2line or nm is not installed (apt-get install binutils)");
            Path bin = dir.resolve("bin/inl");
            assertThat(text).contains("(" + RECORDED_BINARY + ")");
            text = text.replace("(" + RECORDED_BINARY + ")", "(" + bin.toAbsolutePath() + ")");
        }
        String expected = Files.readString(dir.resolve("expected").resolve(name + ".txt"), StandardCharsets.ISO_8859_1);
        assertThat(collapse(text.getBytes(StandardCharsets.ISO_8859_1), opts)).isEqualTo(expected);
    }

    @Test
    void theCasesShowWhatTheFlagsDo() throws Exception {
        Path dir = resources().resolve("expected");
        assertThat(Files.readString(dir.resolve("gcc-inline-srcline--srcline.txt")))
                .contains("inl;__libc_start_call_main:libc-start.c:74;main:inl.c:");
        assertThat(Files.readString(dir.resolve("gcc-inline--inline.txt"))).contains("inl;hash_block;step;mix ");
        assertThat(Files.readString(dir.resolve("gcc-inline--inline+context.txt"))).contains(";step:inl.c:17;mix:inl.c:");
    }

    @Test
    void aSourceLineIsWhateverLineFollowsAndLosesItsBrackets() throws Exception {
        String in = "app 1 1.0: 1 cycles:\n"
                + "  1 f+0x1 (/bin/app)\n"
                + "  [x]  a.c:1 [y] \n"
                + "  2 g->h (/bin/app)\n"
                + "  g.c:2\n"
                + "\n" // h's source line: an empty line, read as one
                + "  3 [unknown] ([unknown])\n"
                + "\n"
                + "app 1 1.0: 1 cycles:\n"
                + "  1 f (/bin/app)\n"; // cut off: the sample is dropped
        assertThat(collapse(in.getBytes(StandardCharsets.US_ASCII), "srcline")).isEqualTo("app;[unknown];g:g.c:2;h_[i];f:a.c:1 1\n");
    }
}
