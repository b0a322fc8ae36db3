package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class FlameGraphCommandTest {
    static final String FOLDED = "main;a;b 30\nmain;a;c 20\nmain;d 50\n";

    @TempDir
    Path tmp;

    static ByteArrayInputStream stdin(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** title text -> rect fill, for every frame. */
    static List<String[]> frames(byte[] svg) throws Exception {
        Document doc = SvgChecks.parse(svg);
        NodeList gs = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < gs.getLength(); i++) {
            Element rect = (Element) gs.item(i);
            Element g = (Element) rect.getParentNode();
            NodeList titles = g.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title");
            if (titles.getLength() > 0) {
                out.add(new String[] {titles.item(0).getTextContent(), rect.getAttribute("fill"), rect.getAttribute("width")});
            }
        }
        return out;
    }

    static String[] frame(byte[] svg, String name) throws Exception {
        for (String[] f : frames(svg)) {
            if (f[0].startsWith(name + " (")) {
                return f;
            }
        }
        throw new AssertionError("no frame " + name);
    }

    @Test
    void optionsAcceptBothSpaceAndEqualsForms() {
        SvgChecks.Run spaced = SvgChecks.flame(stdin(FOLDED), "flamegraph", "--title", "T & t", "--width", "900",
                "--colors", "java", "--minwidth", "1%", "--countname", "ms");
        SvgChecks.Run equals = SvgChecks.flame(stdin(FOLDED), "flamegraph", "--title=T & t", "--width=900",
                "--colors=java", "--minwidth=1%", "--countname=ms");
        assertThat(spaced.code).isZero();
        assertThat(equals.outText()).isEqualTo(spaced.outText()).contains("width=\"900\"").contains("T &amp; t")
                .contains("(30 ms, 30.00%)");
    }

    @Test
    void severalFilesAreMergedLikeTheirConcatenation() throws Exception {
        Path one = tmp.resolve("one.folded");
        Path two = tmp.resolve("two.folded");
        Files.writeString(one, "main;a;b 30\nmain;d 20\n");
        Files.writeString(two, "main;a;c 20\nmain;d 30\n");
        SvgChecks.Run merged = SvgChecks.flame("flamegraph", one.toString(), two.toString());
        SvgChecks.Run concatenated = SvgChecks.flame(stdin(FOLDED), "flamegraph", "-");
        assertThat(merged.code).isZero();
        assertThat(merged.outText()).isEqualTo(concatenated.outText());
        assertThat(frame(merged.out, "d")[0]).isEqualTo("d (50 samples, 50.00%)");
    }

    @Test
    void perfScriptTextIsCollapsedFirstAsFlameCollapseWould() throws Exception {
        String perf = "java 4711 [001] 1.000001: 1000 cpu-clock:\n"
                + "\t    7f0000001000 Foo::bar+0x1 (/opt/app.so)\n"
                + "\t    7f0000002000 main+0x2 (/opt/app.so)\n\n"
                + "java 4711 [001] 1.000002: 1000 cpu-clock:\n"
                + "\t    7f0000003000 Foo::baz+0x3 (/opt/app.so)\n"
                + "\t    7f0000002000 main+0x2 (/opt/app.so)\n\n"
                + "java 4711 [001] 1.000003: 1000 cpu-clock:\n"
                + "THIS_IS_A_WEIRD_LINE\n"
                + "\t    7f0000001000 Foo::bar+0x1 (/opt/app.so)\n"
                + "\t    7f0000002000 main+0x2 (/opt/app.so)\n\n";
        SvgChecks.Run direct = SvgChecks.flame(stdin(perf), "flamegraph");
        SvgChecks.Run collapsed = SvgChecks.flame(stdin(perf), "collapse");
        SvgChecks.Run viaFolded = SvgChecks.flame(new ByteArrayInputStream(collapsed.out), "flamegraph");
        assertThat(direct.code).isZero();
        assertThat(new String(collapsed.out, StandardCharsets.UTF_8)).isEqualTo("java;main;Foo::bar 2000\njava;main;Foo::baz 1000\n");
        assertThat(direct.out).isEqualTo(viaFolded.out);
        assertThat(direct.err).contains("skipped 1 line(s) of no known perf script shape").contains("THIS_IS_A_WEIRD_LINE");
    }

    @Test
    void diffReadsPerfScriptTextLikeItsFoldedStacks() throws Exception {
        String one = "app 7 [000] 1.0: 10 cpu-clock:\n\t    401000 work+0x1 (/opt/app)\n\t    402000 main+0x2 (/opt/app)\n\n";
        String two = "app 7 [000] 2.0: 30 cpu-clock:\n\t    401000 work+0x1 (/opt/app)\n\t    402000 main+0x2 (/opt/app)\n\n";
        Path before = Files.writeString(tmp.resolve("before.txt"), one);
        Path after = Files.writeString(tmp.resolve("after.txt"), two);
        SvgChecks.Run run = SvgChecks.flame("diff", before.toString(), after.toString());
        assertThat(run.code).isZero();
        assertThat(run.outText()).isEqualTo("app;main;work 10 30\n");
    }

    @Test
    void outputFileOptionWritesTheSvgThere() throws Exception {
        Path svg = tmp.resolve("out.svg");
        SvgChecks.Run run = SvgChecks.flame(stdin(FOLDED), "flamegraph", "-o", svg.toString());
        assertThat(run.code).isZero();
        assertThat(run.out).isEmpty();
        assertThat(frame(Files.readAllBytes(svg), "a")[0]).isEqualTo("a (50 samples, 50.00%)");
    }

    @Test
    void noSamplesWritesAnSvgSayingSoAndExitsTwo() throws Exception {
        // folded stacks whose counts are all zero (text that is no profile at all is refused, InputRefusalTest)
        SvgChecks.Run run = SvgChecks.flame(stdin("main;f 0\nmain;g 0\n"), "flamegraph");
        assertThat(run.code).isEqualTo(ExitCodes.BAD_INPUT).isEqualTo(2);
        Document doc = SvgChecks.parse(run.out);
        assertThat(doc.getDocumentElement().getTextContent()).contains("No valid input");
        assertThat(run.err).contains("no stack counts found").doesNotContain("\tat ");
    }

    @Test
    void invalidLinesAreReportedWithTheirLineAndTheRestIsDrawn() throws Exception {
        Path f = tmp.resolve("mixed.folded");
        Files.writeString(f, "main;a 10\nthis line has no count\nmain;b 5\n");
        SvgChecks.Run run = SvgChecks.flame("flamegraph", f.toString());
        assertThat(run.code).isZero();
        assertThat(run.err).contains("ignored 1 lines").contains(f + ":2");
        assertThat(frame(run.out, "b")[0]).isEqualTo("b (5 samples, 33.33%)");
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        assertThat(SvgChecks.flame(stdin(FOLDED), "flamegraph", "--colors", "pink").code).isEqualTo(ExitCodes.USAGE);
        assertThat(SvgChecks.flame(stdin(FOLDED), "flamegraph", "--bgcolors", "pink").code).isEqualTo(ExitCodes.USAGE);
        assertThat(SvgChecks.flame(stdin(FOLDED), "flamegraph", "--minwidth", "abc").code).isEqualTo(ExitCodes.USAGE);
        assertThat(SvgChecks.flame(stdin(FOLDED), "flamegraph", "--width", "wide").code).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void consistentPaletteReusesAndExtendsThePaletteFile() throws Exception {
        Path palette = tmp.resolve("palette.map");
        Files.writeString(palette, "a->rgb(1,2,3)\n");
        SvgChecks.Run run = SvgChecks.flame(stdin(FOLDED), "flamegraph", "--cp", "--palette-file", palette.toString());
        assertThat(run.code).isZero();
        assertThat(frame(run.out, "a")[1]).isEqualTo("rgb(1,2,3)");
        List<String> lines = Files.readAllLines(palette);
        assertThat(lines).contains("a->rgb(1,2,3)", "b->" + frame(run.out, "b")[1], "d->" + frame(run.out, "d")[1]);
        assertThat(lines).isSorted();
    }

    @Test
    void nameAttributesSetTitleAndClassButNeverScriptsOrJavascriptLinks() throws Exception {
        Path attrs = tmp.resolve("attrs");
        Files.writeString(attrs, "a\ttitle=the a function\tclass=hot\tonclick=alert(1)\thref=javascript:alert(2)\n"
                + "d\thref=https://example.invalid/d\n");
        SvgChecks.Run run = SvgChecks.flame(stdin(FOLDED), "flamegraph", "--nameattr", attrs.toString());
        assertThat(run.code).isZero();
        String svg = run.outText();
        assertThat(svg).contains("<g class=\"hot\"><title>the a function</title>")
                .doesNotContain("onclick").doesNotContain("javascript:")
                .contains("<a xlink:href=\"https://example.invalid/d\" target=\"_top\">");
        SvgChecks.parse(run.out);
    }

    @Test
    void declaredEncodingIsWrittenAndStaysWellFormed() throws Exception {
        String folded = "main;caf\u00c3\u00a9;\u00e6\u0097\u00a5\u00e6\u009c\u00ac 10\n"; // UTF-8 of café, 日本
        SvgChecks.Run run = SvgChecks.flame(stdin(folded), "flamegraph", "--encoding", "ISO-8859-1");
        assertThat(run.code).isZero();
        String latin1 = new String(run.out, StandardCharsets.ISO_8859_1);
        assertThat(latin1).startsWith("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"").contains("caf\u00e9").contains("&#26085;&#26412;");
        assertThat(frame(run.out, "caf\u00e9")[0]).startsWith("caf\u00e9 (10 samples");
        assertThat(frame(run.out, "\u65e5\u672c")[0]).startsWith("\u65e5\u672c (10 samples");
    }

    @Test
    void diffWritesTwoCountsAndRendersGrowthRedAndShrinkageBlue() throws Exception {
        Path before = tmp.resolve("before.folded");
        Path after = tmp.resolve("after.folded");
        Files.writeString(before, "main;grows 10\nmain;shrinks 40\nmain;same 50\nmain;gone 5\n");
        Files.writeString(after, "main;grows 40\nmain;shrinks 10\nmain;same 50\nmain;new 5\n");
        SvgChecks.Run diff = SvgChecks.flame("diff", before.toString(), after.toString());
        assertThat(diff.code).as(diff.err).isZero();
        assertThat(diff.outText()).isEqualTo(
                "main;gone 5 0\nmain;grows 10 40\nmain;new 0 5\nmain;same 50 50\nmain;shrinks 40 10\n");

        SvgChecks.Run svg = SvgChecks.flame(new ByteArrayInputStream(diff.out), "flamegraph");
        assertThat(svg.code).isZero();
        int[] grows = rgb(frame(svg.out, "grows")[1]);
        int[] shrinks = rgb(frame(svg.out, "shrinks")[1]);
        assertThat(grows[0]).isEqualTo(255);
        assertThat(grows[1]).isEqualTo(grows[2]).isLessThan(255);
        assertThat(shrinks[2]).isEqualTo(255);
        assertThat(shrinks[0]).isEqualTo(shrinks[1]).isLessThan(255);
        assertThat(frame(svg.out, "same")[1]).isEqualTo("rgb(255,255,255)");
        assertThat(frame(svg.out, "grows")[0]).isEqualTo("grows (40 samples, 38.10%; +28.57%)");

        SvgChecks.Run negated = SvgChecks.flame(new ByteArrayInputStream(diff.out), "flamegraph", "--negate");
        assertThat(negated.code).isZero();
        assertThat(frame(negated.out, "grows")[1]).isEqualTo(frame(svg.out, "shrinks")[1]);
        assertThat(frame(negated.out, "shrinks")[1]).isEqualTo(frame(svg.out, "grows")[1]);
        assertThat(frame(negated.out, "grows")[0]).isEqualTo("grows (40 samples, 38.10%; -28.57%)");
    }

    @Test
    void diffNormalizesTheFirstProfileAndStripsHexAddresses() throws Exception {
        Path before = tmp.resolve("before.folded");
        Path after = tmp.resolve("after.folded");
        Files.writeString(before, "main;f+0x1a2b 10\nmain;f+0xff 10\nmain;g 30\n");
        Files.writeString(after, "main;f+0x3c4d 50\nmain;g 50\n");
        SvgChecks.Run run = SvgChecks.flame("diff", "-n", "-s", before.toString(), after.toString());
        assertThat(run.code).isZero();
        // totals 50 and 100: before counts are scaled by 100/50, truncated as Perl's int()
        assertThat(run.outText()).isEqualTo("main;f+0x... 40 50\nmain;g 60 50\n");
    }

    static int[] rgb(String fill) {
        Matcher m = Pattern.compile("rgb\\((\\d+),(\\d+),(\\d+)\\)").matcher(fill);
        assertThat(m.matches()).as(fill).isTrue();
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
    }

}
