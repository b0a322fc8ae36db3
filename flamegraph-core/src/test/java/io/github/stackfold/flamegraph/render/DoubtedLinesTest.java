package io.github.stackfold.flamegraph.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.FrameNames;
import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Report;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;

import org.junit.jupiter.api.Test;

/**
 * {@link FoldedSamples#mayBeUnnamed}: for lines laid out while read, what the layout found (each
 * distinct frame name judged once) against each frame judged on its own; the verdict on unnamed
 * frames that passes the other lines over equals the full scan's.
 */
class DoubtedLinesTest {
    private static final String[] DOUBTFUL = {"[unknown]", "[etcd]", "0x4a3f2c", "deadbeef00", "f00dfeed_[j]",
        "[kernel.kallsyms]_[k]"};
    private static final String[] NAMED = {"main", "cafe", "x0x1", "abc_[k]", "runtime.goexit"};

    @Test
    void linesLaidOutWhileReadSayWhetherAFrameNameIsInDoubt() throws Exception {
        Random rnd = new Random(17);
        for (int round = 0; round < 16; round++) {
            int n = 1 + rnd.nextInt(round < 8 ? 60 : 60_000);
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                StringBuilder sb = new StringBuilder();
                int depth = 1 + rnd.nextInt(10);
                for (int d = 0; d < depth; d++) {
                    int k = rnd.nextInt(20);
                    String f = k == 0 ? DOUBTFUL[rnd.nextInt(DOUBTFUL.length)]
                            : k == 1 ? NAMED[rnd.nextInt(NAMED.length)] : "f" + d + "_" + rnd.nextInt(3);
                    sb.append(d == 0 ? "" : ";").append(f);
                }
                if (rnd.nextInt(10) == 0) {
                    sb.append(';'); // a trailing ';': no frame more
                }
                String stack = sb.toString();
                boolean diff = round % 4 == 3;
                lines.add(stack + (diff ? " " + rnd.nextInt(5) : "") + " " + (1 + rnd.nextInt(9)));
                if (rnd.nextInt(8) == 0) {
                    lines.add(stack + (diff ? " 1" : "") + " 2"); // a repeat, merged while read when it has one count
                }
            }
            Collections.sort(lines); // sorted, as collapse writes them: laid out while read
            byte[] text = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.US_ASCII);
            FoldedSamples s = FoldedSamples.readAndLayOut(new ByteArrayInputStream(text), "t", e -> { });
            assertThat(s.sortedLayout()).as("round %d: laid out while read", round).isNotNull();
            int doubted = 0;
            for (int i = 0; i < s.size(); i++) {
                boolean expected = false;
                for (String f : s.stack(i).split(";")) {
                    byte[] b = f.getBytes(StandardCharsets.ISO_8859_1);
                    expected |= !FrameNames.surelyNamed(b, 0, b.length);
                }
                assertThat(s.mayBeUnnamed(i)).as("round %d, line %d: %s", round, i, s.stack(i)).isEqualTo(expected);
                doubted += expected ? 1 : 0;
            }
            IntToDoubleFunction weight = i -> s.hasSecondCount(i) ? s.secondCount(i) : s.count(i);
            Report full = Analyzer.unnamedFrames(s, weight);
            Report some = Analyzer.unnamedFrames(s, weight, s::mayBeUnnamed);
            assertThat(some.unnamedByBinary()).as("round %d", round).isEqualTo(full.unnamedByBinary());
            assertThat(some.unnamedShare()).isEqualTo(full.unnamedShare());
            assertThat(some.total()).isEqualTo(full.total());
            if (round >= 8) {
                assertThat(doubted).as("round %d: some lines doubted, not all", round).isPositive().isLessThan(s.size());
                assertThat(full.unnamedShare()).isPositive();
            }
        }
    }

    @Test
    void unsortedLinesAreAllInDoubt() throws Exception {
        byte[] text = "main;b 1\nmain;a 1\n".getBytes(StandardCharsets.US_ASCII);
        FoldedSamples s = FoldedSamples.readAndLayOut(new ByteArrayInputStream(text), "t", e -> { });
        assertThat(s.sortedLayout()).isNull();
        assertThat(s.mayBeUnnamed(0)).isTrue();
        assertThat(s.mayBeUnnamed(1)).isTrue();
    }
}
