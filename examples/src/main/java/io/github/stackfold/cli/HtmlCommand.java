package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.html.HtmlOptions;
import io.github.stackfold.flamegraph.html.HtmlRenderer;
import io.github.stackfold.flamegraph.render.Palette;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code flame html}: any profile to one self-contained HTML viewer ({@link HtmlRenderer}). Only
 * translates flags into {@link HtmlOptions}.
 */
@Command(name = "html", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        sortOptions = false,
        description = {"Writes one self-contained HTML file that shows the profile in the browser: flame graph and icicle"
                + " drawn on a canvas, zoom, regex search, a top table, a sandwich of callers and callees, focus and ignore,"
                + " a differential view for two-count input (flame diff), and a subsecond heatmap of perf script samples."
                + " Every frame is kept. No network access: the file can be mailed. Several inputs are merged;"
                + " - is standard input."})
final class HtmlCommand implements Callable<Integer> {
    private final FlameCli flame;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--title", paramLabel = "TEXT", description = "Title (default \"Flame Graph\"; \"Differential Flame Graph\" for a diff).")
    String title;

    @Option(names = "--subtitle", paramLabel = "TEXT", defaultValue = "", description = "Second-level title (default: none).")
    String subtitle;

    @Option(names = "--countname", paramLabel = "TEXT", defaultValue = "samples",
            description = "What the counts are (default: ${DEFAULT-VALUE}).")
    String countName;

    @Option(names = {"--colors", "--color"}, paramLabel = "PALETTE", defaultValue = "hot",
            description = "Palette: hot (the default), mem, io, wakeup, chain, java, js, perl, red, green, blue, aqua,"
                    + " yellow, purple or orange.")
    String colors;

    @Option(names = "--minwidth", paramLabel = "PIXELS", defaultValue = "0.1",
            description = "Do not draw frames narrower than PIXELS (they are kept and appear when zoomed in; default: ${DEFAULT-VALUE}).")
    double minWidth;

    @Option(names = "--inverted", description = "Open on the icicle graph (root at the top).")
    boolean inverted;

    @Option(names = "--heatmap", description = "Open on the subsecond heatmap (perf script input with times).")
    boolean heatmap;

    @Option(names = "--heatmap-rows", paramLabel = "NUM", defaultValue = "50",
            description = "Fractions each second of the heatmap is cut into (default: ${DEFAULT-VALUE}, 20 ms each).")
    int heatmapRows;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Parameters(paramLabel = "PROFILE", description = "Folded stacks, flame diff output, pprof profiles or perf script text"
            + " (default: standard input; - is standard input).")
    List<String> inputs = new ArrayList<>();

    HtmlCommand(FlameCli flame) {
        this.flame = flame;
    }

    HtmlOptions options() {
        try {
            return HtmlOptions.builder()
                    .title(title)
                    .subtitle(subtitle)
                    .countName(countName)
                    .palette(Palette.of(colors))
                    .minWidth(minWidth)
                    .view(heatmap ? HtmlOptions.View.HEATMAP : inverted ? HtmlOptions.View.ICICLE : HtmlOptions.View.FLAME)
                    .heatmapRows(heatmapRows)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() throws IOException {
        HtmlOptions options = options();
        ViewerInputs.Loaded in = ViewerInputs.load(inputs, flame);
        if (in.profile().isEmpty() && in.diff() == null) {
            throw new NoSamplesException((inputs.isEmpty() ? "<stdin>" : String.join(", ", inputs)) + ": no samples");
        }
        if (heatmap && (in.timed() == null || !in.timed().hasTimes())) {
            flame.stderr().println("flame: warning: --heatmap: the input has no sample times (only perf script text has);"
                    + " opening on the flame graph");
        }
        HtmlRenderer r = HtmlRenderer.of(options);
        if (output == null) {
            OutputStream out = new BufferedOutputStream(flame.stdout(), 1 << 16);
            write(r, in, out);
            out.flush();
        } else {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(output), 1 << 16)) {
                write(r, in, out);
            }
        }
        return ExitCodes.OK;
    }

    static void write(HtmlRenderer r, ViewerInputs.Loaded in, OutputStream out) throws IOException {
        if (in.diff() != null) {
            r.render(in.diff(), out);
        } else if (in.timed() != null) {
            r.render(in.timed(), out);
        } else {
            r.render(in.profile(), out);
        }
    }
}
