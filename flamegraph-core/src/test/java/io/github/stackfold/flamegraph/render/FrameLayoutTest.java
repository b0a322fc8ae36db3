package io.github.stackfold.flamegraph.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class FrameLayoutTest {
    static FoldedSamples lines(String text) throws Exception {
        return FoldedSamples.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), "t");
    }

    static List<String> frames(FrameLayout l) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            out.add(l.depth(i) + ":" + l.name(i) + "@" + l.start(i) + "-" + l.end(i));
        }
        out.sort(null);
        return out;
    }

    @Test
    void aFrameContinuesOnlyFromTheLineBeforeInSortedOrder() throws Exception {
        // sorted: a;b  a;b-x  a;b;c ('-' sorts before ';'), so "b" is drawn twice
        FrameLayout l = FrameLayout.of(lines("a;b;c 1\na;b 1\na;b-x 1\n"), FrameLayout.Order.SORTED, false, false);
        assertThat(frames(l)).containsExactly("0:@0.0-3.0", "1:a@0.0-3.0", "2:b-x@1.0-2.0", "2:b@0.0-1.0",
                "2:b@2.0-3.0", "3:c@2.0-3.0");
    }

    @Test
    void equalStacksMergeAndFractionalCountsAddUp() throws Exception {
        FrameLayout l = FrameLayout.of(lines("b;c 1.5\na;b 2\na;b;c 0.25\nb;c 3\n"), FrameLayout.Order.SORTED, false, false);
        assertThat(frames(l)).contains("2:c@2.25-6.75", "1:b@2.25-6.75", "3:c@2.0-2.25");
        assertThat(l.total()).isEqualTo(6.75);
    }

    @Test
    void theLayoutMadeWhileReadingServesOnlySortedUnreversedGraphsWithoutWakerChains() {
        FlameGraphOptions d = FlameGraphOptions.defaults();
        assertThat(FrameLayout.isMadeWhileRead(d)).isTrue();
        assertThat(FrameLayout.isMadeWhileRead(d.toBuilder().palette(Palette.JAVA).inverted(true).build())).isTrue();
        assertThat(FrameLayout.isMadeWhileRead(d.toBuilder().flameChart(true).build())).isFalse();
        assertThat(FrameLayout.isMadeWhileRead(d.toBuilder().reverse(true).build())).isFalse();
        assertThat(FrameLayout.isMadeWhileRead(d.toBuilder().palette(Palette.CHAIN).build())).isFalse();
    }

    @Test
    void flameChartKeepsInputOrder() throws Exception {
        FrameLayout l = FrameLayout.of(lines("a 1\nb 1\na 1\n"), FrameLayout.Order.INPUT, false, false);
        assertThat(frames(l)).containsExactly("0:@0.0-3.0", "1:a@0.0-1.0", "1:a@2.0-3.0", "1:b@1.0-2.0");
    }

    @Test
    void reverseDrawsTheLeafAtTheBottom() throws Exception {
        FrameLayout l = FrameLayout.of(lines("a;b;c 2\n"), FrameLayout.Order.SORTED, true, false);
        assertThat(frames(l)).containsExactly("0:@0.0-2.0", "1:c@0.0-2.0", "2:b@0.0-2.0", "3:a@0.0-2.0");
        assertThat(FrameLayout.reverseStack(";a;b;")).isEqualTo("b;a;");
    }

    @Test
    void parentsLinkEachFrameToTheFrameBelow() throws Exception {
        FrameLayout l = FrameLayout.of(lines("a;b;c 1\na;d 1\n"), FrameLayout.Order.SORTED, false, false);
        for (int i = 0; i < l.size(); i++) {
            int p = l.parent(i);
            if (l.depth(i) == 0) {
                assertThat(p).isEqualTo(-1);
            } else {
                assertThat(l.depth(p)).isEqualTo(l.depth(i) - 1);
                assertThat(l.start(p)).isLessThanOrEqualTo(l.start(i));
                assertThat(l.end(p)).isGreaterThanOrEqualTo(l.end(i));
            }
        }
        assertThat(l.maxDepth()).isEqualTo(3);
    }

    @Test
    void aZeroCountLineReplacesTheEarlierFrameWithTheSameNameDepthAndEnd() throws Exception {
        // flamegraph.pl keys frames by name, depth and end time: "b" under "y" (0 samples, ending at 5)
        // overwrites "b" under "x" (also ending at 5), which is then drawn with no width
        FrameLayout l = FrameLayout.of(lines("x;b 5 5\ny;b 5 0\n"), FrameLayout.Order.SORTED, false, false);
        assertThat(frames(l)).containsExactly("0:@0.0-5.0", "1:x@0.0-5.0", "1:y@5.0-5.0", "2:b@5.0-5.0");
    }

    @Test
    void differentialDeltaBelongsToTheFrameWhereTheStackEnds() throws Exception {
        FrameLayout l = FrameLayout.of(lines("a;b 1 3\na;c 5 4\n"), FrameLayout.Order.SORTED, false, false);
        assertThat(l.isDifferential()).isTrue();
        assertThat(l.maxDelta()).isEqualTo(2);
        assertThat(l.total()).isEqualTo(7);
        for (int i = 0; i < l.size(); i++) {
            double expected = l.name(i).equals("b") ? 2 : l.name(i).equals("c") ? -1 : 0;
            assertThat(l.delta(i)).as(l.name(i)).isEqualTo(expected);
        }
        FrameLayout plain = FrameLayout.of(lines("a;b 1\n"), FrameLayout.Order.SORTED, false, false);
        assertThat(plain.delta(0)).isNaN();
    }

    @Test
    void chainGraphsMarkWakersAndAppendASeparator() {
        assertThat(FrameLayout.markWakers("a;b")).isEqualTo("a;b;--;");
        assertThat(FrameLayout.markWakers("a;--;b;c")).isEqualTo("a;--;b_[w];c_[w]");
    }

    /** Perl's split(";", s): trailing empty fields dropped. */
    static List<String> perlSplit(String s) {
        List<String> out = new ArrayList<>(java.util.Arrays.asList(s.split(";", -1)));
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    @Test
    void mergedFramesMatchASimpleModelOfFlamegraphPlsFlowOnRandomStacks() throws Exception {
        String[] names = {"a", "b", "b-x", "bb", "", "c c", "\u00e9"};
        java.util.Random rnd = new java.util.Random(42);
        for (int round = 0; round < 20; round++) {
            StringBuilder text = new StringBuilder();
            List<String> stacks = new ArrayList<>();
            List<Integer> counts = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                StringBuilder st = new StringBuilder();
                int depth = rnd.nextInt(5);
                for (int d = 0; d < depth; d++) {
                    st.append(d == 0 ? "" : ";").append(names[rnd.nextInt(names.length)]);
                }
                if (rnd.nextInt(10) == 0) {
                    st.append(';');
                }
                int count = 1 + rnd.nextInt(9);
                text.append(st).append(' ').append(count).append('\n');
                stacks.add(st.toString());
                counts.add(count);
            }
            // the model: sort, then open/close frames against the previous stack only
            Integer[] order = new Integer[stacks.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (x, y) -> stacks.get(x).compareTo(stacks.get(y)));
            List<String> expected = new ArrayList<>();
            List<String> prev = new ArrayList<>();
            double[] starts = new double[64];
            double time = 0;
            for (int k = 0; k <= order.length; k++) {
                List<String> cur = new ArrayList<>();
                if (k < order.length) {
                    cur.add("");
                    cur.addAll(perlSplit(stacks.get(order[k])));
                }
                int same = 0;
                while (same < prev.size() && same < cur.size() && prev.get(same).equals(cur.get(same))) {
                    same++;
                }
                for (int d = prev.size() - 1; d >= same; d--) {
                    expected.add(d + ":" + prev.get(d) + "@" + starts[d] + "-" + time);
                }
                for (int d = same; d < cur.size(); d++) {
                    starts[d] = time;
                }
                prev = cur;
                if (k < order.length) {
                    time += counts.get(order[k]);
                }
            }
            expected.sort(null);
            FrameLayout l = FrameLayout.of(lines(text.toString()), FrameLayout.Order.SORTED, false, false);
            assertThat(frames(l)).as(text.toString()).isEqualTo(expected);
        }
    }
}
