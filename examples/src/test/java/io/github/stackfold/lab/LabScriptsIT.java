package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/generate-flamegraph.sh for real, on a perf script text, a folded file and a fresh perf.data. */
class LabScriptsIT {

    private static FlameProcess.Result script(List<String> args) throws Exception {
        FlameProcess.jar(); // skips with a reason when flame.jar is not built
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Shared.repoRoot().resolve("scripts/generate-flamegraph.sh").toString());
        cmd.addAll(args);
        return FlameProcess.runCommand(cmd, java.util.Map.of(), 120);
    }

    @Test
    void turnsPerfScriptTextIntoTheReferenceFoldedStacksAndAnSvg(@TempDir Path out) throws Exception {
        Path input = Shared.path("conformance/collapse-perf/inputs/go-stacks.txt");
        Path expected = Shared.path("conformance/collapse-perf/expected/go-stacks--default.txt");
        Path svg = out.resolve("flame.svg");
        FlameProcess.Result r = script(List.of(input.toString(), svg.toString()));
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("wrote " + svg);
        assertThat(Files.readString(out.resolve("flame.folded"), StandardCharsets.ISO_8859_1))
                .isEqualTo(Files.readString(expected, StandardCharsets.ISO_8859_1));
        FlameProcess.parseSvg(svg);
    }

    @Test
    void rendersFoldedInputAsItIsWithExtraFlamegraphOptions(@TempDir Path out) throws Exception {
        Path folded = Shared.path("conformance/collapse-perf/expected/go-stacks--default.txt");
        Path svg = out.resolve("g.svg");
        FlameProcess.Result r = script(List.of(folded.toString(), svg.toString(), "--title", "lab step 4"));
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(Files.readString(svg)).contains("lab step 4");
        assertThat(Files.readString(out.resolve("g.folded"))).isEqualTo(Files.readString(folded));
        FlameProcess.parseSvg(svg);
    }

    @Test
    void readsAPerfDataFileWithoutPerf(@TempDir Path out) throws Exception {
        Shared.requireThat(FlameProcess.onPath("perf"), "perf is not installed (apt-get install linux-perf)");
        Path data = out.resolve("perf.data");
        Process rec = new ProcessBuilder("perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-o", data.toString(),
                "--", "sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertThat(rec.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            rec.destroyForcibly();
        }
        assertThat(rec.exitValue()).isZero();
        Path svg = out.resolve("busy.svg");
        FlameProcess.Result r = script(List.of(data.toString(), svg.toString()));
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(Files.readString(out.resolve("busy.folded"), StandardCharsets.ISO_8859_1)).startsWith("sh;");
        FlameProcess.parseSvg(svg);
    }

    @Test
    void readsTheArm64RecordingThatThisPerfRefuses(@TempDir Path out) throws Exception {
        Path data = Shared.path("real/lab-recordings/vkamlov-arm64.perf.data");
        Shared.requireThat(Files.isRegularFile(data), "no " + data + " (the shared lab recordings)");
        Path svg = out.resolve("arm64.svg");
        FlameProcess.Result r = script(List.of(data.toString(), svg.toString()));
        assertThat(r.code()).as(r.stderr()).isZero();
        long total = Files.readAllLines(out.resolve("arm64.folded")).stream()
                .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(total).isEqualTo(373_058_756L);
        FlameProcess.parseSvg(svg);
    }

    @Test
    void aDamagedPerfDataFileSaysWhereAndWhatWasExpected(@TempDir Path out) throws Exception {
        Path data = out.resolve("bad.data");
        byte[] b = new byte[200];
        System.arraycopy("PERFILE2".getBytes(StandardCharsets.ISO_8859_1), 0, b, 0, 8);
        b[8] = 40; // a header size that is neither 16 (pipe) nor 104 (file)
        Files.write(data, b);
        FlameProcess.Result r = script(List.of(data.toString(), out.resolve("bad.svg").toString()));
        assertThat(r.code()).isNotZero();
        assertThat(r.stderr()).contains(data.toString()).contains("at byte 8").contains("header size")
                .doesNotContain("empty input");
    }
}
