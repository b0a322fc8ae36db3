package io.github.stackfold.flamegraph.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class FlameGraphSvgTest {

    /**
     * The nine flame graphs users published (flamegraph.pl's SVGs) come back as the folded stacks beside
     * each, which were made from the SVGs independently (see ../shared/real/lab-recordings/README.md),
     * compared as stack -> count multisets.
     */
    @Test
    void flamegraphPlSvgsOfTheLabComeBackAsTheirFoldedStacks() throws IOException {
        Path dir = Shared.path("real/lab-recordings");
        List<Path> svgs = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".svg")).sorted().forEach(svgs::add);
        }
        assertThat(svgs).hasSize(9);
        for (Path svg : svgs) {
            Path folded = Path.of(svg.toString().replace(".svg", ".folded"));
            List<String> warnings = new ArrayList<>();
            ProfileLoader loader = ProfileLoader.builder().onWarning(warnings::add).build();
            try (ProfileInput in = ProfileInput.open(svg.toString(), null)) {
                assertThat(in.kind()).as(svg.toString()).isEqualTo(ProfileInput.Kind.FLAME_GRAPH_SVG);
                assertThat(map(loader.load(in))).as(svg.toString()).isEqualTo(map(FoldedProfile.read(
                        Files.newInputStream(folded), folded.toString())));
            }
            assertThat(warnings).as(svg.toString()).isEmpty();
        }
    }

    /** stackfold's own SVG, flame and icicle, gives back what it drew. */
    @Test
    void ownSvgsComeBackAsTheStacksTheyDraw() throws IOException {
        String text = "java;main;run;work 40\njava;main;run;idle 7\njava;main 3\ngo;runtime.mcall;schedule 25\n"
                + "go;net/http.(*conn).serve;handler &lt;x&gt; \"q\" 5\n";
        FoldedProfile drawn = FoldedProfile.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "t");
        for (boolean inverted : new boolean[] {false, true}) {
            ByteArrayOutputStream svg = new ByteArrayOutputStream();
            FlameGraphRenderer.of(FlameGraphOptions.builder().inverted(inverted).build()).render(drawn, svg);
            try (ProfileInput in = ProfileInput.of(new ByteArrayInputStream(svg.toByteArray()), "own.svg")) {
                assertThat(in.kind()).isEqualTo(ProfileInput.Kind.FLAME_GRAPH_SVG);
                assertThat(map(ProfileLoader.create().load(in))).as("inverted " + inverted).isEqualTo(map(drawn));
            }
        }
    }

    /** A frame without a parent below it (an edited graph) is left out, and the shortfall said. */
    @Test
    void stacksThatDoNotAddUpToTheRootAreReadWithAWarningOfTheAmount() throws IOException {
        String svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\">\n<g id=\"frames\">\n"
                + "<g><title>all (10 samples, 100%)</title><rect x=\"10\" y=\"50\" width=\"100\" height=\"15\"/></g>\n"
                + "<g><title>a (6 samples, 60%)</title><rect x=\"10\" y=\"34\" width=\"60\" height=\"15\"/></g>\n"
                + "<g><title>b (4 samples, 40%)</title><rect x=\"70\" y=\"34\" width=\"40\" height=\"15\"/></g>\n"
                + "<g><title>c (3 samples, 30%)</title><rect x=\"200\" y=\"18\" width=\"30\" height=\"15\"/></g>\n"
                + "</g></svg>\n";
        List<String> warnings = new ArrayList<>();
        FoldedProfile p;
        try (InputStream in = new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8))) {
            p = ProfileLoader.builder().onWarning(warnings::add).build().load(in, "edited.svg");
        }
        assertThat(map(p)).isEqualTo(Map.of("a", 6L, "b", 4L));
        assertThat(warnings).singleElement().asString().startsWith("edited.svg: ").contains("frames of weight 3 had no parent");
    }

    private static Map<String, Long> map(FoldedProfile p) {
        Map<String, Long> m = new TreeMap<>();
        p.forEach((stack, count) -> m.merge(stack, count, Long::sum));
        return m;
    }
}
