package io.github.stackfold.flamegraph.html;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.FrameNames;
import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Report;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Notes (subtitle, notice) given late: asked once, after the data is out, and in the page as given. */
class HtmlRendererNotesTest {
    private static final String FOLDED = "main;a;b 3\nmain;a;c 2\nmain;d 1\n";

    @Test
    void notesAreAskedOnceAfterTheDataAndReplaceTheOptionsOwn() throws Exception {
        RawStacks stacks = RawStacks.readFolded(new ByteArrayInputStream(FOLDED.getBytes(StandardCharsets.US_ASCII)), "t");
        HtmlRenderer r = HtmlRenderer.of(HtmlOptions.builder().subtitle("early").notice("early notice").build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicInteger asked = new AtomicInteger();
        int[] writtenWhenAsked = {-1};
        r.render(stacks, out, drawn -> {
            asked.incrementAndGet();
            writtenWhenAsked[0] = out.size();
            return new HtmlRenderer.Notes("late <subtitle>", "late notice");
        });
        String page = out.toString(StandardCharsets.UTF_8);
        assertThat(asked).hasValue(1);
        int dataEnd = page.indexOf("</script>", page.indexOf("id=\"sf-data\""));
        // the renderer buffers what it writes, so at the ask the stream holds at most the page up to the data's end
        assertThat(writtenWhenAsked[0]).isLessThanOrEqualTo(page.substring(0, dataEnd).getBytes(StandardCharsets.UTF_8).length);
        assertThat(page.indexOf("id=\"sf-meta\"")).isGreaterThan(dataEnd);
        assertThat(page).contains("\"subtitle\":\"late \\u003csubtitle\\u003e\"").contains("\"notice\":\"late notice\"")
                .doesNotContain("\"early\"").doesNotContain("early notice");

        // without notes: the options' own, and the same page otherwise
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        HtmlRenderer.of(HtmlOptions.builder().subtitle("late <subtitle>").notice("late notice").build()).render(stacks, plain);
        assertThat(plain.toString(StandardCharsets.UTF_8)).isEqualTo(page);
        ByteArrayOutputStream fromProfile = new ByteArrayOutputStream();
        HtmlRenderer.of(HtmlOptions.builder().subtitle("late <subtitle>").notice("late notice").build())
                .render(FoldedProfile.read(new ByteArrayInputStream(FOLDED.getBytes(StandardCharsets.US_ASCII)), "t"), fromProfile);
        assertThat(fromProfile.toString(StandardCharsets.UTF_8)).isEqualTo(page);
    }

    /**
     * What the encoder says of each stack ({@link HtmlRenderer.Drawn#mayBeUnnamed}) against each frame
     * judged on its own, on random stacks of named, bracketed and address frames, in chunks small
     * enough that the frames are split on the encoder's second thread; and the verdict on unnamed
     * frames that passes over the other stacks equals the full scan's.
     */
    @Test
    void theStacksWithADoubtfulFrameAreTheOnesTheVerdictMustLookAt() throws Exception {
        String[] vocabulary = {"main", "runtime.goexit", "[unknown]", "[etcd]", "0x4a3f2c", "deadbeef00", "cafe", "abc_[k]",
            "[kernel.kallsyms]_[k]", "f00dfeed_[j]", "x0x1"};
        Random rnd = new Random(3);
        for (int round = 0; round < 20; round++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + rnd.nextInt(round < 10 ? 50 : 40_000);
            for (int i = 0; i < n; i++) {
                int depth = 1 + rnd.nextInt(8);
                for (int d = 0; d < depth; d++) {
                    // named frames mostly, as in a real profile: a doubtful one now and then
                    String f = rnd.nextInt(6) == 0 ? vocabulary[rnd.nextInt(vocabulary.length)] : "f" + d + "_" + rnd.nextInt(4);
                    sb.append(d == 0 ? "" : ";").append(f);
                }
                sb.append(' ').append(1 + rnd.nextInt(9)).append('\n');
            }
            RawStacks stacks = RawStacks.readFolded(new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.US_ASCII)), "t");
            HtmlRenderer.Drawn[] seen = new HtmlRenderer.Drawn[1];
            HtmlRenderer.of(HtmlOptions.defaults()).render(stacks, new ByteArrayOutputStream(), drawn -> {
                seen[0] = drawn;
                return new HtmlRenderer.Notes("", "");
            });
            int doubted = 0;
            for (int s = 0; s < stacks.size(); s++) {
                boolean expected = false;
                for (String f : stacks.stack(s).split(";", -1)) {
                    byte[] b = f.getBytes(StandardCharsets.ISO_8859_1);
                    expected |= !FrameNames.surelyNamed(b, 0, b.length);
                }
                assertThat(seen[0].mayBeUnnamed(s)).as("round %d, stack %s", round, stacks.stack(s)).isEqualTo(expected);
                doubted += expected ? 1 : 0;
            }
            Report full = Analyzer.unnamedFrames(stacks);
            Report some = Analyzer.unnamedFrames(stacks, seen[0]::mayBeUnnamed);
            assertThat(some.unnamedByBinary()).as("round %d", round).isEqualTo(full.unnamedByBinary());
            assertThat(some.unnamedShare()).as("round %d", round).isEqualTo(full.unnamedShare());
            assertThat(some.total()).isEqualTo(full.total());
            if (round >= 10) {
                assertThat(doubted).as("some stacks doubted, not all").isPositive().isLessThan(stacks.size());
                assertThat(full.unnamedShare()).as("round %d: unnamed frames are there", round).isPositive();
            }
        }
    }
}
