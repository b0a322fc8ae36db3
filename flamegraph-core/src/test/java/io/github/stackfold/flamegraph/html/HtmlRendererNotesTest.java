package io.github.stackfold.flamegraph.html;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
        r.render(stacks, out, () -> {
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
}
