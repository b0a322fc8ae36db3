package io.github.stackfold.flamegraph.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.NoSamplesException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class FlameGraphRendererTest {
    static final String SVG_NS = "http://www.w3.org/2000/svg";

    static byte[] render(String rawFolded, FlameGraphOptions options) throws Exception {
        FoldedSamples s = FoldedSamples.read(new ByteArrayInputStream(rawFolded.getBytes(StandardCharsets.ISO_8859_1)), "t");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FlameGraphRenderer.of(options).render(s, out);
        return out.toByteArray();
    }

    static Document parse(byte[] svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg));
    }

    static List<String> titles(Document doc) {
        NodeList list = doc.getElementsByTagNameNS(SVG_NS, "title");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.getLength(); i++) {
            out.add(list.item(i).getTextContent());
        }
        return out;
    }

    @Test
    void fontNamesKeepExactlyWhatTheCssRegularExpressionKeeps() {
        // every code point, lone surrogates included (each followed by 'x' so none pair up)
        StringBuilder all = new StringBuilder();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            all.appendCodePoint(cp);
            if (Character.isSurrogate((char) cp) && cp <= 0xffff) {
                all.append('x');
            }
        }
        String s = all.toString();
        String kept = FlameGraphRenderer.cssSafe(s);
        assertThat(kept).isEqualTo(s.replaceAll("[^\\p{L}\\p{N} ,_'.-]", ""));
        assertThat(kept.length()).as("letters and digits of every script are kept").isGreaterThan(100_000);
        assertThat(FlameGraphRenderer.cssSafe("Verdana; } </style><script>")).isEqualTo("Verdana  stylescript");
    }

    @Test
    void noSamplesWritesAnSvgSayingSoThenThrows() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> FlameGraphRenderer.of(FlameGraphOptions.defaults())
                .render(FoldedSamples.builder().build(), out)).isInstanceOf(NoSamplesException.class);
        String svg = out.toString(StandardCharsets.UTF_8);
        assertThat(svg).contains("<svg").contains("No valid input").endsWith("</svg>\n");
    }

    @Test
    void hostileAndInvalidNamesStayWellFormedText() throws Exception {
        String folded = "main;<script>alert(1)</script> 1\n"
                + "main;]]>x 1\n"
                + "main;\"onload=\"x 1\n"
                + "main;ctl\u0001\u001b 1\n"
                + "main;bad\u00ff\u00c3 1\n"
                + "main;caf\u00c3\u00a9 1\n";
        Document doc = parse(render(folded, FlameGraphOptions.builder().title("<b>&</b>").notes("a --> b").build()));
        assertThat(titles(doc)).contains("<script>alert(1)</script> (1 samples, 16.67%)", "]]>x (1 samples, 16.67%)",
                "\"onload=\"x (1 samples, 16.67%)", "ctl\ufffd\ufffd (1 samples, 16.67%)",
                "bad\ufffd\ufffd (1 samples, 16.67%)", "caf\u00e9 (1 samples, 16.67%)");
        assertThat(doc.getElementById("title") == null ? "" : doc.getElementById("title").getTextContent()).isIn("", "<b>&</b>");
        assertThat(doc.getElementsByTagNameNS(SVG_NS, "script").getLength()).isEqualTo(1);
    }

    @Test
    void theSameInputGivesTheSameSvgAndTheScriptIsOurs() throws Exception {
        String folded = "a;b 3\na;c 4\n";
        byte[] one = render(folded, FlameGraphOptions.defaults());
        byte[] two = render(folded, FlameGraphOptions.defaults());
        assertThat(one).isEqualTo(two);
        String svg = new String(one, StandardCharsets.UTF_8);
        assertThat(svg).doesNotContain("orig_save", "g_to_func", "find_group", "zoom_parent", "zoom_child", "onload=")
                .contains("<g id=\"frames\">").doesNotContain("xlink:href", " src=", "url(http", "@import").contains("xmlns=\"http://www.w3.org/2000/svg\"");
    }

    @Test
    void defaultTitleAndBackgroundFollowTheOptions() {
        assertThat(FlameGraphOptions.defaults().title()).isEqualTo("Flame Graph");
        assertThat(FlameGraphOptions.builder().inverted(true).build().title()).isEqualTo("Icicle Graph");
        assertThat(FlameGraphOptions.builder().inverted(true).flameChart(true).build().title()).isEqualTo("Flame Chart");
        assertThat(FlameGraphOptions.builder().palette(Palette.MEM).build().background()).isEqualTo(Background.GREEN);
        assertThat(FlameGraphOptions.builder().palette(Palette.RED).build().background()).isEqualTo(Background.GREY);
        assertThat(Background.of("#f0f0f0").top()).isEqualTo("#f0f0f0");
    }

    @Test
    void framesNarrowerThanTheMinimumWidthAreLeftOutAndCounted() throws Exception {
        FoldedSamples s = FoldedSamples.read(new ByteArrayInputStream("a;b 999\na;c 1\n".getBytes(StandardCharsets.ISO_8859_1)), "t");
        RenderResult r = FlameGraphRenderer.of(FlameGraphOptions.builder().minWidthPercent(0.5).build())
                .render(s, new ByteArrayOutputStream());
        assertThat(r.framesDrawn()).isEqualTo(3);
        assertThat(r.framesOmitted()).isEqualTo(1);
        assertThat(r.total()).isEqualTo(1000);
    }
}
