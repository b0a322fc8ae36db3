package io.github.stackfold.flamegraph.folded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class FoldedProfileTest {

    private static FoldedProfile read(byte[] text, List<BadInputException> bad) throws Exception {
        return FoldedProfile.read(new ByteArrayInputStream(text), "t.folded", bad::add);
    }

    @Test
    void theRawBuilderGivesWhatTheBuilderGivesForTheSameBytes() {
        // prefixes, ';' against the bytes around it (digits and ':' sort before and after it), bytes
        // above 0x7f (unsigned), duplicates, and enough stacks for the sort to merge runs
        String[] samples = {"a;b;x", "a;b1", "a;b", "a;b:", "a;b;", "\u00e9;x", "\u00ff", "Z", "a;b", "a;b1", "", "a"};
        java.util.Random random = new java.util.Random(7);
        FoldedProfile.Builder strings = FoldedProfile.builder();
        FoldedProfile.RawBuilder raw = FoldedProfile.rawBuilder();
        for (int i = 0; i < 500; i++) {
            String s = samples[random.nextInt(samples.length)] + (i % 3 == 0 ? "" : ";f" + random.nextInt(40));
            strings.add(s, i);
            raw.add(s.getBytes(StandardCharsets.ISO_8859_1), i);
        }
        FoldedProfile expected = strings.build();
        FoldedProfile actual = raw.build();
        assertThat(actual.asMap()).containsExactlyEntriesOf(expected.asMap());
        assertThat(actual.total()).isEqualTo(expected.total());
        assertThat(FoldedProfile.rawBuilder().build().isEmpty()).isTrue();
    }

    @Test
    void mergesEqualStacksAndSortsInByteOrder() throws Exception {
        List<BadInputException> bad = new ArrayList<>();
        FoldedProfile p = read("b;c 2\na;b 1\nb;c 3\n\u00e9;x 1\nZ 4\n".getBytes(StandardCharsets.UTF_8), bad);
        assertThat(bad).isEmpty();
        assertThat(p.size()).isEqualTo(4);
        assertThat(p.total()).isEqualTo(11);
        assertThat(p.count("b;c")).isEqualTo(5);
        assertThat(p.stack(0)).isEqualTo("Z");
        assertThat(FoldedProfile.decode(p.stack(3))).isEqualTo("\u00e9;x");
    }

    @Test
    void aSortedInputAndAnyShuffleOfItGiveTheSameProfile() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            lines.add("main;f" + (i % 17) + ";g" + i + " " + (i + 1));
        }
        lines.sort(null);
        String sorted = String.join("\n", lines) + "\n";
        FoldedProfile p = read(sorted.getBytes(StandardCharsets.UTF_8), new ArrayList<>());
        assertThat(p.toString()).isEqualTo(sorted);
        java.util.Collections.shuffle(lines, new java.util.Random(7));
        lines.add(lines.get(0)); // a repeated stack merges wherever it comes
        FoldedProfile q = read((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8), new ArrayList<>());
        assertThat(q.size()).isEqualTo(p.size());
        for (int i = 0; i < q.size(); i++) {
            assertThat(q.stack(i)).isEqualTo(p.stack(i));
        }
        assertThat(q.total()).isEqualTo(p.total() + p.count(lines.get(0).substring(0, lines.get(0).lastIndexOf(' '))));
    }

    @Test
    void keepsInvalidUtf8BytesThroughReadAndWrite() throws Exception {
        byte[] in = {'a', ';', (byte) 0xff, (byte) 0xc3, ' ', '7', '\n'};
        FoldedProfile p = read(in, new ArrayList<>());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.write(out);
        assertThat(out.toByteArray()).isEqualTo(in);
    }

    @Test
    void reportsLinesWithoutACountWithTheirLineNumberAndGoesOn() throws Exception {
        List<BadInputException> bad = new ArrayList<>();
        FoldedProfile p = read("a;b 1\nnot a count\nc 2\n".getBytes(StandardCharsets.UTF_8), bad);
        assertThat(p.total()).isEqualTo(3);
        assertThat(bad).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.getMessage()).startsWith("t.folded:2: ");
        });
        assertThatThrownBy(() -> FoldedProfile.read(
                new ByteArrayInputStream("x\n".getBytes(StandardCharsets.UTF_8)), "s", e -> {
                    throw e;
                })).isInstanceOf(BadInputException.class).hasMessageStartingWith("s:1: ");
    }

    /** A negative weight made shares below 0 (an inclusive share of -1.0 for a;b -5, a;c 10); it is refused where it enters. */
    @Test
    void aNegativeWeightIsRefusedNamingTheStack() {
        assertThatThrownBy(() -> FoldedProfile.of(java.util.Map.of("a;b", -5L, "a;c", 10L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("negative weight -5 for stack 'a;b': weights of folded stacks are counts or periods, 0 or more");
        assertThatThrownBy(() -> FoldedProfile.of(new String[] {"a;b", "a;c"}, new long[] {1, -2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("negative weight -2 for stack 'a;c'");
        assertThatThrownBy(() -> FoldedProfile.builder().add("a;b", 3).add("a;b", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("negative weight -1 for stack 'a;b'");
        assertThatThrownBy(() -> FoldedProfile.rawBuilder().add("x;y".getBytes(StandardCharsets.ISO_8859_1), -7))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("negative weight -7 for stack 'x;y'");
        // 0 stays allowed, as in folded files
        assertThat(FoldedProfile.of(java.util.Map.of("a;b", 0L, "a;c", 2L)).total()).isEqualTo(2);
    }
}
