package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame collapse --srcline}, {@code --inline} and {@code --context} on the recordings and
 * stackcollapse-perf.pl outputs of flamegraph-core's {@code src/test/resources/collapse-perf} (see
 * {@code SourceLinesAndInliningTest} there for how they were made): byte-identical output.
 */
class CollapseSourceLinesCliTest {
    static Path cases() {
        Path dir = Shared.repoRoot().resolve("flamegraph-core/src/test/resources/collapse-perf");
        Shared.requireThat(Files.isDirectory(dir), dir + " is absent");
        return dir;
    }

    static String flame(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(args, new ByteArrayInputStream(new byte[0]), out, err);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(ExitCodes.OK);
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("\tat ");
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    static String expected(String name) throws Exception {
        return Files.readString(cases().resolve("expected").resolve(name + ".txt"), StandardCharsets.ISO_8859_1);
    }

    @Test
    void srclineAppendsTheSourceLineOfEachFrame() throws Exception {
        Path in = cases().resolve("inputs/gcc-inline-srcline.txt");
        assertThat(flame("collapse", "--srcline", in.toString())).isEqualTo(expected("gcc-inline-srcline--srcline"));
        assertThat(flame("collapse", "--srcline", "--all", in.toString())).isEqualTo(expected("gcc-inline-srcline--srcline+all"));
    }

    @Test
    void inlineExpandsFramesWithAddr2lineAndContextAddsTheirSourceLines(@TempDir Path tmp) throws Exception {
        boolean tools = true;
        for (String t : new String[] {"addr2line", "nm"}) {
            boolean found = false;
            for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                found |= !d.isEmpty() && Files.isExecutable(Path.of(d, t));
            }
            tools &= found;
        }
        Shared.requireThat(tools, "addr2line or nm is not installed (apt-get install binutils)");
        Path bin = cases().resolve("bin/inl");
        String text = Files.readString(cases().resolve("inputs/gcc-inline.txt"), StandardCharsets.ISO_8859_1)
                .replace("(/tmp/collapse-inl/inl)", "(" + bin.toAbsolutePath() + ")");
        Path in = tmp.resolve("gcc-inline.txt");
        Files.writeString(in, text, StandardCharsets.ISO_8859_1);
        assertThat(flame("collapse", "--inline", in.toString())).isEqualTo(expected("gcc-inline--inline"));
        assertThat(flame("collapse", "--inline", "--context", in.toString())).isEqualTo(expected("gcc-inline--inline+context"));
        assertThat(flame("collapse", "--context", in.toString())).isEqualTo(expected("gcc-inline--context"));
    }
}
