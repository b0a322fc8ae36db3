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

    /** A frame as the SVG shows it: its rectangle's width, its label and its tooltip. */
    record Frame(double width, String label, String title, String shortName) {
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
            out.add(new Frame(Double.parseDouble(rect.getAttribute("width")), text == null ? "" : text.getTextContent(),
                    title.getTextContent(), g.hasAttribute("data-short") ? g.getAttribute("data-short") : null));
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
        System.out.printf("frames wider than 30 px with a label cut to '..' at width 1200: full names %d of %d,"
                + " short names %d of %d%n", before[1], before[0], after[1], after[0]);
        assertThat(after[0]).isEqualTo(before[0]);
        assertThat(before[1]).as("full names: nearly every wide label is cut").isGreaterThan(before[0] * 9 / 10);
        // 139 -> 83 of 148 when written: what is still cut sits in frames of 5-6 characters (36-43 px),
        // the chain of net/http.HandlerFunc.ServeHTTP and filter closures, where no form of a Go name fits
        assertThat(after[1]).as("short names cut far fewer").isLessThanOrEqualTo(before[1] * 2 / 3);

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
