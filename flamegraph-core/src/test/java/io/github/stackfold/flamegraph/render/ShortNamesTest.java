package io.github.stackfold.flamegraph.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.FrameNames;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Short frame names ({@link FlameGraphOptions#names()}) on the real kube-apiserver CPU profile, counted
 * from the SVG itself (its DOM, not the renderer's code), and the flamegraph.pl conformance inputs,
 * which must look exactly as with full names.
 */
class ShortNamesTest {
    static final String PROFILE = "real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb";
    /** The smallest font of a short label at the default 12 px: pprof's minimum. */
    static final double MIN_FONT = 8.0;

    /**
     * A frame as the SVG shows it: its rectangle's x and width, its label, its tooltip, its short name
     * and its label's font size from the text's style ({@code font-size:9.6px}; 0 when it has none).
     */
    record Frame(double x, double width, String label, String title, String shortName, double textX, double fontSize) {
    }

    static List<Frame> frames(byte[] svg) throws Exception {
        Document doc = FlameGraphRendererTest.parse(svg);
        NodeList gs = doc.getElementsByTagNameNS(FlameGraphRendererTest.SVG_NS, "g");
        List<Frame> out = new ArrayList<>();
        for (int i = 0; i < gs.getLength(); i++) {
            Element g = (Element) gs.item(i);
            Element rect = child(g, "rect");
            Element title = child(g, "title");
            if (rect == null || title == null) {
                continue;
            }
            Element text = child(g, "text");
            String style = text == null ? "" : text.getAttribute("style");
            double size = 0;
            if (!style.isEmpty()) {
                assertThat(style).matches("font-size:[0-9]+\\.[0-9]px");
                size = Double.parseDouble(style.substring("font-size:".length(), style.length() - 2));
            }
            out.add(new Frame(Double.parseDouble(rect.getAttribute("x")), Double.parseDouble(rect.getAttribute("width")),
                    text == null ? "" : text.getTextContent(), title.getTextContent(),
                    g.hasAttribute("data-short") ? g.getAttribute("data-short") : null,
                    text == null ? 0 : Double.parseDouble(text.getAttribute("x")), size));
        }
        return out;
    }

    static Element child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && name.equals(c.getLocalName())) {
                return c;
            }
        }
        return null;
    }

    static byte[] render(FoldedProfile p, FlameGraphOptions o) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FlameGraphRenderer.of(o).render(p, out);
        return out.toByteArray();
    }

    /** Frames wider than 30 px, and how many of them have a label cut to "..". */
    static long[] cut(List<Frame> frames) {
        long wide = 0;
        long cut = 0;
        for (Frame f : frames) {
            if (f.width() > 30) {
                wide++;
                if (f.label().endsWith("..")) {
                    cut++;
                }
            }
        }
        return new long[] {wide, cut};
    }

    @Test
    void goLabelsOfTheRealApiserverProfileAreShortAndFarFewerAreCut() throws Exception {
        Path pb = Shared.path(PROFILE);
        FoldedProfile p = PprofReader.create().read(pb).folded();
        byte[] full = render(p, FlameGraphOptions.builder().names(FrameNames.Style.FULL).build());
        byte[] auto = render(p, FlameGraphOptions.defaults());
        List<Frame> fullFrames = frames(full);
        List<Frame> autoFrames = frames(auto);
        long[] before = cut(fullFrames);
        long[] after = cut(autoFrames);
        // a label in a smaller font is one that no form of the name fits at 12 px
        long shrunk = autoFrames.stream().filter(f -> f.width() > 30 && f.fontSize() > 0 && !f.label().endsWith("..")).count();
        System.out.printf("frames wider than 30 px with a label cut to '..' at width 1200: full names %d of %d;"
                + " short names at 12 px %d, short names down to %s px %d of %d%n",
                before[1], before[0], after[1] + shrunk, MIN_FONT, after[1], after[0]);
        assertThat(after[0]).isEqualTo(before[0]);
        assertThat(before[1]).as("full names: nearly every wide label is cut").isGreaterThan(before[0] * 9 / 10);
        assertThat(shrunk).as("labels drawn in a smaller font").isPositive();
        // 139 -> 70 of 148 when written (83 at 12 px only), one more than the half (69) that issue 27 asks
        // for: what is still cut sits mostly in frames of 36 px, too narrow even at 8 px for ServeHTTP
        // (9 characters, 42.5 px) and the filter closures; withAuthentication.func1 (24 characters) misses
        // 113.3 px by 0.6 px. A bound that a regression breaks, not the goal.
        assertThat(after[1]).as("short names in a smaller font cut about half").isLessThanOrEqualTo(70);

        // every label's estimated width (characters x font size x 0.59) within its frame; a smaller font
        // only where short names are on, never below the minimum
        for (List<Frame> frames : List.of(fullFrames, autoFrames)) {
            for (Frame f : frames) {
                double size = f.fontSize() > 0 ? f.fontSize() : 12;
                if (frames == fullFrames) {
                    assertThat(f.fontSize()).as("full names keep the font size").isZero();
                } else if (f.fontSize() > 0) {
                    assertThat(f.fontSize()).as(f.label()).isBetween(MIN_FONT, 11.9);
                }
                assertThat(f.label().codePointCount(0, f.label().length()) * size * 0.59).as(f.label())
                        .isLessThanOrEqualTo(f.width());
            }
        }
        assertThat(FlameGraphRendererTest.parse(auto).getDocumentElement().getAttribute("data-minfontsize")).isEqualTo("8.0");
        assertThat(FlameGraphRendererTest.parse(full).getDocumentElement().hasAttribute("data-minfontsize")).isFalse();

        // same frames, same tooltips (the full names), only the labels differ
        assertThat(autoFrames).hasSameSizeAs(fullFrames);
        for (int i = 0; i < autoFrames.size(); i++) {
            Frame a = autoFrames.get(i);
            Frame f = fullFrames.get(i);
            assertThat(a.title()).isEqualTo(f.title());
            assertThat(a.width()).isEqualTo(f.width());
            String name = a.title().substring(0, a.title().lastIndexOf(" ("));
            if (!a.label().isEmpty() && !name.equals("all")) {
                String shown = a.label().endsWith("..") ? a.label().substring(0, a.label().length() - 2) : a.label();
                assertThat(name).as("a label is a part of the full name").contains(shown);
            }
        }
        assertThat(autoFrames).anySatisfy(f -> {
            assertThat(f.title()).startsWith("k8s.io/apiserver/pkg/endpoints/filters.WithAuthorization.func1 (");
            assertThat(f.shortName()).isEqualTo("filters.WithAuthorization.func1");
        });
        assertThat(autoFrames).anySatisfy(f -> assertThat(f.label()).isEqualTo("http.(*conn).serve"));
    }

    @Test
    void aShortFormThatFitsNowhereAtTheFontSizeIsDrawnSmallerDownToTheMinimumThenCut() throws Exception {
        // 1,180 px for 100 samples: 5 = 59 px, 3 = 35.4 px, 40 = 472 px; ServeHTTP is 9 characters
        String folded = "a;net/http.HandlerFunc.ServeHTTP;x 5\nb;net/http.HandlerFunc.ServeHTTP;x 3\n"
                + "c;net/http.HandlerFunc.ServeHTTP;x 40\nd 52\n";
        List<Frame> frames = frames(FlameGraphRendererTest.render(folded,
                FlameGraphOptions.builder().names(FrameNames.Style.SHORT).build()));
        List<Frame> serve = frames.stream().filter(f -> f.title().startsWith("net/http.HandlerFunc.ServeHTTP (")).toList();
        assertThat(serve).extracting(Frame::width).containsExactly(59.0, 35.4, 472.0);
        // 59 px: "ServeHTTP" needs 63.7 px at 12 px; at 59 / (9 x 0.59) = 11.1 px it fits
        assertThat(serve.get(0).label()).isEqualTo("ServeHTTP");
        assertThat(serve.get(0).fontSize()).isEqualTo(11.1);
        // 35.4 px: 42.5 px even at 8 px, so cut, at 8 px: 7 characters
        assertThat(serve.get(1).label()).isEqualTo("Serve..");
        assertThat(serve.get(1).fontSize()).isEqualTo(MIN_FONT);
        // 472 px: the short name at the font size, no style
        assertThat(serve.get(2).label()).isEqualTo("http.HandlerFunc.ServeHTTP");
        assertThat(serve.get(2).fontSize()).isZero();
        // the same with full names: flamegraph.pl's cut at 12 px (8 and 5 characters)
        List<Frame> full = frames(FlameGraphRendererTest.render(folded,
                FlameGraphOptions.builder().names(FrameNames.Style.FULL).build()));
        assertThat(full).filteredOn(f -> f.title().startsWith("net/http.HandlerFunc.ServeHTTP ("))
                .extracting(Frame::label).containsExactly("net/ht..", "net..", "net/http.HandlerFunc.ServeHTTP");
        assertThat(full).allSatisfy(f -> assertThat(f.fontSize()).isZero());
    }

    static Stream<String> conformanceInputs() throws Exception {
        Path dir = Shared.dir().resolve("conformance/flamegraph/folded");
        if (!Files.isDirectory(dir)) {
            return Stream.of("(absent)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("conformanceInputs")
    void theConformanceInputsAreDrawnWithFullNamesByDefault(String input) throws Exception {
        Path file = Shared.path("conformance/flamegraph/folded/" + input);
        byte[] folded = Files.readAllBytes(file);
        for (FlameGraphOptions base : List.of(FlameGraphOptions.defaults(),
                FlameGraphOptions.builder().inverted(true).palette(Palette.JAVA).build())) {
            FoldedSamples s1 = FoldedSamples.read(new ByteArrayInputStream(folded), input);
            FoldedSamples s2 = FoldedSamples.read(new ByteArrayInputStream(folded), input);
            ByteArrayOutputStream auto = new ByteArrayOutputStream();
            ByteArrayOutputStream full = new ByteArrayOutputStream();
            FlameGraphRenderer.of(base).render(s1, auto);
            FlameGraphRenderer.of(base.toBuilder().names(FrameNames.Style.FULL).build()).render(s2, full);
            assertThat(auto.toString("ISO-8859-1")).isEqualTo(full.toString("ISO-8859-1"));
        }
    }

    @Test
    void shortNamesOnRequestShortenJavaLabelsAndKeepTheFullNameInTheTooltip() throws Exception {
        String folded = "java;org/apache/kafka/clients/NetworkClient.poll;java.lang.Thread.run;tcp_sendmsg_[k] 10\n";
        byte[] svg = FlameGraphRendererTest.render(folded, FlameGraphOptions.builder().names(FrameNames.Style.SHORT).build());
        List<Frame> frames = frames(svg);
        assertThat(frames).extracting(Frame::label).contains("NetworkClient.poll", "Thread.run", "tcp_sendmsg");
        assertThat(frames).extracting(Frame::title)
                .anySatisfy(t -> assertThat(t).startsWith("org/apache/kafka/clients/NetworkClient.poll ("))
                .anySatisfy(t -> assertThat(t).startsWith("java.lang.Thread.run ("));
        byte[] auto = FlameGraphRendererTest.render(folded, FlameGraphOptions.defaults());
        assertThat(frames(auto)).extracting(Frame::label).contains("java.lang.Thread.run").doesNotContain("Thread.run");
    }
}
