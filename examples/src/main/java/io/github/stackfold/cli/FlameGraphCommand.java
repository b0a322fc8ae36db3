package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.io.Inputs;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.flamegraph.render.Background;
import io.github.stackfold.flamegraph.render.ColorMode;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;
import io.github.stackfold.flamegraph.render.FoldedSamples;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code flame flamegraph}: folded stacks to an interactive SVG, with flamegraph.pl's options (same
 * names, same meanings; {@code --opt VALUE} and {@code --opt=VALUE}). Only translates flags into
 * {@link FlameGraphOptions}.
 */
@Command(name = "flamegraph",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Renders folded stacks (several files are merged; - is standard input) as an interactive SVG flame graph,",
            "with flamegraph.pl's options. Lines with two counts (flame diff) make a differential graph.",
            "Exit code 2 (and an SVG saying so) when there are no samples."})
final class FlameGraphCommand implements Callable<Integer> {
    static final String PALETTE_FILE = "palette.map";

    @ParentCommand
    FlameCli flame;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--title", paramLabel = "TEXT", description = "title (default \"Flame Graph\"; \"Icicle Graph\" with --inverted, \"Flame Chart\" with --flamechart)")
    String title;

    @Option(names = "--subtitle", paramLabel = "TEXT", description = "second-level title (default none)")
    String subtitle = "";

    @Option(names = "--width", paramLabel = "NUM", description = "width of the image in pixels (default ${DEFAULT-VALUE})")
    int width = 1200;

    @Option(names = "--height", paramLabel = "NUM", description = "height of each frame in pixels (default ${DEFAULT-VALUE})")
    int height = 16;

    @Option(names = "--minwidth", paramLabel = "NUM[%]", description = "omit frames narrower than NUM pixels, or NUM% of the total (default ${DEFAULT-VALUE})")
    String minWidth = "0.1";

    @Option(names = "--fonttype", paramLabel = "FONT", description = "font family (default ${DEFAULT-VALUE})")
    String fontType = "Verdana";

    @Option(names = "--fontsize", paramLabel = "NUM", description = "font size (default ${DEFAULT-VALUE})")
    double fontSize = 12;

    @Option(names = "--fontwidth", paramLabel = "NUM", description = "average character width relative to the font size (default ${DEFAULT-VALUE})")
    double fontWidth = 0.59;

    @Option(names = "--countname", paramLabel = "TEXT", description = "what the counts are (default ${DEFAULT-VALUE})")
    String countName = "samples";

    @Option(names = "--nametype", paramLabel = "TEXT", description = "what the names are (default ${DEFAULT-VALUE})")
    String nameType = "Function:";

    @Option(names = {"--colors", "--color"}, paramLabel = "PALETTE",
            description = "palette: hot (default), mem, io, wakeup, chain, java, js, perl, red, green, blue, aqua, yellow, purple, orange")
    String colors = "hot";

    @Option(names = {"--bgcolors", "--bgcolor"}, paramLabel = "COLOR",
            description = "background: yellow, blue, green, grey gradients, or a flat #rrggbb (default by palette)")
    String bgColors;

    @Option(names = "--hash", description = "colours keyed by a hash of the function name")
    boolean hash;

    @Option(names = "--random", description = "random colours (different on every run)")
    boolean random;

    @Option(names = "--cp", description = "consistent palette: reuse and extend ./" + PALETTE_FILE)
    boolean consistentPalette;

    @Option(names = "--palette-file", paramLabel = "FILE", description = "the consistent palette file of --cp (default ${DEFAULT-VALUE}, as flamegraph.pl)")
    Path paletteFile = Path.of(PALETTE_FILE);

    @Option(names = "--reverse", description = "reverse each stack (leaf functions at the bottom)")
    boolean reverse;

    @Option(names = "--inverted", description = "icicle graph (root at the top)")
    boolean inverted;

    @Option(names = "--flamechart", description = "flame chart: keep input order, do not sort or merge across lines")
    boolean flameChart;

    @Option(names = "--negate", description = "switch differential hues (blue grew, red shrank)")
    boolean negate;

    @Option(names = "--factor", paramLabel = "NUM", description = "multiply counts by NUM in frame details (default ${DEFAULT-VALUE})")
    double factor = 1;

    @Option(names = "--notes", paramLabel = "TEXT", description = "notes put in a comment in the SVG")
    String notes = "";

    @Option(names = "--total", paramLabel = "NUM", description = "total count the widths are relative to (default: the sum of the counts)")
    double total;

    @Option(names = "--nameattr", paramLabel = "FILE", description = "function attributes: NAME<TAB>attr=value<TAB>... per line (title, href, target, id, class)")
    Path nameAttr;

    @Option(names = "--encoding", paramLabel = "CHARSET", description = "XML encoding to declare and write (default UTF-8)")
    String encoding;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write the SVG to FILE instead of standard output")
    Path output;

    @Mixin
    PprofFlags pprof;

    @Parameters(paramLabel = "FOLDED", arity = "0..*", description = "folded stack files, pprof profiles or perf script text (default: standard input; - is standard input)")
    List<String> inputs = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        FlameGraphOptions options = options();
        FoldedSamples samples = null;
        List<String> files = inputs.isEmpty() ? List.of("-") : inputs;
        for (String f : files) {
            FoldedSamples s = readInput(f);
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
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(output), 1 << 16)) {
                result = renderer.render(samples, out);
            }
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
     * {@code flame collapse} would.
     */
    FoldedSamples readInput(String file) throws IOException {
        Path path = Path.of(file);
        String source = Inputs.sourceName(path);
        try (InputStream in = Inputs.open(path, flame.stdin())) {
            BufferedInputStream b = ProfileLoader.sniffable(in);
            FoldedProfile p = CliProfiles.readIfNotFolded(b, source, pprof, flame);
            return p != null ? FoldedSamples.of(p) : FoldedSamples.read(b, source);
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
        Files.write(file, sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }
}
