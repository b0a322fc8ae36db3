package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.io.NotAProfileException;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that reads a profile refuses what is no profile with the same one line: the path, what
 * it looks like, and what to give instead; exit code 2, nothing on standard output.
 */
class InputRefusalTest {
    /** The commands that take profiles, each with the arguments around the one input under test. */
    static final Map<String, List<String>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("analyze", List.of("analyze", "@"));
        COMMANDS.put("flamegraph", List.of("flamegraph", "@"));
        COMMANDS.put("collapse", List.of("collapse", "@"));
        COMMANDS.put("diff", List.of("diff", "%good", "@"));
        COMMANDS.put("compare", List.of("compare", "--output-dir", "%out", "@", "%good"));
        COMMANDS.put("html", List.of("html", "@"));
        COMMANDS.put("export", List.of("export", "--format", "folded", "@"));
    }

    record Run(int code, String out, String err) {
    }

    static Run flame(byte[] stdin, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(args.toArray(new String[0]), new ByteArrayInputStream(stdin), out, err);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The files of each refused kind, and what the message says each looks like. */
    private static Map<Path, String> refused(Path dir) throws Exception {
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(write(dir, "picture.png", "\u0089PNG\r\n\u001a\n\0\0\0\rIHDR\0\0\0\u0001"), "a PNG image");
        files.put(write(dir, "photo.jpg", "\u00ff\u00d8\u00ff\u00e0\0\u0010JFIF\0"), "a JPEG image");
        files.put(write(dir, "anim.gif", "GIF89a\u0001\0\u0001\0\u0080\0\0"), "a GIF image");
        files.put(write(dir, "paper.pdf", "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n"), "a PDF document");
        files.put(write(dir, "report.docx", "PK\u0003\u0004\u0014\0\u0006\0\b\0\0\0!\0"), "a ZIP archive (or an office document)");
        files.put(write(dir, "page.html", "<!DOCTYPE html>\n<html><head><title>x</title></head><body>hi</body></html>\n"),
                "an HTML page");
        files.put(write(dir, "empty.txt", ""), "empty");
        files.put(write(dir, "random.bin", "\0\u0001\u0002\u0003\u00fe\u00ff garbage \u0007"), "binary data of no profile format");
        files.put(Shared.repoRoot().resolve("README.md"), "text in none of the profile formats");
        Path sub = Files.createDirectories(dir.resolve("a-directory"));
        files.put(sub, "a directory");
        Path ls = Path.of("/bin/ls");
        if (Files.isReadable(ls)) {
            files.put(ls, "an executable (ELF)");
        }
        return files;
    }

    private static Path write(Path dir, String name, String bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void everyCommandRefusesEveryKindThatIsNoProfileWithTheSameLine(@TempDir Path dir) throws Exception {
        Path good = write(dir, "good.folded", "main;f 3\nmain;g 1\n");
        int checked = 0;
        for (Map.Entry<Path, String> kind : refused(dir).entrySet()) {
            for (Map.Entry<String, List<String>> command : COMMANDS.entrySet()) {
                List<String> args = new ArrayList<>();
                for (String a : command.getValue()) {
                    args.add(a.equals("@") ? kind.getKey().toString() : a.equals("%good") ? good.toString()
                            : a.equals("%out") ? dir.resolve("out").toString() : a);
                }
                Run r = flame(new byte[0], args);
                String what = command.getKey() + " " + kind.getKey();
                assertThat(r.code()).as(what + ": " + r.err()).isEqualTo(ExitCodes.BAD_INPUT);
                assertThat(r.out()).as(what).isEmpty();
                assertThat(r.err()).as(what).isEqualTo("flame: " + kind.getKey() + ": " + kind.getValue() + ", not a profile; "
                        + instead(kind.getValue(), kind.getKey().toString(), command.getKey()) + "\n");
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(11 * COMMANDS.size());
    }

    private static String instead(String what, String path, String command) {
        if (what.startsWith("perf record")) {
            return "turn it into text first: perf script -i " + path + " | flame " + command + " -";
        }
        if (what.startsWith("an executable")) {
            return "that is a program; record it with flame record (--pid PID or --process NAME)";
        }
        if (what.equals("a directory")) {
            return "give a profile file in it: " + NotAProfileException.EXPECTED;
        }
        return "give " + NotAProfileException.EXPECTED;
    }

    @Test
    void theRefusalNamesEveryFormatThatIsReadPerfDataToo(@TempDir Path dir) throws Exception {
        Run r = flame(new byte[0], List.of("analyze", write(dir, "empty.txt", "").toString()));
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).startsWith("flame: " + dir.resolve("empty.txt") + ": empty, not a profile; give a pprof profile, ")
                .contains("perf.data").contains("folded stacks").contains("perf script output").contains("flame graph SVG");
        // and a perf.data is indeed read (theRealPerfDataOfALabRecordingIsReadWithoutPerf)
    }

    @Test
    void standardInputIsRefusedTheSameWay() {
        for (String command : List.of("analyze", "flamegraph", "collapse")) {
            Run r = flame("\u0089PNG\r\n\u001a\n\0\0".getBytes(StandardCharsets.ISO_8859_1), List.of(command, "-"));
            assertThat(r.code()).as(command).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.err()).as(command).isEqualTo("flame: <stdin>: a PNG image, not a profile; give "
                    + NotAProfileException.EXPECTED + "\n");
        }
    }

    @Test
    void aTruncatedGzipIsBadInputNamedInOneLineByEveryCommand(@TempDir Path dir) throws Exception {
        byte[] text = Files.readAllBytes(Shared.path("conformance/collapse-perf/inputs/perf-java-stacks-01.txt"));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(text);
        }
        byte[] half = java.util.Arrays.copyOf(gz.toByteArray(), gz.size() / 2);
        Path file = Files.write(dir.resolve("perf.txt.gz"), half);
        Path good = write(dir, "good.folded", "main;f 3\n");
        for (Map.Entry<String, List<String>> command : COMMANDS.entrySet()) {
            List<String> args = new ArrayList<>();
            for (String a : command.getValue()) {
                args.add(a.equals("@") ? file.toString() : a.equals("%good") ? good.toString()
                        : a.equals("%out") ? dir.resolve("out").toString() : a);
            }
            Run r = flame(new byte[0], args);
            assertThat(r.code()).as(command.getKey() + ": " + r.err()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.err()).as(command.getKey()).isEqualTo("flame: " + file
                    + ": gzip data is truncated or corrupt (Unexpected end of ZLIB input stream)\n");
        }
        Run piped = flame(half, List.of("analyze", "-"));
        assertThat(piped.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(piped.err()).isEqualTo("flame: <stdin>: gzip data is truncated or corrupt (Unexpected end of ZLIB input stream)\n");
    }

    @Test
    void theRealPerfDataOfALabRecordingIsReadWithoutPerf() {
        Path data = Shared.path("real/lab-recordings/vkamlov-arm64.perf.data");
        Run r = flame(new byte[0], List.of("flamegraph", data.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("kube-apiserver");
    }
}
