package io.github.stackfold.flamegraph.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** {@link FoldedSamples#readAndLayOut}: the layout made on a second thread while reading is the one made after. */
class ConcurrentLayoutTest {
    private static final String[] NAMES = {"a", "b", "b-x", "bb", "", "c c", "\u00e9t\u00e9", "main",
        "java/lang/Thread.run_[j]", "a_rather_long_frame_name_that_spans_several_words", ";", "x"};

    /** Everything a layout holds, frame by frame in its order. */
    static List<String> all(FrameLayout l) {
        List<String> out = new ArrayList<>();
        out.add("total " + l.total() + " maxDelta " + l.maxDelta() + " diff " + l.isDifferential() + " maxDepth " + l.maxDepth());
        for (int i = 0; i < l.size(); i++) {
            out.add(i + " " + l.depth(i) + " " + l.name(i) + " parent " + l.parent(i) + " " + l.start(i) + "-" + l.end(i)
                    + " delta " + l.delta(i));
        }
        return out;
    }

    /**
     * Random folded text: stacks from a few names (empty frames, trailing ';', non-ASCII), counts
     * that are zero, fractional or two per line, and now and then a blank, invalid or CRLF line.
     */
    static byte[] folded(Random r, int lines, boolean sorted, boolean twoCounts) {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            StringBuilder st = new StringBuilder();
            int depth = 1 + r.nextInt(r.nextBoolean() ? 4 : 25);
            for (int d = 0; d < depth; d++) {
                String name = NAMES[r.nextInt(NAMES.length)];
                st.append(d == 0 ? "" : ";").append(name.equals(";") ? "" : name);
            }
            if (r.nextInt(20) == 0) {
                st.append(';');
            }
            String count = r.nextInt(15) == 0 ? "0" : r.nextInt(10) == 0 ? r.nextInt(9) + ".25" : Integer.toString(1 + r.nextInt(999));
            if (twoCounts) {
                count = r.nextInt(50) + " " + count;
            }
            rows.add(new String[] {st.toString(), count});
        }
        if (sorted) {
            rows.sort((x, y) -> x[0].compareTo(y[0])); // one char per byte: String order is byte order
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            text.append(row[0]).append(' ').append(row[1]).append(r.nextInt(30) == 0 ? "\r\n" : "\n");
            if (r.nextInt(100) == 0) {
                text.append(r.nextBoolean() ? "\n" : "no count here\n");
            }
        }
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static FrameLayout sorted(FoldedSamples s) {
        return FrameLayout.of(s, FrameLayout.Order.SORTED, false, false);
    }

    private static boolean layoutThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("stackfold-layout") && t.isAlive());
    }

    private static void awaitNoLayoutThread() throws InterruptedException {
        for (int i = 0; i < 500 && layoutThreadAlive(); i++) {
            Thread.sleep(10);
        }
        assertThat(layoutThreadAlive()).as("a stackfold-layout thread is still running").isFalse();
    }

    @Test
    void sortedLinesAreLaidOutWhileReadExactlyAsAfterReading() throws Exception {
        Random r = new Random(7);
        for (int round = 0; round < 40; round++) {
            // up to 6,000 lines, ~0.5 MB: many hand-overs of 64 kB reads
            byte[] text = folded(r, round < 20 ? 1 + r.nextInt(60) : 1000 + r.nextInt(5000), true, round % 4 == 3);
            FoldedSamples during = FoldedSamples.readAndLayOut(new ByteArrayInputStream(text), "t", e -> { });
            FoldedSamples after = FoldedSamples.read(new ByteArrayInputStream(text), "t");
            assertThat(during.sortedLayout()).as("round %d: laid out while read", round).isNotNull();
            assertThat(after.sortedLayout()).isNull();
            assertThat(all(sorted(during))).as("round %d", round).isEqualTo(all(sorted(after)));
            assertThat(during.size()).isEqualTo(after.size());
            assertThat(during.ignoredLines()).isEqualTo(after.ignoredLines());
            assertThat(layoutThreadAlive()).as("the layout thread has ended when readAndLayOut returns").isFalse();
        }
    }

    @Test
    void unsortedLinesAreLaidOutAfterReadingAsBefore() throws Exception {
        Random r = new Random(11);
        for (int round = 0; round < 10; round++) {
            byte[] text = folded(r, 2000, false, round % 2 == 1);
            FoldedSamples during = FoldedSamples.readAndLayOut(new ByteArrayInputStream(text), "t", e -> { });
            FoldedSamples after = FoldedSamples.read(new ByteArrayInputStream(text), "t");
            assertThat(during.sortedLayout()).as("not sorted: no layout while reading").isNull();
            assertThat(all(sorted(during))).isEqualTo(all(sorted(after)));
        }
        // sorted but for the last line
        byte[] text = "a;b 1\na;c 2\nb 3\na 1\n".getBytes(StandardCharsets.ISO_8859_1);
        FoldedSamples s = FoldedSamples.readAndLayOut(new ByteArrayInputStream(text), "t", e -> { });
        assertThat(s.sortedLayout()).isNull();
        assertThat(FrameLayoutTest.frames(sorted(s))).containsExactly("0:@0.0-7.0", "1:a@0.0-4.0", "1:b@4.0-7.0",
                "2:b@1.0-2.0", "2:c@2.0-4.0");
        // out of order only in the last byte, and a line that is a prefix of the one before it
        for (String t : new String[] {"a;b;d 1\na;b;c 2\n", "a;bc 1\na;b 2\n", "a;b;c 1\na;b 2\n"}) {
            s = FoldedSamples.readAndLayOut(new ByteArrayInputStream(t.getBytes(StandardCharsets.ISO_8859_1)), "t", e -> { });
            assertThat(s.sortedLayout()).as(t).isNull();
            assertThat(all(sorted(s))).as(t).isEqualTo(all(sorted(FoldedSamples.read(
                    new ByteArrayInputStream(t.getBytes(StandardCharsets.ISO_8859_1)), "t"))));
        }
    }

    @Test
    void otherOrdersAndReversedStacksAreLaidOutFromTheLines() throws Exception {
        byte[] text = folded(new Random(3), 500, true, false);
        FoldedSamples during = FoldedSamples.readAndLayOut(new ByteArrayInputStream(text), "t", e -> { });
        FoldedSamples after = FoldedSamples.read(new ByteArrayInputStream(text), "t");
        assertThat(all(FrameLayout.of(during, FrameLayout.Order.INPUT, false, false)))
                .isEqualTo(all(FrameLayout.of(after, FrameLayout.Order.INPUT, false, false)));
        assertThat(all(FrameLayout.of(during, FrameLayout.Order.SORTED, true, false)))
                .isEqualTo(all(FrameLayout.of(after, FrameLayout.Order.SORTED, true, false)))
                .isNotEqualTo(all(sorted(during)));
        assertThat(all(FrameLayout.of(during, FrameLayout.Order.SORTED, false, true)))
                .isEqualTo(all(FrameLayout.of(after, FrameLayout.Order.SORTED, false, true)));
        assertThat(during.concat(after).sortedLayout()).as("concatenated lines need a layout of their own").isNull();
    }

    @Test
    void aReadThatFailsStopsTheLayoutThreadAndThrows() throws Exception {
        byte[] text = folded(new Random(5), 3000, true, false);
        InputStream failing = new SequenceInputStream(new ByteArrayInputStream(text), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk gone");
            }
        });
        assertThatThrownBy(() -> FoldedSamples.readAndLayOut(failing, "t", e -> { }))
                .isInstanceOf(IOException.class).hasMessage("disk gone");
        awaitNoLayoutThread();
    }

    @Test
    void aStrictReaderStopsAtTheFirstBadLineAndTheLayoutThreadToo() throws Exception {
        byte[] good = folded(new Random(9), 3000, true, false);
        String text = new String(good, StandardCharsets.ISO_8859_1).replace("\nno count here\n", "\n") + "zz 1\nbad line\nzzz 2\n";
        long lines = text.lines().count();
        assertThatThrownBy(() -> FoldedSamples.readAndLayOut(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)),
                "t.folded", e -> {
                    if (e.getMessage().contains("expected a folded stack line") && e.line() == lines - 1) {
                        throw e;
                    }
                }))
                .isInstanceOf(BadInputException.class).hasMessageStartingWith("t.folded:" + (lines - 1) + ":");
        awaitNoLayoutThread();
    }
}
