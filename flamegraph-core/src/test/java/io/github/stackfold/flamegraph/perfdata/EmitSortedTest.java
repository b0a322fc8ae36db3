package io.github.stackfold.flamegraph.perfdata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * {@link PerfDataCollapser#emitSorted}: stacks come out in the byte order of their folded text, equal
 * ones merged, so the profile builder need not sort. The frames are chosen so that comparing frame by
 * frame would get it wrong: a frame that is a prefix of another followed by a character below
 * {@code ;} ({@code Method} and {@code Method.func1}, {@code f} and {@code f 2}), an empty-looking
 * short one, and stacks that end where others go on.
 */
class EmitSortedTest {
    private static final List<String> FRAMES = List.of("Method", "Method.func1", "f", "f 2", "f!", "g", "[unknown]",
            "a:b", "Method;", "x", "f_[k]", "");

    @Test
    void emitsInFoldedTextOrderMergingEqualStacks() {
        Random r = new Random(42);
        for (int round = 0; round < 200; round++) {
            List<int[]> seqs = new ArrayList<>();
            List<long[]> weights = new ArrayList<>();
            Map<String, Long> expected = new TreeMap<>();
            int n = 1 + r.nextInt(60);
            for (int s = 0; s < n; s++) {
                int len = 1 + r.nextInt(5);
                int[] seq = new int[len];
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < len; i++) {
                    // no ';' inside a frame except in the last rounds, where the builder's own check must catch it
                    int bound = round < 150 ? FRAMES.size() - 4 : FRAMES.size();
                    seq[i] = r.nextInt(bound);
                    sb.append(i == 0 ? "" : ";").append(FRAMES.get(seq[i]));
                }
                long w = 1 + r.nextInt(5);
                seqs.add(seq);
                weights.add(new long[] {w});
                expected.merge(sb.toString(), w, Long::sum);
            }
            List<String> order = new ArrayList<>();
            Map<String, Long> got = new TreeMap<>();
            List<String> frames = round < 150 ? FRAMES.subList(0, FRAMES.size() - 4) : FRAMES;
            boolean ordered = PerfDataCollapser.emitSorted(frames, seqs, weights, (stack, w) -> {
                order.add(stack);
                got.merge(stack, w, Long::sum);
            });
            assertEquals(expected, got, "round " + round);
            // it says the order is byte order exactly when no frame holds a ';' (the caller then skips the check)
            assertEquals(round < 150, ordered, "round " + round);
            if (round < 150) {
                // without ';' in names: strictly increasing, so every stack once
                for (int i = 1; i < order.size(); i++) {
                    assertEquals(-1, Integer.signum(order.get(i - 1).compareTo(order.get(i))),
                            order.get(i - 1) + " | " + order.get(i));
                }
            }
        }
    }
}
