package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.io.Inputs;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.flamegraph.render.Background;
import io.github.stackfold.flamegraph.render.ColorMode;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;
import io.github.stackfold.flamegraph.render.FoldedSamples;
import io.github.stackfold.flamegraph.render.FrameLayout;
import io.github.stackfold.flamegraph.render.Palette;
import io.github.stackfold.flamegraph.render.RenderResult;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code flame flamegraph}: folded stacks to an interactive SVG, with flamegraph.pl's options (same
 * names, same meanings; {@code --opt VALUE} and {@code --opt=VALUE}). Only translates flags into
 * {@link FlameGraphOptions}.
 */
final class FlameGraphCommand implements Callable<Integer> {
    static final String PALETTE_FILE = "palette.map";

    final FlameCli flame;
    private CommandSpec spec;

    String title;
    String subtitle;
    int width;
    int height;
    String minWidth;
    String fontType;
    double fontSize;
    double fontWidth;
    String countName;
    String nameType;
    String colors;
    String bgColors;
    boolean hash;
    boolean random;
    boolean consistentPalette;
    Path paletteFile;
    boolean reverse;
    boolean inverted;
    boolean flameChart;
    boolean negate;
    double factor;
    String notes;
    double total;
    Path nameAttr;
    String encoding;
    Path output;
    PprofFlags pprof;
    List<String> inputs;

    FlameGraphCommand(FlameCli flame) {
        this.flame = flame;
    }

    /** This command's model: its name, description, options and parameters. */
    CommandSpec spec() {
        spec = Specs.command(this, "flamegraph",
                "Renders folded stacks (several files are merged; - is standard input) as an interactive SVG flame graph,",
                "with flamegraph.pl's options. Lines with two counts (flame diff) make a differential graph.",
                "Exit code 2 (and an SVG saying so) when there are no samples.");
        spec.usageMessage().sortOptions(false);
        spec.addOption(Specs.option("--title", "TEXT", String.class)
                .description("title (default \"Flame Graph\"; \"Icicle Graph\" with --inverted, \"Flame Chart\" with --flamechart)").build());
        spec.addOption(Specs.option("--subtitle", "TEXT", String.class)
                .description("second-level title (default none)").build());
        spec.addOption(Specs.option("--width", "NUM", int.class).defaultValue("1200")
                .description("width of the image in pixels (default ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--height", "NUM", int.class).defaultValue("16")
                .description("height of each frame in pixels (default ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--minwidth", "NUM[%]", String.class).defaultValue("0.1")
                .description("omit frames narrower than NUM pixels, or NUM%% of the total (default ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--fonttype", "FONT", String.class).defaultValue("Verdana")
                .description("font family (default ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--fontsize", "NUM", double.class).defaultValue("12.0")
                .description("font size (default ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--fontwidth", "NUM", double.class).defaultValue("0.59")
                .description("average character width relative to the font size (default ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--countname", "TEXT", String.class).defaultValue("samples")
                .description("what the counts are (default ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--nametype", "TEXT", String.class).defaultValue("Function:")
                .description("what the names are (default ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option(new String[] {"--colors", "--color"}, "PALETTE", String.class)
                .description("palette: hot (default), mem, io, wakeup, chain, java, js, perl, red, green, blue, aqua, yellow, purple, orange").build());
        spec.addOption(Specs.option(new String[] {"--bgcolors", "--bgcolor"}, "COLOR", String.class)
                .description("background: yellow, blue, green, grey gradients, or a flat #rrggbb (default by palette)").build());
        spec.addOption(Specs.flag("--hash", "colours keyed by a hash of the function name"));
        spec.addOption(Specs.flag("--random", "random colours (different on every run)"));
        spec.addOption(Specs.flag("--cp", "consistent palette: reuse and extend ./" + PALETTE_FILE));
        spec.addOption(Specs.option("--palette-file", "FILE", Path.class).defaultValue(PALETTE_FILE)
                .description("the consistent palette file of --cp (default ${DEFAULT-VALUE}, as flamegraph.pl)").build());
        spec.addOption(Specs.flag("--reverse", "reverse each stack (leaf functions at the bottom)"));
        spec.addOption(Specs.flag("--inverted", "icicle graph (root at the top)"));
        spec.addOption(Specs.flag("--flamechart", "flame chart: keep input order, do not sort or merge across lines"));
        spec.addOption(Specs.flag("--negate", "switch differential hues (blue grew, red shrank)"));
        spec.addOption(Specs.option("--factor", "NUM", double.class).defaultValue("1.0")
                .description("multiply counts by NUM in frame details (default ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--notes", "TEXT", String.class)
                .description("notes put in a comment in the SVG").build());
        spec.addOption(Specs.option("--total", "NUM", double.class)
                .description("total count the widths are relative to (default: the sum of the counts)").build());
        spec.addOption(Specs.option("--nameattr", "FILE", Path.class)
                .description("function attributes: NAME<TAB>attr=value<TAB>... per line (title, href, target, id, class)").build());
        spec.addOption(Specs.option("--encoding", "CHARSET", String.class)
                .description("XML encoding to declare and write (default UTF-8)").build());
        spec.addOption(Specs.option(new String[] {"-o", "--output"}, "FILE", Path.class)
                .description("write the SVG to FILE instead of standard output").build());
        PprofFlags.addTo(spec);
        spec.addPositional(PositionalParamSpec.builder().paramLabel("FOLDED").arity("0..*").type(List.class)
                .auxiliaryTypes(String.class)
                .description("folded stack files, pprof profiles or perf script text (default: standard input; - is standard input)").build());
        return Specs.withHelpOptions(spec);
    }

    /** Sets the fields from the command line. */
    private void bind() {
        title = Specs.value(spec, "--title");
        subtitle = Specs.value(spec, "--subtitle", "");
        width = Specs.value(spec, "--width");
        height = Specs.value(spec, "--height");
        minWidth = Specs.value(spec, "--minwidth");
        fontType = Specs.value(spec, "--fonttype");
        fontSize = Specs.value(spec, "--fontsize");
        fontWidth = Specs.value(spec, "--fontwidth");
        countName = Specs.value(spec, "--countname");
        nameType = Specs.value(spec, "--nametype");
        colors = Specs.value(spec, "--colors", "hot");
        bgColors = Specs.value(spec, "--bgcolors");
        hash = Specs.flag(spec, "--hash");
        random = Specs.flag(spec, "--random");
        consistentPalette = Specs.flag(spec, "--cp");
        paletteFile = Specs.value(spec, "--palette-file");
        reverse = Specs.flag(spec, "--reverse");
        inverted = Specs.flag(spec, "--inverted");
        flameChart = Specs.flag(spec, "--flamechart");
        negate = Specs.flag(spec, "--negate");
        factor = Specs.value(spec, "--factor");
        notes = Specs.value(spec, "--notes", "");
        total = Specs.value(spec, "--total", 0.0);
        nameAttr = Specs.value(spec, "--nameattr");
        encoding = Specs.value(spec, "--encoding");
        output = Specs.value(spec, "--output");
        pprof = PprofFlags.of(spec);
        inputs = Specs.positionals(spec);
    }

    @Override
    public Integer call() throws IOException {
        bind();
        FlameGraphOptions options = options();
        FoldedSamples samples = null;
        List<String> files = inputs.isEmpty() ? List.of("-") : inputs;
        for (String f : files) {
            // a plain flame graph of one input is laid out on a second thread while it is read
            FoldedSamples s = readInput(f, files.size() == 1 && FrameLayout.isMadeWhileRead(options) ? options : null,
                    !options.flameChart());
            samples = samples == null ? s : samples.concat(s);
        }
        Map<String, String> palette = consistentPalette ? readPalette(paletteFile) : null;
        if (palette != null) {
            options = options.toBuilder().paletteMap(palette).build();
        }
        FlameGraphRenderer renderer = FlameGraphRenderer.of(options);
        RenderResult result;
        if (output == null) {
            OutputStream out = new BufferedOutputStream(flame.stdout(), 1 << 16);
            result = renderer.render(samples, out);
            out.flush();
        } else {
            // complete or absent: a full disk leaves no truncated SVG; "no samples" is a complete one
            RenderResult[] done = new RenderResult[1];
            NoSamplesException[] none = new NoSamplesException[1];
            FoldedSamples all = samples;
            AtomicOutput.write(output, out -> {
                try {
                    done[0] = renderer.render(all, out);
                } catch (NoSamplesException e) {
                    none[0] = e;
                }
            });
            if (none[0] != null) {
                throw none[0];
            }
            result = done[0];
        }
        if (result.ignoredLines() > 0) {
            flame.stderr().println("flame: warning: ignored " + result.ignoredLines()
                    + " lines with invalid format (first at " + result.firstIgnoredLine() + ")");
        }
        if (result.totalIgnored()) {
            flame.stderr().println("flame: warning: --total " + total + " is less than the actual total "
                    + result.total() + ", so it was ignored");
        }
        if (result.paletteMap() != null) {
            writePalette(paletteFile, result.paletteMap());
        }
        return ExitCodes.OK;
    }

    /**
     * Opens one input ("-" is standard input). The one place that knows the input format: folded
     * stacks as flamegraph.pl reads them (fractional and two-count lines included), a pprof profile
     * (raw or gzipped), or perf script text (stack lines in its first 64 kB), collapsed first as
     * {@code flame collapse} would. With {@code layOut}, folded text is laid out on a second thread
     * while it is read ({@link FoldedSamples#readAndLayOut}), dropping frames too narrow to draw with
     * those options. Repeated stacks are merged while read (anywhere when {@code mergeAnywhere}: not
     * for a flame chart), so memory follows distinct stacks.
     */
    FoldedSamples readInput(String file, FlameGraphOptions layOut, boolean mergeAnywhere) throws IOException {
        Path path = Path.of(file);
        String source = Inputs.sourceName(path);
        try (InputStream in = Inputs.open(path, flame.stdin())) {
            BufferedInputStream b = ProfileLoader.sniffable(in);
            FoldedProfile p = CliProfiles.readIfNotFolded(b, source, pprof, flame);
            if (p != null) {
                return FoldedSamples.of(p);
            }
            return layOut != null ? FoldedSamples.readAndLayOut(b, source, e -> { }, layOut)
                    : FoldedSamples.read(b, source, e -> { }, mergeAnywhere);
        }
    }

    FlameGraphOptions options() throws IOException {
        try {
            FlameGraphOptions.Builder b = FlameGraphOptions.builder()
                    .title(title)
                    .subtitle(subtitle)
                    .width(width)
                    .frameHeight(height)
                    .minWidth(minWidth)
                    .fontType(fontType)
                    .fontSize(fontSize)
                    .fontWidth(fontWidth)
                    .countName(countName)
                    .nameType(nameType)
                    .palette(Palette.of(colors))
                    .colorMode(hash ? ColorMode.HASH : random ? ColorMode.RANDOM : ColorMode.SEEDED)
                    .reverse(reverse)
                    .inverted(inverted)
                    .flameChart(flameChart)
                    .negate(negate)
                    .factor(factor)
                    .notes(notes)
                    .total(total)
                    .encoding(encoding);
            if (bgColors != null) {
                b.background(Background.of(bgColors));
            }
            if (nameAttr != null) {
                b.nameAttributes(readNameAttributes(nameAttr));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** flamegraph.pl's --nameattr file: {@code NAME<TAB>attr=value<TAB>attr=value...} per line. */
    static Map<String, Map<String, String>> readNameAttributes(Path file) throws IOException {
        Map<String, Map<String, String>> out = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String line;
            long lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isEmpty()) {
                    continue;
                }
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    throw new BadInputException(file.toString(), lineNo, -1,
                            "expected NAME<TAB>attribute=value[<TAB>attribute=value...]");
                }
                Map<String, String> attrs = out.computeIfAbsent(line.substring(0, tab), k -> new HashMap<>());
                for (String kv : line.substring(tab + 1).split("\t")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        attrs.put(kv.substring(0, eq), decodeUtf8(kv.substring(eq + 1)));
                    }
                }
            }
        }
        return out;
    }

    private static String decodeUtf8(String raw) {
        return new String(raw.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
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
