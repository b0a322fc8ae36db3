package io.github.stackfold.flamegraph.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Memory follows distinct stacks, not input lines: repeats merge while read, and frames too narrow
 * to draw are dropped while laid out, with the same SVG as before.
 */
class RepeatedStacksTest {
    private static FoldedSamples read(String text, boolean anywhere) throws Exception {
        return FoldedSamples.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), "t", e -> { },
                anywhere);
    }

    @Test
    void aRepeatOfTheLineBeforeAddsItsCountToIt() throws Exception {
        FoldedSamples s = read("a;b 1\na;b 2\na;b 3\na;c 1\na;b 4\n", false);
        assertThat(s.size()).as("a flame chart keeps the later a;b: order matters there").isEqualTo(3);
        assertThat(s.stack(0)).isEqualTo("a;b");
        assertThat(s.count(0)).isEqualTo(6);
        assertThat(s.count(2)).isEqualTo(4);
    }

    @Test
    void mergingAnywhereFindsARepeatFarFromItsFirstLine() throws Exception {
        FoldedSamples s = read("a;b 1\na;b 2\nz 1\na;c 1\na;b 4\nz 2\n", true);
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.count(0)).isEqualTo(7);
        assertThat(s.count(1)).as("z").isEqualTo(3);
        assertThat(s.stack(2)).isEqualTo("a;c");
    }

    @Test
    void twoCountLinesAreNeverMergedSinceFlamegraphPlIgnoresTheChangeOfARepeat() throws Exception {
        FoldedSamples s = read("a;b 1 5\na;b 1 5\na;b 3\n", true);
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.secondCount(1)).isEqualTo(5);
    }

    @Test
    void mergedAndPrunedGraphsAreByteIdenticalToTheUnmergedOnes() throws Exception {
        Random r = new Random(11);
        long pruned = 0;
        for (int round = 0; round < 60; round++) {
            StringBuilder sb = new StringBuilder();
            int lines = 1 + r.nextInt(400);
            for (int i = 0; i < lines; i++) {
                int depth = 1 + r.nextInt(6);
                for (int d = 0; d < depth; d++) {
                    sb.append(d == 0 ? "" : ";").append("f").append(r.nextInt(4));
                }
                // mostly one count, sometimes a big one or zero, sometimes fractional
                int kind = r.nextInt(20);
                sb.append(' ').append(kind == 0 ? "0" : kind == 1 ? "5000" : kind == 2 ? "0.5" : "1").append('\n');
            }
            String text = sb.toString();
            FrameLayout plain = oneLineAtATime(text);
            FlameGraphOptions graph = FlameGraphOptions.defaults();
            FrameLayout merged = FrameLayout.of(read(text, true), graph);
            pruned += merged.pruned();
            assertThat(svg(graph, merged)).as("round %d:%n%s", round, text).isEqualTo(svg(graph, plain));
            FoldedSamples during = FoldedSamples.readAndLayOut(new ByteArrayInputStream(
                    text.getBytes(StandardCharsets.ISO_8859_1)), "t", e -> { }, graph);
            assertThat(svg(graph, FrameLayout.of(during, graph))).as("laid out while read, round %d", round)
                    .isEqualTo(svg(graph, plain));
            // a flame chart of sorted lines draws them in the same order: repeats are neighbours there
            String sorted = String.join("\n", sortedLines(text)) + "\n";
            FlameGraphOptions chart = FlameGraphOptions.builder().flameChart(true).build();
            assertThat(svg(chart, FrameLayout.of(read(sorted, false), chart))).as("flame chart, round %d", round)
                    .isEqualTo(svg(chart, plain));
        }
        assertThat(pruned).as("frames dropped while laid out").isPositive();
    }

    private static List<String> sortedLines(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n")));
        // by stack, then count: raw strings compare as bytes do
        lines.sort((x, y) -> {
            int c = x.substring(0, x.lastIndexOf(' ')).compareTo(y.substring(0, y.lastIndexOf(' ')));
            return c;
        });
        return lines;
    }

    /** The graph of every line laid out on its own, in sorted order: no merging, no pruning. */
    private static FrameLayout oneLineAtATime(String text) {
        FrameLayout.Incremental l = new FrameLayout.Incremental(1024, null);
        for (String line : sortedLines(text)) {
            int sp = line.lastIndexOf(' ');
            byte[] stack = line.substring(0, sp).getBytes(StandardCharsets.ISO_8859_1);
            assertThat(l.add(stack, 0, stack.length, Double.parseDouble(line.substring(sp + 1)), Double.NaN)).isTrue();
        }
        return l.finish();
    }

    private static String svg(FlameGraphOptions o, FrameLayout layout) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FlameGraphRenderer.of(o).render(layout, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Streams {@code lines} copies of "main;a;b 1" without holding them. */
    static final class Repeated extends InputStream {
        private static final byte[] LINE = "main;a;b 1\n".getBytes(StandardCharsets.ISO_8859_1);
        private long left;
        private int pos;

        Repeated(long lines) {
            this.left = lines;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = 0;
            while (n < len && left > 0) {
                b[off + n++] = LINE[pos++];
                if (pos == LINE.length) {
                    pos = 0;
                    left--;
                }
            }
            return n;
        }
    }

    /** Run in a JVM of its own with a small heap: draws {@code args[0]} copies of one line, prints the total. */
    public static void main(String[] args) throws Exception {
        long lines = Long.parseLong(args[0]);
        FlameGraphOptions o = FlameGraphOptions.defaults();
        FoldedSamples s = FoldedSamples.readAndLayOut(new Repeated(lines), "repeated", e -> { }, o);
        FrameLayout layout = FrameLayout.of(s, o);
        FlameGraphRenderer.of(o).render(layout, OutputStreamNull.INSTANCE);
        FoldedSamples unsortedLater = FoldedSamples.read(new java.io.SequenceInputStream(new Repeated(lines / 2),
                new ByteArrayInputStream("a;z 1\n".getBytes(StandardCharsets.ISO_8859_1))), "r2", e -> { }, true);
        System.out.println((long) layout.total() + " " + s.size() + " " + unsortedLater.size());
    }

    private static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    @Test
    void twentyMillionCopiesOfOneStackFitInATwentyMegabyteHeap() throws Exception {
        // 220 MB of text: held line by line it needs over 300 MB of arrays
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx20m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                RepeatedStacksTest.class.getName(), "20000000"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.trim()).isEqualTo("20000000 1 2");
    }
}
