package io.github.stackfold.flamegraph.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.html.TimedProfile;
import io.github.stackfold.testing.GoToolPprof;
import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export formats read back by their own tools: pprof by the real {@code go tool pprof}, speedscope
 * checked against the rules of its published schema by Python's jsonschema, folded by value.
 */
class ExportTest {
    static final String FOLDED = String.join("\n",
            "main;parse;lex 30",
            "main;parse;read_file;vfs_read 20",
            "main;render;draw_frames 25",
            "main;render;Draw_Text 10",
            "main;write_out;vfs_write 15") + "\n";

    @TempDir
    Path tmp;

    static FoldedProfile folded(String text) throws Exception {
        return FoldedProfile.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), "test");
    }

    Path pprof(ExportProfile p, String name) throws Exception {
        Path out = tmp.resolve(name + ".pb.gz");
        try (OutputStream o = Files.newOutputStream(out)) {
            PprofWriter.write(p, o);
        }
        return out;
    }

    static String go() {
        String go = GoToolPprof.goCommand();
        if (go == null && Files.isExecutable(Path.of("/usr/lib/go-1.23/bin/go"))) {
            go = "/usr/lib/go-1.23/bin/go";
        }
        Shared.requireThat(go != null, "go is not installed (apt-get install golang-go)");
        return go;
    }

    static String top(String go, Path profile, String sampleIndex) throws Exception {
        Path out = Files.createTempFile("pprof-top", ".txt");
        try {
            Process p = new ProcessBuilder(go, "tool", "pprof", "-top", "-sample_index=" + sampleIndex, profile.toString())
                    .redirectOutput(out.toFile()).redirectErrorStream(true).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void pprofOfFoldedStacksReadsBackInGoToolPprof() throws Exception {
        String go = go();
        FoldedProfile p = folded(FOLDED);
        Path file = pprof(ExportProfile.of(p), "folded");
        assertThat(GoToolPprof.fold(GoToolPprof.raw(go, file), 0)).isEqualTo(new java.util.TreeMap<>(p.asMap()));
        String top = top(go, file, "samples");
        assertThat(top).contains("Type: samples").contains("of 100 total")
                .containsPattern("\\s30 30\\.00%\\s+30\\.00%\\s+30 30\\.00%\\s+lex");
    }

    @Test
    void pprofOfPerfSamplesHasSampleCountsAndCpuNanoseconds(@TempDir Path rec) throws Exception {
        String go = go();
        PerfRuns.requirePerf();
        PerfRuns.record(List.of("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"), rec, "sh");
        // perf script again with the period and event fields, which the helper's field list leaves out
        Path text = rec.resolve("sh-events.txt");
        Process script = new ProcessBuilder("perf", "script", "-i", rec.resolve("sh.data").toString(),
                "-F", "comm,pid,tid,time,period,event,ip,sym,dso").redirectOutput(text.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(script.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(script.exitValue()).isZero();
        TimedProfile t;
        try (InputStream in = Files.newInputStream(text)) {
            t = TimedProfile.readPerfScript(in, text.toString(), CollapseOptions.defaults());
        }
        assertThat(t.event()).isEqualTo("cpu-clock");
        ExportProfile e = ExportProfile.of(t);
        assertThat(e.types()).containsExactly(ExportProfile.ValueType.SAMPLES, ExportProfile.ValueType.CPU_NANOS);
        Path file = pprof(e, "perf");
        String raw = GoToolPprof.raw(go, file);
        assertThat(raw).contains("samples/count cpu/nanoseconds[dflt]");
        Map<String, Long> samples = new HashMap<>();
        long[] counts = t.sampleCounts();
        for (int i = 0; i < t.profile().size(); i++) {
            samples.put(t.profile().stack(i), counts[i]);
        }
        assertThat(GoToolPprof.fold(raw, 0)).isEqualTo(new java.util.TreeMap<>(samples));
        assertThat(GoToolPprof.fold(raw, 1)).isEqualTo(new java.util.TreeMap<>(t.profile().asMap()));
        assertThat(top(go, file, "samples")).contains("of " + t.samples() + " total");
        assertThat(top(go, file, "cpu")).contains("Type: cpu");
    }

    @Test
    void speedscopeMeetsTheSchemaWithOneProfilePerThread() throws Exception {
        TimedProfile t = TimedProfile.builder().event("cpu-clock")
                .add("java-1/2;main;work", 1_000_000, 10_000_000)
                .add("java-1/2;main;work", 1_100_000, 10_000_000)
                .add("java-1/3;main;gc", 1_200_000, 10_000_000)
                .add("sh-7/7;\"quoted\" </script>", 1_300_000, 5)
                .build();
        JsonNode root = speedscope(ExportProfile.of(t), ExportProfile.Value.WEIGHT, "t");
        JsonNode profiles = root.get("profiles");
        assertThat(profiles).hasSize(3);
        assertThat(root.get("activeProfileIndex").asInt()).isZero();
        JsonNode java2 = profiles.get(0);
        assertThat(java2.get("name").asText()).isEqualTo("java-1/2");
        assertThat(java2.get("unit").asText()).isEqualTo("nanoseconds");
        assertThat(java2.get("endValue").asLong()).isEqualTo(20_000_000);
        JsonNode frames = root.get("shared").get("frames");
        JsonNode stack = java2.get("samples").get(0);
        assertThat(frames.get(stack.get(0).asInt()).get("name").asText()).isEqualTo("main");
        assertThat(frames.get(stack.get(1).asInt()).get("name").asText()).isEqualTo("work");
        assertThat(profiles.get(2).get("samples").get(0)).hasSize(1);
        assertThat(frames.get(profiles.get(2).get("samples").get(0).get(0).asInt()).get("name").asText())
                .isEqualTo("\"quoted\" </script>");

        // the heaviest thread is the one speedscope opens, wherever it sorts
        TimedProfile late = TimedProfile.builder().event("cpu-clock")
                .add(":-1____-1_[000]___296.393906:;do_exit", 1_000_000, 1_001_001)
                .add("java-1/2;main", 1_100_000, 1_001_001)
                .add("java-1/2;main", 1_200_000, 1_001_001)
                .build();
        JsonNode h = speedscope(ExportProfile.of(late), ExportProfile.Value.WEIGHT, "h");
        assertThat(h.get("profiles").get(h.get("activeProfileIndex").asInt()).get("name").asText()).isEqualTo("java-1/2");

        JsonNode one = speedscope(ExportProfile.of(folded(FOLDED)), ExportProfile.Value.SAMPLES, "f").get("profiles");
        assertThat(one).hasSize(1);
        assertThat(one.get(0).get("unit").asText()).isEqualTo("none");
        assertThat(one.get(0).get("endValue").asLong()).isEqualTo(100);
    }

    /** The speedscope file of {@code p}, written to a file, checked against the schema and read back. */
    JsonNode speedscope(ExportProfile p, ExportProfile.Value value, String name) throws Exception {
        Path json = tmp.resolve(name + ".speedscope.json");
        try (OutputStream o = Files.newOutputStream(json)) {
            SpeedscopeWriter.write(p, value, name, o);
        }
        validate(json);
        return new ObjectMapper().readTree(json.toFile());
    }

    /** Python's jsonschema against the rules of speedscope's published schema (test resource). */
    void validate(Path json) throws Exception {
        Path schema = tmp.resolve("schema.json");
        try (InputStream in = ExportTest.class.getResourceAsStream("speedscope-sampled.schema.json")) {
            Files.write(schema, in.readAllBytes());
        }
        Process probe;
        try {
            probe = new ProcessBuilder("python3", "-c", "import jsonschema").redirectErrorStream(true).start();
        } catch (java.io.IOException noPython) {
            Shared.requireThat(false, "python3 is not on PATH");
            return;
        }
        probe.getInputStream().readAllBytes();
        Shared.requireThat(probe.waitFor() == 0, "python3 (on PATH) is missing or has no jsonschema module (pip install jsonschema)");
        Process p = new ProcessBuilder("python3", "-c",
                "import json, sys, jsonschema\n"
                        + "jsonschema.Draft6Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))\n"
                        + "print('valid')",
                schema.toString(), json.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out.trim()).isEqualTo("valid");
    }

    @Test
    void foldedBySamplesOrByWeight() throws Exception {
        TimedProfile t = TimedProfile.builder().event("cpu-clock")
                .add("java;a", 1, 250).add("java;a", 2, 250).add("java;b", 3, 7).build();
        ExportProfile e = ExportProfile.of(t);
        assertThat(e.folded(ExportProfile.Value.SAMPLES).toString()).isEqualTo("java;a 2\njava;b 1\n");
        assertThat(e.folded(ExportProfile.Value.WEIGHT).toString()).isEqualTo("java;a 500\njava;b 7\n");
        ExportProfile f = ExportProfile.of(folded(FOLDED));
        assertThat(f.folded(ExportProfile.Value.WEIGHT).toString()).isEqualTo(folded(FOLDED).toString());
    }
}
