package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Report;
import io.github.stackfold.flamegraph.folded.ProfileMeta;
import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.flamegraph.io.ProfileInput;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;
import io.github.stackfold.flamegraph.render.FoldedSamples;
import io.github.stackfold.flamegraph.render.FrameLayout;
import io.github.stackfold.flamegraph.render.RenderResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code flame flamegraph}: folded stacks to an interactive SVG, with flamegraph.pl's options
 * ({@link RenderFlags}). Only translates flags into {@link FlameGraphOptions}.
 */
@Command(name = "flamegraph", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        header = "Draw profiles as an interactive SVG flame graph.",
        sortOptions = false,
        description = {"Renders folded stacks as an interactive SVG flame graph, with flamegraph.pl's options."
                + " Several inputs are merged; - is standard input. Lines with two counts (flame diff) make a"
                + " differential graph. Exit code 2 (and an SVG saying so) when there are no samples."})
final class FlameGraphCommand implements Callable<Integer> {
    static final String PALETTE_FILE = "palette.map";

    @ParentCommand
    FlameCli flame;

    @Mixin
    RenderFlags render;

    @Option(names = "--cp", description = "Consistent palette: reuse and extend the --palette-file.")
    boolean consistentPalette;

    @Option(names = "--palette-file", paramLabel = "FILE", defaultValue = PALETTE_FILE,
            description = "The consistent palette file of --cp (default: ${DEFAULT-VALUE}, as flamegraph.pl).")
    Path paletteFile;

    @Mixin
    OutputFileFlag output;

    @Mixin
    ProfileReadFlags reading;

    /** Whether an input was a perf.data recording. */
    private boolean perfData;
    /** Whether an input was perf script text. */
    private boolean perfScript;

    @Parameters(paramLabel = "FOLDED",
            description = "Folded stacks or any other profile: pprof, perf script text, a perf.data, a flame graph SVG"
                    + " (none or -: standard input).")
    List<String> inputs = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        FlameGraphOptions options = render.options();
        FoldedSamples samples = null;
        List<String> files = inputs.isEmpty() ? List.of("-") : inputs;
        for (String f : files) {
            // a plain flame graph of one input is laid out on a second thread while it is read
            FoldedSamples s = readInput(f, files.size() == 1 && FrameLayout.isMadeWhileRead(options) ? options : null,
                    !options.flameChart());
            if (samples != null && !samples.isEmpty() && !s.isEmpty() && !ProfileMeta.sameUnit(samples.meta(), s.meta())) {
                CliProfiles.warnUnits(flame, samples.meta(), s.meta(), f);
            }
            samples = samples == null ? s : samples.concat(s);
        }
        if (files.size() == 1 && perfData && samples.meta() != null) {
            options = perfDataUnits(options, samples.meta(), samples);
        }
        // what the graph draws: the "after" widths of a differential graph
        FoldedSamples drawn = samples;
        // a line laid out while read is looked at only when a frame name of it is in doubt
        Report unnamed = Analyzer.unnamedFrames(drawn, i -> drawn.hasSecondCount(i) ? drawn.secondCount(i) : drawn.count(i),
                drawn::mayBeUnnamed);
        options = options.toBuilder().subtitle(CliProfiles.withVerdict(options.subtitle(), unnamed, "flamegraph")).build();
        if (!perfScript) {
            CliProfiles.hintVerdict(unnamed, "flamegraph", flame); // perf script text had its hint while read (CliProfiles#read)
        }
        Map<String, String> palette = consistentPalette ? readPalette(paletteFile) : null;
        if (palette != null) {
            options = options.toBuilder().paletteMap(palette).build();
        }
        RenderResult result = renderWhole(FlameGraphRenderer.of(options), samples, w -> output.write(flame, w));
        if (result.ignoredLines() > 0) {
            flame.stderr().println("flame: warning: ignored " + result.ignoredLines()
                    + " lines with invalid format (first at " + result.firstIgnoredLine() + ")");
        }
        if (result.totalIgnored()) {
            flame.stderr().println("flame: warning: --total " + render.total + " is less than the actual total "
                    + result.total() + ", so it was ignored");
        }
        if (result.paletteMap() != null) {
            writePalette(paletteFile, result.paletteMap());
        }
        return ExitCodes.OK;
    }

    /** Where a rendered graph goes: {@code w -> output.write(flame, w)}, {@code w -> AtomicOutput.write(file, w)}. */
    @FunctionalInterface
    interface Destination {
        void write(AtomicOutput.Writer w) throws IOException;
    }

    /**
     * Renders {@code samples} to {@code to}. A profile of no samples is still a graph (the renderer draws
     * one saying so, as flamegraph.pl does): it is written whole, then its {@link NoSamplesException}
     * (exit code 2) is thrown.
     */
    static RenderResult renderWhole(FlameGraphRenderer renderer, FoldedSamples samples, Destination to)
            throws IOException {
        RenderResult[] done = new RenderResult[1];
        NoSamplesException[] none = new NoSamplesException[1];
        to.write(out -> {
            try {
                done[0] = renderer.render(samples, out);
            } catch (NoSamplesException e) {
                none[0] = e;
            }
        });
        if (none[0] != null) {
            throw none[0];
        }
        return done[0];
    }

    /**
     * Reads one input ("-" is standard input): folded text as flamegraph.pl reads it (fractional and
     * two-count lines included), any other profile through {@link CliProfiles#read}. With {@code layOut},
     * folded text is laid out on a second thread while it is read ({@link FoldedSamples#readAndLayOut}),
     * dropping frames too narrow to draw with those options. Repeated stacks are merged while read
     * (anywhere when {@code mergeAnywhere}: not for a flame chart), so memory follows distinct stacks.
     */
    FoldedSamples readInput(String file, FlameGraphOptions layOut, boolean mergeAnywhere) throws IOException {
        try (ProfileInput in = CliProfiles.open(file, flame)) {
            if (in.kind() == ProfileInput.Kind.FOLDED) {
                return layOut != null ? FoldedSamples.readAndLayOut(in.stream(), in.source(), e -> { }, layOut)
                        : FoldedSamples.read(in.stream(), in.source(), e -> { }, mergeAnywhere);
            }
            perfData |= in.kind() == ProfileInput.Kind.PERF_DATA;
            perfScript |= in.kind() == ProfileInput.Kind.PERF_SCRIPT;
            return FoldedSamples.of(reading.read(in, flame));
        }
    }

    /**
     * The units of a perf.data recording, where the flags leave them: its samples, event total or CPU
     * time and duration as the subtitle ({@code 157 samples, 373,058,756 cycles in 53.24 s ...}), and
     * the periods named by what they count ({@code cycles}; {@code ns} with the CPU time they make)
     * instead of "samples".
     */
    static FlameGraphOptions perfDataUnits(FlameGraphOptions options, ProfileMeta meta, FoldedSamples samples) {
        FlameGraphOptions.Builder b = options.toBuilder();
        if (options.subtitle().isEmpty()) {
            b.subtitle(perfDataSubtitle(meta, total(samples)));
        }
        if (options.countName().equals("samples") && options.cpuNanosPerCount() == 0 && options.factor() == 1) {
            String name = perfDataCountName(meta);
            if (name != null) {
                b.countName(name);
            }
            if (meta.weight() == ProfileMeta.Weight.CPU_NANOSECONDS) {
                b.cpuNanosPerCount(1);
            }
        }
        return b.build();
    }

    /**
     * What a perf.data recording's weights count, in place of "samples": its event ({@code cycles}),
     * {@code ns} for the periods of a CPU clock, or null when the weights are samples.
     */
    static String perfDataCountName(ProfileMeta meta) {
        return switch (meta.weight()) {
            case EVENTS -> meta.eventUnit();
            case CPU_NANOSECONDS -> "ns";
            case SAMPLES -> null;
        };
    }

    /** The subtitle stating a perf.data recording's units: {@code 157 samples, 373,058,756 cycles in 53.24 s ...}. */
    static String perfDataSubtitle(ProfileMeta meta, long total) {
        return meta.describe(meta.weight() == ProfileMeta.Weight.SAMPLES ? -1 : total);
    }

    private static long total(FoldedSamples s) {
        double t = 0;
        for (int i = 0; i < s.size(); i++) {
            t += s.count(i);
        }
        return Math.round(t);
    }

    /** flamegraph.pl's palette.map: {@code NAME->rgb(r,g,b)} per line; absent file = empty map. */
    static Map<String, String> readPalette(Path file) throws IOException {
        Map<String, String> m = new TreeMap<>();
        if (!Files.exists(file)) {
            return m;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
            int arrow = line.indexOf("->");
            if (arrow >= 0) {
                int end = line.indexOf("->", arrow + 2);
                m.put(line.substring(0, arrow), line.substring(arrow + 2, end < 0 ? line.length() : end));
            }
        }
        return m;
    }

    static void writePalette(Path file, Map<String, String> palette) throws IOException {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(palette).forEach((k, v) -> sb.append(k).append("->").append(v).append('\n'));
        AtomicOutput.write(file, sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }
}
