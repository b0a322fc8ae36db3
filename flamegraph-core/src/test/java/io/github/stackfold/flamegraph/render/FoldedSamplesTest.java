package io.github.stackfold.flamegraph.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.BadInputException;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class FoldedSamplesTest {
    static final String TEXT = "a;b 3\r\n"
            + "a;b;c 0.25\n"
            + "a;b  7\n"
            + "a;d 2 5\n"
            + "a;e 2.\n"
            + "\n"
            + "a;f .5\n"
            + "no count here\n"
            + "tail 4";

    static FoldedSamples read(InputStream in, List<BadInputException> bad) throws Exception {
        return FoldedSamples.read(in, "t.folded", bad::add);
    }

    @Test
    void readsFractionalAndTwoCountLinesAsFlamegraphPlDoes() throws Exception {
        List<BadInputException> bad = new ArrayList<>();
        FoldedSamples s = read(new ByteArrayInputStream(TEXT.getBytes(StandardCharsets.ISO_8859_1)), bad);
        assertThat(s.size()).isEqualTo(6);
        assertThat(s.stack(0)).isEqualTo("a;b");
        assertThat(s.count(0)).isEqualTo(3);
        assertThat(s.count(1)).isEqualTo(0.25);
        assertThat(s.stack(2)).as("the count follows the last blank; the others stay in the stack").isEqualTo("a;b ");
        assertThat(s.hasSecondCount(3)).isTrue();
        assertThat(s.count(3)).isEqualTo(2);
        assertThat(s.secondCount(3)).isEqualTo(5);
        assertThat(s.hasSecondCount(0)).isFalse();
        assertThat(s.count(4)).isEqualTo(2);
        assertThat(s.stack(5)).isEqualTo("tail");
        assertThat(s.isDifferential()).isTrue();
        assertThat(s.ignoredLines()).isEqualTo(3);
        assertThat(s.firstIgnoredLine()).isEqualTo("t.folded:6");
        assertThat(bad).extracting(BadInputException::line).containsExactly(6L, 7L, 8L);
        assertThat(bad.get(1).getMessage()).startsWith("t.folded:7: expected a folded stack line");
    }

    @Test
    void aCountIsTheWholeLastWordAndDigitsInsideAFrameAreNotOne() throws Exception {
        String text = "a;b3 10\n"        // "b3" ends in a digit but is a frame: one count
                + "a;b 1x 10\n"          // "1x" is no number: it stays in the stack
                + "a;b 1.2.3 10\n"       // nor is "1.2.3"
                + "a;b\t4\t6\n"          // tabs are blanks too: two counts
                + "a;frame99 7\n"
                + "42\n"                 // a number alone has no stack: ignored
                + "a;b 12ab\n";          // no count at all: ignored
        List<BadInputException> bad = new ArrayList<>();
        FoldedSamples s = read(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), bad);
        assertThat(s.size()).isEqualTo(5);
        assertThat(s.stack(0)).isEqualTo("a;b3");
        assertThat(s.hasSecondCount(0)).isFalse();
        assertThat(s.count(0)).isEqualTo(10);
        assertThat(s.stack(1)).isEqualTo("a;b 1x");
        assertThat(s.stack(2)).isEqualTo("a;b 1.2.3");
        assertThat(s.hasSecondCount(2)).isFalse();
        assertThat(s.stack(3)).isEqualTo("a;b");
        assertThat(s.count(3)).isEqualTo(4);
        assertThat(s.secondCount(3)).isEqualTo(6);
        assertThat(s.stack(4)).isEqualTo("a;frame99");
        assertThat(bad).extracting(BadInputException::line).containsExactly(6L, 7L);
    }

    @Test
    void oneByteAtATimeGivesTheSameLines() throws Exception {
        byte[] data = TEXT.getBytes(StandardCharsets.ISO_8859_1);
        FoldedSamples bulk = read(new ByteArrayInputStream(data), new ArrayList<>());
        FoldedSamples trickle = read(new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < data.length ? data[pos++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int c = read();
                if (c < 0) {
                    return -1;
                }
                b[off] = (byte) c;
                return 1;
            }
        }, new ArrayList<>());
        assertThat(trickle.size()).isEqualTo(bulk.size());
        for (int i = 0; i < bulk.size(); i++) {
            assertThat(trickle.stack(i)).isEqualTo(bulk.stack(i));
            assertThat(trickle.count(i)).isEqualTo(bulk.count(i));
            assertThat(Double.compare(trickle.secondCount(i), bulk.secondCount(i))).isZero();
        }
    }

    @Test
    void longLinesAndRawBytesSurviveReading() throws Exception {
        String longStack = "f".repeat(200_000) + ";\u00ff\u00fe";
        byte[] data = (longStack + " 9\n").getBytes(StandardCharsets.ISO_8859_1);
        FoldedSamples s = FoldedSamples.read(new ByteArrayInputStream(data), "x");
        assertThat(s.stack(0)).isEqualTo(longStack);
        assertThat(s.count(0)).isEqualTo(9);
    }
}
