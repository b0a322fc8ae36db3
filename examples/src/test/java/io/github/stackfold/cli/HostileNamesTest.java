package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.lab.LabPipeline;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile names through the whole lab: a process whose name holds {@code <}, {@code |}, a backtick
 * and a line break (a real process, recorded with real perf), and frames with the same (folded input
 * written here), reach report.md escaped (no markup of their own, tables stay tables), report.json as
 * valid JSON with the names exact, and the summary one line each.
 */
class HostileNamesTest {
    /** Every character that would be markup, a line break, an escape sequence. */
    private static final String COMM = "a<b|c`d\ne";

    @TempDir
    Path tmp;
    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    /**
     * Checks markdown line by line: outside code spans no raw {@code <}, {@code &} or backtick, no
     * {@code |} outside a table; each table's rows have as many cell separators as its header.
     */
    static void wellFormedMarkdown(String md) {
        String[] lines = md.split("\n", -1);
        int tableColumns = -1;
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            boolean table = line.startsWith("|");
            int pipes = 0;
            for (int i = 0; i < line.length(); ) {
                char c = line.charAt(i);
                if (c == '\\' && i + 1 < line.length()) {
                    i += 2;
                    continue;
                }
                if (c == '`') {
                    int run = 0;
                    while (i + run < line.length() && line.charAt(i + run) == '`') {
                        run++;
                    }
                    int close = closingRun(line, i + run, run);
                    assertThat(close).as("line %d: a code span of %d backticks is closed: %s", n + 1, run, line)
                            .isGreaterThanOrEqualTo(0);
                    // an unescaped | ends a table cell even inside a code span (GFM)
                    for (int k = i + run; k < close; k++) {
                        if (line.charAt(k) == '|' && line.charAt(k - 1) != '\\') {
                            pipes++;
                        }
                    }
                    i = close + run;
                    continue;
                }
                assertThat(c).as("line %d: raw '%s' outside a code span: %s", n + 1, c, line).isNotIn('<', '&');
                if (c == '|') {
                    assertThat(table).as("line %d: a | outside a table: %s", n + 1, line).isTrue();
                    pipes++;
                }
                i++;
            }
            if (table) {
                if (tableColumns < 0) {
                    tableColumns = pipes;
                }
                assertThat(pipes).as("line %d: cells of a table row: %s", n + 1, line).isEqualTo(tableColumns);
            } else {
                tableColumns = -1;
            }
        }
    }

    /** Where the next run of exactly {@code run} backticks starts at or after {@code from}, or -1. */
    private static int closingRun(String line, int from, int run) {
        for (int i = from; i < line.length(); ) {
            if (line.charAt(i) != '`') {
                i++;
                continue;
            }
            int r = 0;
            while (i + r < line.length() && line.charAt(i + r) == '`') {
                r++;
            }
            if (r == run) {
                return i;
            }
            i += r;
        }
        return -1;
    }

    /** The text of the first code span in {@code line}, as markdown shows it (one padding space stripped). */
    static String firstCodeSpan(String line) {
        int i = line.indexOf('`');
        int run = 0;
        while (line.charAt(i + run) == '`') {
            run++;
        }
        String s = line.substring(i + run, closingRun(line, i + run, run));
        return s.startsWith(" ") && s.endsWith(" ") && !s.isBlank() ? s.substring(1, s.length() - 1) : s;
    }

    private static void noControlCharacters(List<String> lines) {
        for (String l : lines) {
            assertThat(l.chars().filter(c -> c < 0x20 || c == 0x7f)).as(l).isEmpty();
        }
    }

    @Test
    void framesWithMarkupAndAProcessNameWithALineBreakReachReportsEscaped() throws Exception {
        String leaf = "render<script>alert(1)</script>|x``y`z&b\u001b[31m";
        // a folded line holds no line break: the root frame is the name as perf script prints it
        String root = "a<b|c`d\\ne";
        String stack = root + ";main;pipe|frame;" + leaf;
        Path in = tmp.resolve("hostile.folded");
        Files.writeString(in, stack + " 90\n" + root + ";main;idle 10\n", StandardCharsets.UTF_8);
        FoldedProfile p;
        try (var s = Files.newInputStream(in)) {
            p = FoldedProfile.read(s, in.toString());
        }
        String description = "PID 4242 (" + COMM + "), perf 2 s";
        Path out = tmp.resolve("out");
        LabPipeline.Result r = new LabPipeline(out, Rules.kubeApiserver(), COMM + " CPU", 10)
                .write(new LabPipeline.Source(p, 100, description), null);

        String md = Files.readString(out.resolve("report.md"));
        wellFormedMarkdown(md);
        assertThat(md).doesNotContain(COMM).doesNotContain("\u001b").startsWith("# a\\<b\\|c\\`d\\\\ne CPU\n");
        // the line break shown as \n (its backslash escaped: markdown shows "\n")
        assertThat(md).contains("Profiled: PID 4242 (a\\<b\\|c\\`d\\\\ne), perf 2 s.");
        // the answers' hottest path, in running text
        assertThat(md).contains("4 frames: render\\<script>alert(1)\\</script>\\|x\\`\\`y\\`z\\&b\\\\x1b\\[31m \\<- pipe\\|frame");
        // the hottest paths, each a code span holding the names as they are
        String hot = md.substring(md.indexOf("## Hottest paths")).lines().filter(l -> l.startsWith("- 90.0% "))
                .findFirst().orElseThrow();
        assertThat(firstCodeSpan(hot)).as(hot).isEqualTo(
                "render<script>alert(1)</script>|x``y`z&b\\x1b[31m <- pipe|frame <- main <- a<b|c`d\\ne");

        JsonNode json = new ObjectMapper().readTree(Files.readString(out.resolve("report.json")));
        assertThat(json.at("/source/description").asText()).isEqualTo(description);
        assertThat(json.at("/hotPaths/0/stack").asText()).isEqualTo(stack);

        assertThat(r.summary()).hasSize(5);
        noControlCharacters(r.summary());
        assertThat(r.summary().get(0)).isEqualTo("profiled: PID 4242 (a<b|c`d\\ne), perf 2 s");
        assertThat(r.summary().get(3)).contains("render<script>alert(1)</script>|x``y`z&b\\x1b[31m <- pipe|frame");
    }

    @Test
    void aRealProcessNamedWithMarkupAndALineBreakIsProfiledIntoEscapedReports() throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/perf")), "perf is not installed (apt-get install linux-perf)");
        Shared.requireThat(Files.isExecutable(Path.of("/bin/dash")), "/bin/dash is missing");
        // a copy of dash whose file name, and so its comm, is the hostile name
        Path exe = Files.copy(Path.of("/bin/dash"), Files.createDirectories(tmp.resolve("bin")).resolve(COMM));
        exe.toFile().setExecutable(true);
        Process busy = new ProcessBuilder(exe.toString(), "-c", "while :; do :; done").start();
        processes.track(busy);
        Path comm = Path.of("/proc", Long.toString(busy.pid()), "comm");
        assertThat(Files.readString(comm)).as("the kernel's name of the process").isEqualTo(COMM + "\n");

        Path out = tmp.resolve("out");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = FlameCli.run(new String[] {"profile", "--pid", Long.toString(busy.pid()), "--duration", "2s",
                "--output-dir", out.toString()}, new ByteArrayInputStream(new byte[0]), stdout, stderr);
        String err = stderr.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err).isZero();
        List<String> summary = stdout.toString(StandardCharsets.UTF_8).lines().toList();
        System.out.println("hostile process: " + String.join("\n  ", summary) + "\nstderr: " + err);
        assertThat(summary).as("the five summary lines").hasSize(5);
        noControlCharacters(summary);
        noControlCharacters(err.lines().toList());
        // the description names the executable, whose path ends in the hostile name
        assertThat(summary.get(0)).startsWith("profiled: PID " + busy.pid() + " (" + exe.getParent() + "/a<b|c`d\\ne)");

        String md = Files.readString(out.resolve("report.md"));
        wellFormedMarkdown(md);
        assertThat(md).doesNotContain(COMM).contains("(" + exe.getParent() + "/a\\<b\\|c\\`d\\\\ne)");
        JsonNode json = new ObjectMapper().readTree(Files.readString(out.resolve("report.json")));
        assertThat(json.at("/source/description").asText()).contains("(" + exe + ")");
        // perf names the process by its comm: the root frame of every stack
        FoldedProfile folded;
        // the folded file is named after the program (its name made safe for a file name)
        Path foldedFile;
        try (var files = Files.list(out)) {
            foldedFile = files.filter(f -> f.getFileName().toString().endsWith(".folded")).findFirst().orElseThrow();
        }
        assertThat(foldedFile.getFileName().toString()).doesNotContain("<", "|", "`", "\n");
        try (var s = Files.newInputStream(foldedFile)) {
            folded = FoldedProfile.read(s, foldedFile.toString());
        }
        String root = FoldedProfile.frames(folded.asMap().keySet().iterator().next()).get(0);
        assertThat(root).as("perf's name of the process").contains("a<b|c`d");
        assertThat(json.at("/hotPaths/0/stack").asText()).startsWith(root);
        String inclusive = md.substring(md.indexOf("## Functions by inclusive share"));
        assertThat(inclusive.lines().filter(l -> l.startsWith("- ")).map(HostileNamesTest::firstCodeSpan))
                .as(inclusive).contains(root.replace("\n", "\\n"));
    }
}
