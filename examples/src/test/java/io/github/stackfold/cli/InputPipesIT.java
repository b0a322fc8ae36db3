package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each input kind through a real pipe ({@code bash -c 'PRODUCER | java -jar flame.jar COMMAND ... -'}),
 * as {@code perf script | flame analyze -} runs: standard input is never seeked, and every command
 * reads it as it reads the same file given by name.
 */
class InputPipesIT {
    record Result(int code, String out, String err) {
    }

    private static String q(Object path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }

    /** {@code PRODUCER | java -jar flame.jar ARGS} in bash, a real pipe. */
    static Result pipe(String producer, String... args) throws Exception {
        Path jar = Shared.repoRoot().resolve("examples/target/flame.jar");
        Shared.requireThat(Files.exists(jar), jar + " is not built (mvn package)");
        StringBuilder cmd = new StringBuilder(producer).append(" | ")
                .append(q(Path.of(System.getProperty("java.home"), "bin", "java"))).append(" -jar ").append(q(jar));
        for (String a : args) {
            cmd.append(' ').append(q(a));
        }
        return bash(cmd.toString());
    }

    static Result bash(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "set -o pipefail; " + command).start();
        try {
            p.getOutputStream().close();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread t = new Thread(() -> {
                try {
                    p.getErrorStream().transferTo(err);
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            t.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("flame finished").isTrue();
            t.join(5000);
            return new Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    /** analyze's report without its first line, which names the input. */
    private static String report(Result r) {
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("profile ");
        return r.out().substring(r.out().indexOf('\n') + 1);
    }

    @Test
    void everyProfileKindReadsFromAPipeAsFromItsFile() throws Exception {
        Path folded = Shared.path("real/lab-recordings/roko99-flame.folded");
        Map<String, Path> kinds = new LinkedHashMap<>();
        kinds.put("pprof", Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb"));
        kinds.put("folded", folded);
        kinds.put("perf script", Shared.path("conformance/collapse-perf/inputs/perf-vertx-stacks-01.txt"));
        kinds.put("flamegraph.pl svg", Shared.path("real/lab-recordings/roko99-flame.svg"));
        for (Map.Entry<String, Path> k : kinds.entrySet()) {
            String byName = report(pipe("true", "analyze", k.getValue().toString()));
            String piped = report(pipe("cat " + q(k.getValue()), "analyze", "-"));
            assertThat(piped).as(k.getKey()).isEqualTo(byName);
        }
        // the flame graph drawn from the folded stacks gives the folded stacks' report back
        assertThat(report(pipe("cat " + q(kinds.get("flamegraph.pl svg")), "analyze", "-")))
                .isEqualTo(report(pipe("true", "analyze", folded.toString())));
    }

    @Test
    void stackfoldsOwnSvgAndCompressedInputReadFromAPipe() throws Exception {
        Path folded = Shared.path("real/lab-recordings/roko99-flame.folded");
        String expected = report(pipe("true", "analyze", folded.toString()));
        Path jar = Shared.repoRoot().resolve("examples/target/flame.jar");
        String java = q(Path.of(System.getProperty("java.home"), "bin", "java"));
        assertThat(report(pipe(java + " -jar " + q(jar) + " flamegraph " + q(folded), "analyze", "-"))).as("own svg")
                .isEqualTo(expected);
        for (String compressor : List.of("gzip", "xz", "bzip2", "zstd")) {
            Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/" + compressor)), compressor + " is not installed");
            assertThat(report(pipe(compressor + " -c " + q(folded), "analyze", "-"))).as(compressor).isEqualTo(expected);
        }
    }

    @Test
    void everyCommandThatReadsAProfileReadsEachKindFromAPipe(@TempDir Path dir) throws Exception {
        Path folded = Shared.path("real/lab-recordings/roko99-flame.folded");
        List<Path> inputs = List.of(Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb"), folded,
                Shared.path("conformance/collapse-perf/inputs/perf-vertx-stacks-01.txt"),
                Shared.path("real/lab-recordings/roko99-flame.svg"));
        for (Path in : inputs) {
            String cat = "cat " + q(in);
            Result svg = pipe(cat, "flamegraph", "-");
            assertThat(svg.code()).as(in + ": " + svg.err()).isZero();
            assertThat(svg.out()).as(in.toString()).startsWith("<?xml").contains("</svg>");
            Result collapsed = pipe(cat, "collapse", "-");
            assertThat(collapsed.code()).as(in + ": " + collapsed.err()).isZero();
            assertThat(collapsed.out()).as(in.toString()).isNotEmpty();
            Result diff = pipe(cat, "diff", folded.toString(), "-");
            assertThat(diff.code()).as(in + ": " + diff.err()).isZero();
            assertThat(diff.out().lines()).as(in.toString()).allMatch(l -> l.matches(".* \\d+ \\d+"));
            Result compare = pipe(cat, "compare", "--output-dir", dir.toString(), folded.toString(), "-");
            assertThat(compare.code()).as(in + ": " + compare.err()).isZero();
            assertThat(dir.resolve("compare.svg")).isNotEmptyFile();
        }
    }

    @Test
    void perfDataInPipeModeFromARealPerfIsReadFromAPipeAsPerfScriptWouldFoldIt() throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/perf")), "perf is not installed");
        Path data = Files.createTempFile("stackfold-pipe", ".perf.data");
        try {
            // perf record -o - writes the pipe format; a busy shell loop gives samples on any machine
            Result rec = bash("perf record -e cpu-clock -F 999 -g -o - -- sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'"
                    + " 2>/dev/null > " + q(data));
            Shared.requireThat(rec.code() == 0 && Files.size(data) > 8
                    && new String(Files.readAllBytes(data), 0, 8, StandardCharsets.ISO_8859_1).equals("PERFILE2"),
                    "perf record cannot record here (" + rec.err().strip() + ")");
            Result text = pipe("cat " + q(data) + " | perf script -i - 2>/dev/null", "collapse", "-");
            assertThat(text.code()).as(text.err()).isZero();
            assertThat(text.out()).as("perf script's own folding").contains("sh;");
            Result direct = pipe("cat " + q(data), "collapse", "-");
            assertThat(direct.code()).as(direct.err()).isZero();
            assertThat(direct.out()).isEqualTo(text.out());
            for (String command : List.of("analyze", "flamegraph")) {
                Result r = pipe("cat " + q(data), command, "-");
                assertThat(r.code()).as(command + ": " + r.err()).isZero();
                assertThat(r.out()).as(command).isNotEmpty();
            }
        } finally {
            Files.deleteIfExists(data);
        }
    }

    @Test
    void aProgramThroughAPipeIsRefusedAsAProgram() throws Exception {
        List<String> out = new ArrayList<>();
        for (String command : List.of("analyze", "flamegraph", "collapse")) {
            Result r = pipe("cat /bin/ls", command, "-");
            assertThat(r.code()).as(command).isEqualTo(ExitCodes.BAD_INPUT);
            out.add(r.err());
        }
        assertThat(out).containsOnly("flame: <stdin>: an executable (ELF), not a profile; "
                + "that is a program; record it with flame record (--pid PID or --process NAME)\n");
    }
}
