package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A target that exits mid-recording, with real perf and a real dash: what was recorded is kept, and said plainly. */
class TargetExitsTest {
    @TempDir
    Path tmp;

    @Test
    void aTargetThatExitsKeepsItsSamplesAndIsNotSaidToHaveNoBinary() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dash")), "no /usr/bin/dash");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/perf")) || Files.isExecutable(Path.of("/usr/local/bin/perf")),
                "no perf");
        // busy for about four seconds, then gone
        Process dash = new ProcessBuilder("/usr/bin/dash", "-c",
                "end=$(($(date +%s)+4)); while [ $(date +%s) -lt $end ]; do i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; done")
                .start();
        try {
            SvgChecks.Run r = SvgChecks.flame("record", "--pid", String.valueOf(dash.pid()), "--duration", "12s",
                    "--no-stream", "--output-dir", tmp.toString());
            assertThat(r.code).as(r.err).isIn(ExitCodes.OK, ExitCodes.NO_TARGET);
            assertThat(r.err).contains("exited");
            assertThat(r.err).as("/usr/bin/dash exists").doesNotContain("binary not found");
            try (var files = Files.list(tmp)) {
                assertThat(files.map(f -> f.getFileName().toString())).as(r.err).anyMatch(n -> n.endsWith(".folded"));
            }
        } finally {
            dash.destroy();
            dash.waitFor();
        }
    }
}
