package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Report;
import io.github.stackfold.flamegraph.export.ExportProfile;
import io.github.stackfold.flamegraph.folded.ProfileMeta;
import io.github.stackfold.flamegraph.html.HtmlOptions;
import io.github.stackfold.flamegraph.html.HtmlRenderer;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.function.Function;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code flame html}: any profile to one self-contained HTML viewer ({@link HtmlRenderer}). Titles,
 * palette, count name, minimum width, {@code --names} and {@code --inverted} come from the flame graph's flags
 * ({@link RenderFlags}); the flags that only shape the SVG's drawing are refused here. Only translates
 * flags into {@link HtmlOptions}.
 */
@Command(name = "html", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        header = "Write a self-contained HTML viewer of a profile.",
        sortOptions = false,
        description = {"Writes one HTML file that shows the profile in the browser: flame graph and icicle drawn on a"
                + " canvas, zoom, regex search, a top table, a sandwich of callers and callees, focus and ignore, a"
                + " differential view for two-count input (flame diff), and a subsecond heatmap of perf script"
                + " samples. Every frame is kept; --minwidth only hides frames until zoomed in. No network access:"
                + " the file can be mailed. Several inputs are merged; - is standard input."})
final class HtmlCommand implements Callable<Integer> {
    /** {@link RenderFlags} flags that only shape the SVG's drawing. */
    static final List<String> SVG_ONLY = List.of("--width", "--height", "--fonttype", "--fontsize", "--fontwidth",
            "--nametype", "--bgcolors", "--hash", "--random", "--reverse", "--flamechart", "--negate", "--factor",
            "--notes", "--total", "--nameattr", "--encoding");

    /**
     * Hides the {@link #SVG_ONLY} flags from html's help (they come with the {@link RenderFlags} mixin it
     * shares with flamegraph): still parsed, so that one given is refused by name, but no longer listed
     * as if html took them.
     */
    static void hideSvgOnly(CommandLine.Model.CommandSpec spec) {
        // each option taken out and put back in its place, hidden or reworded where html's differs
        List<CommandLine.Model.OptionSpec> all = new ArrayList<>(spec.options());
        for (CommandLine.Model.OptionSpec o : all) {
            spec.remove(o);
        }
        for (CommandLine.Model.OptionSpec o : all) {
            CommandLine.Model.OptionSpec.Builder b = CommandLine.Model.OptionSpec.builder(o);
            if (SVG_ONLY.contains(o.longestName())) {
                b.hidden(true);
            }
            String wording = HTML_WORDING.get(o.longestName());
            if (wording != null) {
                b.description(wording); // shared flags whose SVG wording does not hold for the viewer
            }
            spec.addOption(b.build());
        }
    }

    /** html's help for shared flags: its own default titles, and --minwidth hides rather than omits. */
    static final Map<String, String> HTML_WORDING = Map.of(
            "--title", "Title (default \"Flame Graph\", with --inverted too; \"Differential Flame Graph\" for flame diff"
                    + " output).",
            "--countname", "What the counts are (default: samples; ns for CPU time, or the event, when a pprof CPU"
                    + " profile, a perf.data or perf script text says what its weights are).",
            "--minwidth", "Hide frames narrower than NUM pixels, or NUM%% of the view, until zoomed in; the file keeps"
                    + " every frame (default: 0.1).");

    @ParentCommand
    FlameCli flame;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RenderFlags render;

    @Option(names = "--heatmap", description = "Open on the subsecond heatmap (perf script input has sample times).")
    boolean heatmap;

    @Option(names = "--heatmap-rows", paramLabel = "NUM", defaultValue = "50",
            description = "Fractions each second of the heatmap is cut into (default: ${DEFAULT-VALUE}, 20 ms each).")
    int heatmapRows;

    @Mixin
    OutputFileFlag output;

    @Mixin
    ProfileReadFlags reading;

    @Mixin
    ViewerInputs inputs;

    /**
     * The viewer's options. The flags it shares with the SVG are mapped onto the library once, by
     * {@link RenderFlags#options()} (the same palette names, {@code --minwidth} syntax and messages as
     * {@code flame flamegraph}); only the title is taken as given, the viewer having its own default.
     */
    HtmlOptions options() throws IOException {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (String svgOnly : SVG_ONLY) {
            if (parsed.hasMatchedOption(svgOnly)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        svgOnly + " shapes the SVG only; flame html does not take it");
            }
        }
        FlameGraphOptions shared = render.options();
        try {
            HtmlOptions.Builder b = HtmlOptions.builder()
                    .title(render.title)
                    .subtitle(shared.subtitle())
                    .countName(shared.countName())
                    .palette(shared.palette())
                    .view(heatmap ? HtmlOptions.View.HEATMAP
                            : shared.inverted() ? HtmlOptions.View.ICICLE : HtmlOptions.View.FLAME)
                    .heatmapRows(heatmapRows)
                    .names(shared.names());
            if (shared.minWidthPercent()) {
                b.minWidthPercent(shared.minWidth());
            } else {
                b.minWidth(shared.minWidth());
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() throws IOException {
        HtmlOptions options = options();
        ViewerInputs.Loaded in = inputs.load(flame, reading.pprof, reading.symbols, true);
        if (in.isEmpty()) {
            throw inputs.noSamples();
        }
        if (heatmap && (in.timed() == null || !in.timed().hasTimes())) {
            flame.stderr().println("flame: warning: --heatmap: the input has no sample times (only perf script text has);"
                    + " opening on the flame graph");
        }
        if (in.perfData()) {
            options = perfDataUnits(options, in.profile());
        } else if (in.profile() != null && in.profile().meta().weight() == ProfileMeta.Weight.CPU_NANOSECONDS
                && options.countName().equals("samples")) {
            // a pprof CPU profile: its weights are nanoseconds (the SVG says so too), not 1,990,000,000 "samples"
            options = options.toBuilder().countName("ns").build();
        } else if (in.timed() != null && in.export() != null && options.countName().equals("samples")) {
            // perf script text: its weights are the periods (ns of a CPU clock, or events), not samples
            ExportProfile.ValueType w = in.export().types().get(in.export().index(ExportProfile.Value.WEIGHT));
            if (!w.equals(ExportProfile.ValueType.SAMPLES)) {
                options = options.toBuilder().countName(w.equals(ExportProfile.ValueType.CPU_NANOS) ? "ns" : w.type()).build();
            }
        }
        // the verdict on unnamed frames (a diff's: its "after" weights, as drawn) goes into the page
        // after the data. Folded text: worked out once the data is written, looking only at the stacks
        // the encoder found a doubtful frame name in; other inputs: on a thread of its own meanwhile
        HtmlOptions given = options;
        FutureTask<Report> unnamed = in.raw() != null ? null
                : CliProfiles.onItsOwnThread("flame unnamed-frames scan", () -> Analyzer.unnamedFrames(in.profile()));
        Report[] verdict = new Report[1];
        Function<HtmlRenderer.Drawn, HtmlRenderer.Notes> notes = drawn -> {
            Report u = unnamed != null ? CliProfiles.join(unnamed) : Analyzer.unnamedFrames(in.raw(), drawn::mayBeUnnamed);
            verdict[0] = u;
            return new HtmlRenderer.Notes(CliProfiles.withVerdict(given.subtitle(), u, "html"), CliProfiles.fullVerdict(u));
        };
        HtmlRenderer r = HtmlRenderer.of(options);
        output.write(flame, out -> write(r, in, out, notes));
        CliProfiles.hintVerdict(verdict[0], "html", flame);
        return ExitCodes.OK;
    }

    /**
     * A perf.data recording's units where the flags leave them, as {@code flame flamegraph} states them:
     * the subtitle {@code 157 samples, 373,058,756 cycles in 53.24 s ...} and the weights counted in
     * {@code cycles} ({@code ns} for a CPU clock) instead of "samples".
     */
    static HtmlOptions perfDataUnits(HtmlOptions options, io.github.stackfold.flamegraph.folded.FoldedProfile p) {
        HtmlOptions.Builder b = options.toBuilder();
        if (options.subtitle().isEmpty()) {
            b.subtitle(FlameGraphCommand.perfDataSubtitle(p.meta(), p.total()));
        }
        String name = FlameGraphCommand.perfDataCountName(p.meta());
        if (options.countName().equals("samples") && name != null) {
            b.countName(name);
        }
        return b.build();
    }

    static void write(HtmlRenderer r, ViewerInputs.Loaded in, OutputStream out,
            Function<HtmlRenderer.Drawn, HtmlRenderer.Notes> notes) throws IOException {
        if (in.raw() != null) {
            r.render(in.raw(), out, notes);
            return;
        }
        HtmlRenderer.Notes n = notes.apply(null); // the verdict is the scan's: nothing drawn asked for
        HtmlRenderer withNotes = HtmlRenderer.of(r.options().toBuilder().subtitle(n.subtitle()).notice(n.notice()).build());
        if (in.diff() != null) {
            withNotes.render(in.diff(), out);
        } else if (in.timed() != null) {
            withNotes.render(in.timed(), out);
        } else {
            withNotes.render(in.profile(), out);
        }
    }
}
