package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.FrameNames;
import io.github.stackfold.flamegraph.render.Background;
import io.github.stackfold.flamegraph.render.ColorMode;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.Palette;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * How a flame graph is drawn ({@code @Mixin}): flamegraph.pl's options, same names and meanings
 * ({@code --opt VALUE} and {@code --opt=VALUE}), mapped onto {@link FlameGraphOptions} by {@link #options()}.
 */
final class RenderFlags {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--title", paramLabel = "TEXT",
            description = "Title (default \"Flame Graph\"; \"Icicle Graph\" with --inverted, \"Flame Chart\" with --flamechart).")
    String title;

    @Option(names = "--subtitle", paramLabel = "TEXT", defaultValue = "", description = "Second-level title (default: none).")
    String subtitle;

    @Option(names = "--width", paramLabel = "NUM", defaultValue = "1200",
            description = "Width of the image in pixels (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--height", paramLabel = "NUM", defaultValue = "16",
            description = "Height of each frame in pixels (default: ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--minwidth", paramLabel = "NUM[%]", defaultValue = "0.1",
            description = "Omit frames narrower than NUM pixels, or NUM%% of the total (default: ${DEFAULT-VALUE}).")
    String minWidth;

    @Option(names = "--fonttype", paramLabel = "FONT", defaultValue = "Verdana",
            description = "Font family (default: ${DEFAULT-VALUE}).")
    String fontType;

    @Option(names = "--fontsize", paramLabel = "NUM", defaultValue = "12.0",
            description = "Font size (default: ${DEFAULT-VALUE}).")
    double fontSize;

    @Option(names = "--fontwidth", paramLabel = "NUM", defaultValue = "0.59",
            description = "Average character width relative to the font size (default: ${DEFAULT-VALUE}).")
    double fontWidth;

    @Option(names = "--countname", paramLabel = "TEXT", defaultValue = "samples",
            description = "What the counts are (default: ${DEFAULT-VALUE}).")
    String countName;

    @Option(names = "--nametype", paramLabel = "TEXT", defaultValue = "Function:",
            description = "What the names are (default: ${DEFAULT-VALUE}).")
    String nameType;

    @Option(names = {"--colors", "--color"}, paramLabel = "PALETTE", defaultValue = "hot",
            description = "Palette: hot (the default), mem, io, wakeup, chain, java, js, perl, red, green, blue, aqua,"
                    + " yellow, purple or orange.")
    String colors;

    @Option(names = {"--bgcolors", "--bgcolor"}, paramLabel = "COLOR",
            description = "Background: yellow, blue, green or grey gradients, or a flat #rrggbb (default: by palette).")
    String bgColors;

    @Option(names = "--hash", description = "Colours keyed by a hash of the function name.")
    boolean hash;

    @Option(names = "--random", description = "Random colours (different on every run).")
    boolean random;

    @Option(names = "--reverse", description = "Reverse each stack (leaf functions at the bottom).")
    boolean reverse;

    @Option(names = "--inverted", description = "Icicle graph (root at the top).")
    boolean inverted;

    @Option(names = "--flamechart", description = "Flame chart: keep input order, do not sort or merge across lines.")
    boolean flameChart;

    @Option(names = "--negate", description = "Switch differential hues (blue grew, red shrank).")
    boolean negate;

    @Option(names = "--factor", paramLabel = "NUM", defaultValue = "1.0",
            description = "Multiply counts by NUM in frame details (default: ${DEFAULT-VALUE}).")
    double factor;

    @Option(names = "--notes", paramLabel = "TEXT", defaultValue = "", description = "Notes put in a comment in the SVG.")
    String notes;

    @Option(names = "--total", paramLabel = "NUM", defaultValue = "0",
            description = "Total count the widths are relative to (default: the sum of the counts).")
    double total;

    @Option(names = "--nameattr", paramLabel = "FILE",
            description = "Function attributes: NAME<TAB>attr=value<TAB>... per line (title, href, target, id, class).")
    Path nameAttr;

    @Option(names = "--encoding", paramLabel = "CHARSET",
            description = "XML encoding to declare and write (default: UTF-8).")
    String encoding;

    @Option(names = "--names", paramLabel = "short|full|auto", defaultValue = "auto",
            description = "Frame labels: short (Go and Java names without their import path or package, shorter still"
                    + " in narrow frames, then in a smaller font down to 8 px before they are cut), full, or auto:"
                    + " short when most frames are Go (default: ${DEFAULT-VALUE}). Tooltips and search always use the"
                    + " full name.")
    String names;

    /** The library options for these flags; a value the library refuses is a usage error. */
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
                    .encoding(encoding)
                    .names(FrameNames.Style.of(names));
            if (bgColors != null) {
                b.background(Background.of(bgColors));
            }
            if (nameAttr != null) {
                b.nameAttributes(readNameAttributes(nameAttr));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(mixee.commandLine(), e.getMessage());
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
}
