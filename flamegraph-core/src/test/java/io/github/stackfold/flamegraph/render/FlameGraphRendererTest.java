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

    /** The subtitle a perf.data recording with unnamed frames gets (issue 26): 231 characters. */
    static final String LONG_SUBTITLE = "157 samples, 373,058,756 cycles in 53.24 s, event cycles:P; weights are event counts,"
            + " CPU time unknown; cannot tell: 100.0% of CPU is in unnamed kube-apiserver frames; name them: flame"
            + " flamegraph --binary ./kube-apiserver perf.data";

    @Test
    void aSubtitleWiderThanTheGraphWrapsAtItsSemicolonsAndTheFramesMoveDown() throws Exception {
        String folded = "a;b;c 5\na;d 3\n";
        for (boolean inverted : new boolean[] {false, true}) {
            FlameGraphOptions o = FlameGraphOptions.builder().subtitle(LONG_SUBTITLE).inverted(inverted).build();
            Document doc = parse(render(folded, o));
            NodeList texts = doc.getElementsByTagNameNS(SVG_NS, "text");
            org.w3c.dom.Element subtitle = null;
            for (int i = 0; i < texts.getLength(); i++) {
                org.w3c.dom.Element e = (org.w3c.dom.Element) texts.item(i);
                if (e.getAttribute("id").equals("subtitle")) {
                    assertThat(subtitle).as("one subtitle element").isNull();
                    subtitle = e;
                }
            }
            assertThat(subtitle).isNotNull();
            assertThat(subtitle.getTextContent()).as("the lines joined are the subtitle").isEqualTo(LONG_SUBTITLE);
            NodeList lines = subtitle.getElementsByTagNameNS(SVG_NS, "tspan");
            assertThat(lines.getLength()).isEqualTo(2);
            double usable = o.width() - 2.0 * FlameGraphRenderer.XPAD;
            double lastY = 0;
            for (int i = 0; i < lines.getLength(); i++) {
                String line = lines.item(i).getTextContent();
                assertThat(line.length() * o.fontSize() * o.fontWidth()).as("line %d fits: %s", i, line).isLessThanOrEqualTo(usable);
                double y = Double.parseDouble(((org.w3c.dom.Element) lines.item(i)).getAttribute("y"));
                assertThat(y).as("each line below the one before").isGreaterThan(lastY);
                lastY = y;
            }
            assertThat(lines.item(0).getTextContent()).as("cut after a '; '")
                    .endsWith("; ").startsWith("157 samples, 373,058,756 cycles");
            double top = topFrame(doc);
            if (!inverted) {
                assertThat(top).as("every frame lies below the last subtitle line").isGreaterThan(lastY);
            } else {
                // an icicle graph hangs from the top as flamegraph.pl draws it (below its one subtitle line's
                // place), moved down by the second line
                double oneLine = topFrame(parse(render(folded, o.toBuilder().subtitle("short").build())));
                assertThat(top).isEqualTo(oneLine + FlameGraphRenderer.subtitleLineHeight(o.fontSize()));
            }
        }
    }

    /** The smallest y of the frames' rectangles. */
    static double topFrame(Document doc) {
        NodeList rects = doc.getElementsByTagNameNS(SVG_NS, "rect");
        double top = Double.MAX_VALUE;
        int frames = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            org.w3c.dom.Element r = (org.w3c.dom.Element) rects.item(i);
            if (r.getParentNode() instanceof org.w3c.dom.Element g && g.getTagName().equals("g")
                    && ((org.w3c.dom.Element) g.getParentNode()).getAttribute("id").equals("frames")) {
                frames++;
                top = Math.min(top, Double.parseDouble(r.getAttribute("y")));
            }
        }
        assertThat(frames).as("frames found").isGreaterThanOrEqualTo(4);
        return top;
    }

    @Test
    void aSubtitleThatFitsStaysOneTextLineAsFlamegraphPlDrawsIt() throws Exception {
        String svg = new String(render("a;b 1\n", FlameGraphOptions.builder().subtitle("157 samples; fine").build()),
                StandardCharsets.UTF_8);
        assertThat(svg).contains("<text id=\"subtitle\" x=\"600.00\" y=\"48\">157 samples; fine</text>").doesNotContain("tspan");
        assertThat(FlameGraphRenderer.subtitleLines("", 100)).isEmpty();
        assertThat(FlameGraphRenderer.subtitleLines("x".repeat(25), 10)).containsExactly("x".repeat(10), "x".repeat(10), "xxxxx");
        assertThat(FlameGraphRenderer.subtitleLines("aaaa, bbbb cccc", 11)).containsExactly("aaaa, ", "bbbb cccc");
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
