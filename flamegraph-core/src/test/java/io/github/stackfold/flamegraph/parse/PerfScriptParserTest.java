package io.github.stackfold.flamegraph.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.parse.PerfScriptParser.Kind;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class PerfScriptParserTest {

    private static PerfScriptParser parse(String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        return PerfScriptParser.of(new ByteArrayInputStream(b), "test");
    }

    private static PerfScriptParser one(String line) throws IOException {
        PerfScriptParser p = parse(line + "\n");
        p.next();
        return p;
    }

    @Test
    void readsEventLineWithTidCpuPeriodAndEvent() throws IOException {
        PerfScriptParser p = one("java 12688 [002] 6544038.708352: 10309278 cpu-clock:");
        assertThat(p.kind()).isEqualTo(Kind.EVENT);
        assertThat(p.comm().toString()).isEqualTo("java");
        assertThat(p.pid().toString()).isEqualTo("12688");
        assertThat(p.hasTid()).isFalse();
        assertThat(p.hasPeriod()).isTrue();
        assertThat(p.period().toString()).isEqualTo("10309278");
        assertThat(p.event().toString()).isEqualTo("cpu-clock");
    }

    @Test
    void readsPidSlashTidAndProcessNamesWithSpaces() throws IOException {
        PerfScriptParser p = one("V8 WorkerThread 24636/25607 [000] 94564.109216: 100 cycles:");
        assertThat(p.kind()).isEqualTo(Kind.EVENT);
        assertThat(p.comm().toString()).isEqualTo("V8 WorkerThread");
        assertThat(p.pid().toString()).isEqualTo("24636");
        assertThat(p.hasTid()).isTrue();
        assertThat(p.tid().toString()).isEqualTo("25607");
        assertThat(p.period().toString()).isEqualTo("100");
        assertThat(p.event().toString()).isEqualTo("cycles");
    }

    @Test
    void keepsEventModifiersAndTrailingBlanksAreIgnored() throws IOException {
        PerfScriptParser p = one("inline-counter 26037  8801.193547:     250000 cpu-clock:uhH: \t");
        assertThat(p.event().toString()).isEqualTo("cpu-clock:uhH");
        assertThat(p.period().toString()).isEqualTo("250000");
    }

    @Test
    void eventWithoutPeriodHasNoPeriod() throws IOException {
        PerfScriptParser p = one("iperf 27409/28744 [000] 441995.133575: cpu-clock: ");
        assertThat(p.hasEvent()).isTrue();
        assertThat(p.event().toString()).isEqualTo("cpu-clock");
        assertThat(p.hasPeriod()).isFalse();
    }

    @Test
    void tracepointWithArgumentsHasNoKnownEvent() throws IOException {
        PerfScriptParser p = one("kworker/0:1 123 [000] 10.000001: sched:sched_switch: prev_comm=kworker/0:1 prev_pid=123");
        assertThat(p.kind()).isEqualTo(Kind.EVENT);
        assertThat(p.comm().toString()).isEqualTo("kworker/0:1");
        assertThat(p.hasEvent()).isFalse();
    }

    @Test
    void eventNameWithoutColonBeforeItIsNotKnown() throws IOException {
        PerfScriptParser p = one("java 19983 cycles:");
        assertThat(p.kind()).isEqualTo(Kind.EVENT);
        assertThat(p.hasEvent()).isFalse();
    }

    @Test
    void exitingTaskNameIsTakenAsPrinted() throws IOException {
        PerfScriptParser p = one(":-1 -1 [001] 3.0: 1 cycles:");
        // the command is the shortest prefix followed by blanks, a number and a blank: ":-1 -1 [001] 3.0:"
        assertThat(p.kind()).isEqualTo(Kind.EVENT);
        assertThat(p.comm().toString()).isEqualTo(":-1 -1 [001] 3.0:");
        assertThat(p.pid().toString()).isEqualTo("1");
        assertThat(p.event().toString()).isEqualTo("cycles");
    }

    @Test
    void readsStackLineWithOffsetAndModule() throws IOException {
        PerfScriptParser p = one("\t    7fffb84c9afc cpu_startup_entry+0x800047c022ec ([kernel.kallsyms])");
        assertThat(p.kind()).isEqualTo(Kind.FRAME);
        assertThat(p.address().toString()).isEqualTo("7fffb84c9afc");
        assertThat(p.symbol().toString()).isEqualTo("cpu_startup_entry+0x800047c022ec");
        assertThat(p.module().toString()).isEqualTo("[kernel.kallsyms]");
    }

    @Test
    void symbolsMayHoldSpacesAndParentheses() throws IOException {
        PerfScriptParser p = one("\t    7f595549a8a1 void java.util.Streams$R.forEach(java.util.function.IntConsumer)+0x361 (/tmp/perf-24917.map)");
        assertThat(p.symbol().toString()).isEqualTo("void java.util.Streams$R.forEach(java.util.function.IntConsumer)+0x361");
        assertThat(p.module().toString()).isEqualTo("/tmp/perf-24917.map");
        PerfScriptParser q = one("  4b5d8e net/http.(*conn).serve+0x4ee (/usr/local/bin/server)");
        assertThat(q.symbol().toString()).isEqualTo("net/http.(*conn).serve+0x4ee");
    }

    @Test
    void unknownFramesAndUnindentedFramesAreFrames() throws IOException {
        PerfScriptParser p = one("    7ffc71ee9580 [unknown] ([unknown])");
        assertThat(p.kind()).isEqualTo(Kind.FRAME);
        assertThat(p.symbol().toString()).isEqualTo("[unknown]");
        assertThat(p.module().toString()).isEqualTo("[unknown]");
        assertThat(one("ffffffff8103d0ca native_write_msr_safe ([kernel.kallsyms])").kind()).isEqualTo(Kind.FRAME);
    }

    @Test
    void srclineAndGarbageAreUnrecognizedButBlankOnlyLinesAreNotSampleEnds() throws IOException {
        assertThat(one("  uniform_int_dist.h:300").kind()).isEqualTo(Kind.UNRECOGNIZED);
        assertThat(one("\t          THIS_IS_A_WEIRD_LINE").kind()).isEqualTo(Kind.UNRECOGNIZED);
        assertThat(one("   ").kind()).isEqualTo(Kind.UNRECOGNIZED);
        assertThat(one("\r").kind()).isEqualTo(Kind.UNRECOGNIZED);
        assertThat(one("# cmdline : perf record -g").kind()).isEqualTo(Kind.COMMENT);
    }

    @Test
    void tracksLineNumbersAndByteOffsetsIncludingALastLineWithoutNewline() throws IOException {
        PerfScriptParser p = parse("# c\nx 1 2.0: 1 cycles:\n  ab f (m)\n\nlast");
        List<String> seen = new ArrayList<>();
        Kind k;
        while ((k = p.next()) != Kind.END) {
            seen.add(k + "@" + p.lineNumber() + "/" + p.lineOffset());
        }
        assertThat(seen).containsExactly("COMMENT@1/0", "EVENT@2/4", "FRAME@3/23", "END_OF_SAMPLE@4/34",
                "UNRECOGNIZED@5/35");
    }

    @Test
    void linesLongerThanTheBufferAndOneByteReadsParseTheSame() throws IOException {
        String longName = "f".repeat(200_000);
        String text = "java 1 1.0: 3 cycles:\n  ab " + longName + " (m)\n\n";
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        InputStream slow = new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < b.length ? b[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] dst, int off, int len) {
                if (pos >= b.length) {
                    return -1;
                }
                dst[off] = b[pos++];
                return 1;
            }
        };
        PerfScriptParser p = PerfScriptParser.of(slow, "slow");
        assertThat(p.next()).isEqualTo(Kind.EVENT);
        assertThat(p.next()).isEqualTo(Kind.FRAME);
        assertThat(p.symbol().length()).isEqualTo(200_000);
        assertThat(p.next()).isEqualTo(Kind.END_OF_SAMPLE);
        assertThat(p.next()).isEqualTo(Kind.END);
    }

    // ---------------------------------------------------------------------------------------------
    // The line shapes written as regular expressions (leftmost, greedy/lazy backtracking semantics,
    // as the reference script's matching has); the hand-written byte matchers must agree on every line
    // of the shared inputs and on many mutated lines.

    private static final String BLANK = "[ \\t\\n\\x0B\\f\\r]";
    private static final String NONBLANK = "[^ \\t\\n\\x0B\\f\\r]";
    private static final Pattern EVENT = Pattern.compile(
            "^(" + NONBLANK + ".+?)" + BLANK + "+([0-9]+)/*([0-9]+)?" + BLANK, Pattern.DOTALL);
    private static final Pattern PERIOD_EVENT = Pattern.compile(
            ":" + BLANK + "*([0-9]+)?" + BLANK + "+(" + NONBLANK + "+):" + BLANK + "*\\z", Pattern.DOTALL);
    private static final Pattern FRAME = Pattern.compile(
            "^" + BLANK + "*([A-Za-z0-9_]+)" + BLANK + "*(.+) \\((" + NONBLANK + "*)\\)", Pattern.DOTALL);

    private static String describeWithRegex(String line) {
        if (line.isEmpty()) {
            return "END_OF_SAMPLE";
        }
        if (line.startsWith("#")) {
            return "COMMENT";
        }
        Matcher m = EVENT.matcher(line);
        if (m.find()) {
            String d = "EVENT comm=" + m.group(1) + " pid=" + m.group(2) + " tid=" + (m.group(3) == null ? "-" : m.group(3));
            Matcher e = PERIOD_EVENT.matcher(line);
            if (e.find()) {
                d += " period=" + (e.group(1) == null ? "-" : e.group(1)) + " event=" + e.group(2);
            }
            return d;
        }
        Matcher f = FRAME.matcher(line);
        if (f.find()) {
            return "FRAME addr=" + f.group(1) + " sym=" + f.group(2) + " mod=" + f.group(3);
        }
        return "UNRECOGNIZED";
    }

    private static String describeWithParser(String line) throws IOException {
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        PerfScriptParser p = PerfScriptParser.of(b, 0, b.length, "t", 1, 0);
        Kind k = p.next();
        if (k == Kind.END) {
            return "END_OF_SAMPLE"; // an empty input has no line; the regexes see one empty line
        }
        switch (k) {
            case EVENT: {
                String d = "EVENT comm=" + p.comm() + " pid=" + p.pid() + " tid=" + (p.hasTid() ? p.tid() : "-");
                if (p.hasEvent()) {
                    d += " period=" + (p.hasPeriod() ? p.period() : "-") + " event=" + p.event();
                }
                return d;
            }
            case FRAME:
                return "FRAME addr=" + p.address() + " sym=" + p.symbol() + " mod=" + p.module();
            default:
                return k.name();
        }
    }

    @Test
    void byteMatchersAgreeWithTheLineShapesOnSharedInputsAndMutations() throws IOException {
        Path dir = Shared.path("conformance/collapse-perf/inputs");
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String all = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (String l : all.split("\n", -1)) {
                    if (lines.size() < 40_000) {
                        lines.add(l);
                    }
                }
            }
        }
        String[] extra = {":-1 -1 [000] 1.0: 1 cycles:", "a 1 2", "ab 1 ", "ab  12/34 x", "ab 1/ x", "ab 1//2 x",
            "x 0/0 [1] 2: 0 ev:", "  ab (m)", "  abc (m)", "  a  (x) (y)", " w s (a b) (c)d e", "  z f (a)(b) c",
            "  9 x ((m))", "  q x (m) trailing", "java 1 2: 3 :", "java 1 2: 3 a: ", "p 1 2:3 e:", "p 1 2: 3  4 e:"};
        lines.addAll(List.of(extra));
        Random r = new Random(42);
        char[] alphabet = " \t:()/-+x0179abL[]>#\r".toCharArray();
        int base = lines.size();
        for (int i = 0; i < 60_000; i++) {
            StringBuilder sb = new StringBuilder(lines.get(r.nextInt(base)));
            int edits = 1 + r.nextInt(3);
            for (int e = 0; e < edits; e++) {
                int at = sb.length() == 0 ? 0 : r.nextInt(sb.length() + 1);
                int op = r.nextInt(3);
                if (op == 0 || sb.length() == 0 || at == sb.length()) {
                    sb.insert(at, alphabet[r.nextInt(alphabet.length)]);
                } else if (op == 1) {
                    sb.deleteCharAt(at);
                } else {
                    sb.setCharAt(at, alphabet[r.nextInt(alphabet.length)]);
                }
            }
            lines.add(sb.toString());
        }
        int checked = 0;
        for (String l : lines) {
            assertThat(describeWithParser(l)).as("line %s", l).isEqualTo(describeWithRegex(l));
            checked++;
        }
        assertThat(checked).isGreaterThan(60_000);
    }
}
