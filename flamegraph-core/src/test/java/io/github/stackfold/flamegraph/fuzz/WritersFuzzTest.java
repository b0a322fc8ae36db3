package io.github.stackfold.flamegraph.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Markdown;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.html.HtmlOptions;
import io.github.stackfold.flamegraph.html.HtmlRenderer;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;
import io.github.stackfold.flamegraph.render.FoldedSamples;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Fuzz targets for every writer of frame names: whatever bytes a frame or a title holds, the SVG is
 * well-formed XML whose only elements are the renderer's own (a name never becomes markup) and
 * the JSON report parses strictly. Seeds and campaigns as in {@link ReadersFuzzTest}.
 */
class WritersFuzzTest {
    private static final Set<String> SVG_ELEMENTS = Set.of("svg", "defs", "linearGradient", "stop", "style", "script",
            "rect", "text", "g", "title", "a");

    /** Made once: its rules are compiled when it is created, which each execution would repeat. */
    private static final Analyzer ANALYZER = Analyzer.create(Analyzer.Options.defaults());
    /** The page of one plain stack: the tags a page must hold, whatever its names. */
    private static final String PLAIN_PAGE;

    static {
        try {
            PLAIN_PAGE = html(FoldedProfile.of(Map.of("a;b", 1L)), "t");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Frame names and a title of any bytes, drawn as an SVG. */
    @FuzzTest(maxDuration = "3h")
    void svg(FuzzedDataProvider d) throws Exception {
        String title = d.consumeString(40);
        FoldedSamples.Builder b = FoldedSamples.builder();
        int lines = d.consumeInt(1, 12);
        for (int i = 0; i < lines; i++) {
            b.add(new String(d.consumeBytes(60), StandardCharsets.ISO_8859_1), d.consumeInt(1, 1000));
        }
        checkSvg(b.build(), title);
    }

    /** Frame names of any bytes through the analysis, written as JSON. */
    @FuzzTest(maxDuration = "3h")
    void json(FuzzedDataProvider d) throws Exception {
        Map<String, Long> stacks = new LinkedHashMap<>();
        int lines = d.consumeInt(1, 12);
        for (int i = 0; i < lines; i++) {
            stacks.merge(new String(d.consumeBytes(60), StandardCharsets.ISO_8859_1), (long) d.consumeInt(1, 1000),
                    Long::sum);
        }
        String json = ANALYZER.analyze(FoldedProfile.of(stacks), -1).toJson();
        JsonNode n = new ObjectMapper().readTree(json);
        assertThat(n.isObject()).isTrue();
    }

    /**
     * Frame names and a title of any bytes in the HTML viewer: the page keeps exactly the tags of a page
     * of plain names (a name never closes the script or opens a tag), whatever the names hold.
     */
    @FuzzTest(maxDuration = "3h")
    void html(FuzzedDataProvider d) throws Exception {
        String title = d.consumeString(40);
        Map<String, Long> stacks = new LinkedHashMap<>();
        int lines = d.consumeInt(1, 12);
        for (int i = 0; i < lines; i++) {
            stacks.merge(new String(d.consumeBytes(60), StandardCharsets.ISO_8859_1), (long) d.consumeInt(1, 1000), Long::sum);
        }
        String page = html(FoldedProfile.of(stacks), title);
        String plain = PLAIN_PAGE;
        for (String tag : new String[] {"<script", "</script", "<style", "</style", "<!--", "<body", "<svg", "<iframe", "<img"}) {
            assertThat(count(page, tag)).as(tag).isEqualTo(count(plain, tag));
        }
    }

    private static String html(FoldedProfile p, String title) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            HtmlRenderer.of(HtmlOptions.builder().title(title).subtitle(title).build()).render(p, out);
        } catch (io.github.stackfold.flamegraph.NoSamplesException none) {
            return "";
        }
        return out.toString(StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int at = s.indexOf(what); at >= 0; at = s.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    /**
     * A name of any characters as markdown text, code span and table cell: one line, every character
     * that would be markup escaped, a code span's fence not inside it, no bare {@code |} in a cell.
     */
    @FuzzTest(maxDuration = "3h")
    void markdown(FuzzedDataProvider d) {
        String name = d.consumeRemainingAsString();
        String text = Markdown.text(name);
        String code = Markdown.code(name);
        String cell = Markdown.codeCell(name);
        for (String out : new String[] {text, code, cell}) {
            assertThat(out.chars().filter(c -> c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0 || c == 0x2028 || c == 0x2029))
                    .as(out).isEmpty();
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++; // an escape and the character it escapes
                assertThat(i).as(text).isLessThan(text.length());
            } else {
                assertThat("`*<[]|&".indexOf(c)).as("bare '%s' in %s", c, text).isNegative();
            }
        }
        int fence = 0;
        while (fence < code.length() && code.charAt(fence) == '`') {
            fence++;
        }
        assertThat(code).endsWith("`".repeat(fence));
        String inner = code.substring(fence, code.length() - fence);
        assertThat(inner).doesNotStartWith("`").doesNotEndWith("`");
        for (String run : inner.split("[^`]+")) {
            assertThat(run.length()).as("a run of the fence's length inside %s", code).isNotEqualTo(fence);
        }
        for (int i = 0; i < cell.length(); i++) {
            if (cell.charAt(i) == '|') {
                assertThat(i).isPositive();
                assertThat(cell.charAt(i - 1)).as(cell).isEqualTo('\\');
            }
        }
    }

    /** Renders and checks: well-formed, only the renderer's elements, one script. */
    static void checkSvg(FoldedSamples s, String title) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FlameGraphOptions o = FlameGraphOptions.builder().title(title).subtitle(title).notes(title).build();
        try {
            FlameGraphRenderer.of(o).render(s, out);
        } catch (io.github.stackfold.flamegraph.NoSamplesException none) {
            // still an SVG that says so
        }
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setExpandEntityReferences(false);
        DocumentBuilder db = f.newDocumentBuilder();
        db.setErrorHandler(null);
        Document doc = db.parse(new ByteArrayInputStream(out.toByteArray()));
        NodeList all = doc.getElementsByTagName("*");
        int scripts = 0;
        for (int i = 0; i < all.getLength(); i++) {
            String name = ((Element) all.item(i)).getLocalName();
            assertThat(SVG_ELEMENTS).as("element <%s>", name).contains(name);
            if (name.equals("script")) {
                scripts++;
            }
        }
        assertThat(scripts).as("the renderer's own script, or none in a graph of no samples").isLessThanOrEqualTo(1);
    }
}
