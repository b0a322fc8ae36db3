package io.github.stackfold.flamegraph.collapse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * The folded output is in the order of its text (stackcollapse-perf.pl sorts it), also where one
 * frame name begins another and the next char sorts below ';' ('!', '.', '0', ':' ...) or above it.
 * The expected text comes from a TreeMap of the joined stacks, not from the collapser. Each stack here
 * is its process name, then its frames from the root (process names of two chars at least: the
 * reference's event-line pattern reads a one-char name as part of a longer one).
 */
class OutputOrderTest {
    private static final String[] NAMES = {"a", "a.b", "a!x", "ab", "a0", "a_b", "a:b", "b", "b-1", "bb", "a.b.c", "A"};

    private static String expected(List<String[]> stacks) {
        Map<String, Long> m = new TreeMap<>();
        for (String[] s : stacks) {
            m.merge(String.join(";", s), 1L, Long::sum);
        }
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
        return sb.toString();
    }

    private static String perfScript(List<String[]> stacks) {
        StringBuilder sb = new StringBuilder();
        int t = 0;
        for (String[] s : stacks) {
            sb.append(s[0]).append(" 42 [000] 1.").append(100000 + t++).append(": 1 cpu-clock:\n");
            for (int i = s.length - 1; i >= 1; i--) { // perf script prints the leaf first
                sb.append("\t  40").append(Integer.toHexString(0x1000 + i)).append(' ').append(s[i]).append(" (/usr/bin/x)\n");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String fold(String text, int threads) throws IOException {
        return PerfCollapser.create(CollapseOptions.builder().threads(threads).chunkBytes(4096).build())
                .collapse(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), "order.txt")
                .toString();
    }

    private static List<String[]> randomStacks(String[] comms, String[] names, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String[]> stacks = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String[] s = new String[2 + r.nextInt(5)];
            s[0] = comms[r.nextInt(comms.length)];
            for (int d = 1; d < s.length; d++) {
                s[d] = names[r.nextInt(names.length)];
            }
            stacks.add(s);
        }
        return stacks;
    }

    @Test
    void stacksComeOutInTheOrderOfTheirText() throws IOException {
        for (long seed = 1; seed <= 5; seed++) {
            List<String[]> stacks = randomStacks(new String[] {"proc", "pro", "proc.1", "bb"}, NAMES, seed);
            String text = perfScript(stacks);
            assertThat(fold(text, 1)).as("seed %d, 1 thread", seed).isEqualTo(expected(stacks));
            assertThat(fold(text, 2)).as("seed %d, 2 threads", seed).isEqualTo(expected(stacks));
        }
    }

    @Test
    void aProcessNameWithASemicolonStillGivesSortedOutput() throws IOException {
        // frame names lose their ';' (stackcollapse-perf.pl turns it into ':'), process names keep it:
        // then a name is no longer one word of the text, and the builder sorts the joined strings
        List<String[]> stacks = randomStacks(new String[] {"aa", "a;b", "a;", "bb"}, NAMES, 7);
        assertThat(fold(perfScript(stacks), 1)).isEqualTo(expected(stacks));
    }
}
