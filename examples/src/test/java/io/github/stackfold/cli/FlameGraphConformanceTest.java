package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;

/**
 * Every case of ../shared/conformance/flamegraph/CASES.tsv rendered by {@code flame flamegraph} has
 * the frames of flamegraph.pl's SVG (titles, positions to 0.1 px, labels, fills), checked by
 * ../shared/tools/svg-frames-diff; the output is well-formed XML; and the same input fed through
 * standard input one byte at a time gives the same SVG.
 */
class FlameGraphConformanceTest {
    static final String DIR = "conformance/flamegraph";

    static Stream<Arguments> cases() throws Exception {
        String prop = System.getProperty("stackfold.shared");
        Path shared = prop != null ? Path.of(prop) : Shared.repoRoot().resolve("../shared");
        Path tsv = shared.resolve(DIR).resolve("CASES.tsv");
        if (!Files.exists(tsv)) {
            return Stream.of(Arguments.of("(no CASES.tsv)", "", ""));
        }
        List<Arguments> out = new ArrayList<>();
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", -1);
            if (f.length < 2 || f[0].equals("case")) {
                continue;
            }
            out.add(Arguments.of(f[0], f[1], f.length > 2 ? f[2] : ""));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void framesMatchFlamegraphPl(String name, String input, String options, @TempDir Path tmp) throws Exception {
        Path dir = Shared.path(DIR);
        Path tool = Shared.path("tools/svg-frames-diff");
        Shared.requireThat(SvgChecks.hasPython(), "python3 is not installed (svg-frames-diff needs it)");

        List<String> args = new ArrayList<>();
        args.add("flamegraph");
        args.addAll(SvgChecks.shellWords(options));
        List<String> fromFile = new ArrayList<>(args);
        fromFile.add(dir.resolve("folded").resolve(input).toString());
        SvgChecks.Run run = SvgChecks.flame(fromFile.toArray(new String[0]));
        assertThat(run.code).as(run.err).isZero();

        Document doc = SvgChecks.parse(run.out);
        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");

        Path actual = tmp.resolve(name + ".svg");
        Files.write(actual, run.out);
        SvgChecks.Run diff = SvgChecks.framesDiff(tool, dir.resolve("expected").resolve(name + ".svg"), actual);
        System.out.println(name + ": " + diff.outText().trim());
        assertThat(diff.code).as(diff.outText()).isZero();

        byte[] folded = Files.readAllBytes(dir.resolve("folded").resolve(input));
        SvgChecks.Run viaStdin = SvgChecks.flame(SvgChecks.oneByteAtATime(folded), args.toArray(new String[0]));
        assertThat(viaStdin.code).isZero();
        assertThat(viaStdin.outText()).isEqualTo(run.outText());
    }
}
