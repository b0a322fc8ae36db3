package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.GoPrograms;
import io.github.stackfold.testing.GoPrograms.Toolchain;
import io.github.stackfold.testing.GoPrograms.Variant;
import io.github.stackfold.testing.PerfRuns;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code flame collapse --symbolize} on real perf recordings of the test Go program: the unstripped
 * build recorded once; the same text with every frame of the program turned into what perf prints for
 * the stripped build ({@code [unknown]} in the stripped binary) must fold to the same stacks.
 */
class CollapseSymbolizeCliTest {
    private static final Pattern FRAME = Pattern.compile("^(\\s+[0-9a-f]+ )(.+) \\((.*)\\)$");

    private static Path dir;
    private static Path plain;
    private static Path stripped;
    private static Path namedText;
    private static Path unknownText;

    record Run(int code, String out, String err) {
    }

    @BeforeAll
    static void record() throws Exception {
        PerfRuns.requirePerf();
        Toolchain go = GoPrograms.requireDefault();
        plain = GoPrograms.build(go, Variant.PLAIN);
        stripped = GoPrograms.build(go, Variant.STRIPPED);
        dir = Files.createTempDirectory("collapse-symbolize");
        namedText = PerfRuns.record(List.of(plain.toString(), "run", "1500"), dir, "plain");
        unknownText = dir.resolve("as-if-stripped.txt");
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(namedText, StandardCharsets.ISO_8859_1)) {
            Matcher m = FRAME.matcher(line);
            if (m.matches() && m.group(3).equals(plain.toString())) {
                line = m.group(1) + "[unknown] (" + stripped + ")";
            }
            sb.append(line).append('\n');
        }
        Files.writeString(unknownText, sb, StandardCharsets.ISO_8859_1);
    }

    @AfterAll
    static void cleanUp() {
        GoPrograms.deleteTree(dir);
    }

    static Run flame(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(args, new ByteArrayInputStream(new byte[0]), out, err);
        return new Run(code, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void foldsStrippedGoFramesToTheStacksOfTheUnstrippedBuild() {
        Run named = flame("collapse", namedText.toString());
        Run without = flame("collapse", unknownText.toString());
        Run with = flame("collapse", "--symbolize", unknownText.toString());
        assertThat(named.code()).as(named.err()).isZero();
        assertThat(with.code()).as(with.err()).isZero();
        assertThat(with.err()).isEmpty();
        String module = "[" + stripped.getFileName() + "]";
        assertThat(without.out()).contains(module);
        assertThat(with.out()).doesNotContain(module);
        // perf's names carry the linker's .abi0 suffix of assembly functions; the table has none
        assertThat(folded(with.out())).isEqualTo(folded(named.out().replace(".abi0;", ";").replace(".abi0 ", " ")));
    }

    @Test
    void readsTheBinaryBelowSymfsOrFromBinary() throws Exception {
        Path root = dir.resolve("symfs");
        Path copy = root.resolve("opt/app/" + stripped.getFileName());
        Files.createDirectories(copy.getParent());
        Files.copy(stripped, copy);
        Path moved = dir.resolve("moved.txt");
        Files.writeString(moved, Files.readString(unknownText, StandardCharsets.ISO_8859_1)
                .replace("(" + stripped + ")", "(/opt/app/" + stripped.getFileName() + ")"), StandardCharsets.ISO_8859_1);
        Run expected = flame("collapse", "--symbolize", unknownText.toString());
        Run viaSymfs = flame("collapse", "--symfs", root.toString(), moved.toString());
        Run viaBinary = flame("collapse", "--symbolize", "--binary", copy.toString(), moved.toString());
        assertThat(viaSymfs.code()).as(viaSymfs.err()).isZero();
        assertThat(viaSymfs.out()).isEqualTo(expected.out());
        assertThat(viaBinary.out()).isEqualTo(expected.out());

        Run notFound = flame("collapse", "--symbolize", moved.toString());
        assertThat(notFound.code()).isZero();
        assertThat(notFound.err().strip()).isEqualTo("flame: warning: cannot name frames of /opt/app/"
                + stripped.getFileName() + ": binary not found; its frames stay [unknown]");
        assertThat(notFound.out()).contains("[" + stripped.getFileName() + "]");
    }

    @Test
    void expandsInlinedGoCallsMarkedAsInlined() {
        Run plainRun = flame("collapse", "--symbolize", unknownText.toString());
        Run inline = flame("collapse", "--symbolize", "--inline-go", unknownText.toString());
        assertThat(inline.code()).as(inline.err()).isZero();
        Map<String, Long> a = folded(plainRun.out());
        Map<String, Long> b = folded(inline.out());
        assertThat(b.values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(a.values().stream().mapToLong(Long::longValue).sum());
        // sort.Ints is inlined into main.sorter: the physical function first, then the callee marked
        assertThat(inline.out()).contains("main.sorter;sort.Ints_[i]");
        assertThat(inline.out()).doesNotContain("main.sorter_[i]");
        // dropping the inlined frames gives back the stacks without --inline-go
        Map<String, Long> withoutInlined = new TreeMap<>();
        b.forEach((stack, n) -> withoutInlined.merge(stack.replaceAll(";[^;]*_\\[i\\]", ""), n, Long::sum));
        assertThat(withoutInlined).isEqualTo(a);
    }

    @Test
    void binaryAndSymfsTogetherAreAUsageError() {
        Run r = flame("collapse", "--binary", stripped.toString(), "--symfs", dir.toString(), unknownText.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().strip()).isEqualTo("flame: --binary and --symfs exclude each other");
    }

    private static Map<String, Long> folded(String text) {
        Map<String, Long> m = new TreeMap<>();
        for (String line : text.split("\n")) {
            int sp = line.lastIndexOf(' ');
            if (sp > 0) {
                m.merge(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)), Long::sum);
            }
        }
        return m;
    }
}
