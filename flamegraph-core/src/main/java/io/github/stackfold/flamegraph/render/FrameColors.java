package io.github.stackfold.flamegraph.render;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The fill colour of a frame, computed as flamegraph.pl computes it, so graphs of the same data look
 * the same as the reference tool's (and the same from run to run).
 *
 * <p>A name is first turned into three numbers v1, v2, v3 in [0, 1) by the {@link ColorMode}:
 * <ul>
 *   <li>{@link ColorMode#SEEDED} (default): Perl's {@code srand(sum of the name's characters)}
 *       followed by one {@code rand()}; the generator is re-seeded for each number, so v1 = v2 = v3;
 *   <li>{@link ColorMode#HASH}: v1 = hash(name), v2 = v3 = hash(reversed name), where the hash
 *       weighs the first three characters (modulo 10, 11, 12, weights 1, 0.7, 0.49) after dropping a
 *       {@code module`} prefix;
 *   <li>{@link ColorMode#RANDOM}: three independent random numbers.
 * </ul>
 * The palette then maps them to {@code rgb(r,g,b)}; language palettes (java, js, perl, chain,
 * wakeup) first choose a flat palette from the name. Instances are thread-safe except in
 * {@link ColorMode#RANDOM}.
 */
public final class FrameColors {
    /** The colour of a frame named {@code --} (a separator, as in chain graphs). */
    public static final String SEPARATOR = "rgb(160,160,160)";
    /** The colour of a frame named {@code -} (a user/kernel separator). */
    public static final String LIGHT_SEPARATOR = "rgb(200,200,200)";

    private final Palette palette;
    private final ColorMode mode;
    private final SplittableRandom random;

    private FrameColors(Palette palette, ColorMode mode) {
        this.palette = Objects.requireNonNull(palette, "palette");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.random = mode == ColorMode.RANDOM ? new SplittableRandom() : null;
    }

    public static FrameColors of(Palette palette, ColorMode mode) {
        return new FrameColors(palette, mode);
    }

    public Palette palette() {
        return palette;
    }

    public ColorMode mode() {
        return mode;
    }

    /**
     * The colour of a frame name (text, not raw bytes; annotations such as {@code _[k]} included),
     * ignoring the separators {@code -} and {@code --} (see {@link #SEPARATOR}).
     */
    public String color(String name) {
        double v1;
        double v2;
        double v3;
        switch (mode) {
            case HASH:
                v1 = nameHash(name);
                v2 = nameHash(new StringBuilder(name).reverse().toString());
                v3 = v2;
                break;
            case RANDOM:
                v1 = random.nextDouble();
                v2 = random.nextDouble();
                v3 = random.nextDouble();
                break;
            default:
                v1 = seeded(name);
                v2 = v1;
                v3 = v1;
                break;
        }
        Palette p = palette;
        switch (p) {
            case HOT:
                return rgb(205 + (int) (50 * v3), (int) (230 * v1), (int) (55 * v2));
            case MEM:
                return rgb(0, 190 + (int) (50 * v2), (int) (210 * v1));
            case IO: {
                int r = 80 + (int) (60 * v1);
                return rgb(r, r, 190 + (int) (55 * v2));
            }
            case JAVA:
                p = javaPalette(name);
                break;
            case PERL:
                p = perlPalette(name);
                break;
            case JS:
                p = jsPalette(name);
                break;
            case WAKEUP:
                p = Palette.AQUA;
                break;
            case CHAIN:
                p = name.contains("_[w]") ? Palette.AQUA : Palette.BLUE;
                break;
            default:
                break;
        }
        return flat(p, v1);
    }

    /**
     * The colour of a frame in a differential graph: white for no change, towards red for growth
     * (its own samples grew by {@code delta}), towards blue for shrinkage, relative to the largest
     * change {@code maxDelta}; {@code negate} swaps the hues.
     */
    public static String differential(double delta, double maxDelta, boolean negate) {
        double v = negate ? -delta : delta;
        if (v > 0) {
            int gb = (int) (210 * (maxDelta - v) / maxDelta);
            return rgb(255, gb, gb);
        }
        if (v < 0) {
            int rg = (int) (210 * (maxDelta + v) / maxDelta);
            return rgb(rg, rg, 255);
        }
        return "rgb(255,255,255)";
    }

    private static String flat(Palette p, double v1) {
        switch (p) {
            case RED: {
                int x = 50 + (int) (80 * v1);
                return rgb(200 + (int) (55 * v1), x, x);
            }
            case GREEN: {
                int x = 50 + (int) (60 * v1);
                return rgb(x, 200 + (int) (55 * v1), x);
            }
            case BLUE: {
                int x = 80 + (int) (60 * v1);
                return rgb(x, x, 205 + (int) (50 * v1));
            }
            case YELLOW: {
                int x = 175 + (int) (55 * v1);
                return rgb(x, x, 50 + (int) (20 * v1));
            }
            case PURPLE: {
                int x = 190 + (int) (65 * v1);
                return rgb(x, 80 + (int) (60 * v1), x);
            }
            case AQUA:
                return rgb(50 + (int) (60 * v1), 165 + (int) (55 * v1), 165 + (int) (55 * v1));
            case ORANGE:
                return rgb(190 + (int) (65 * v1), 90 + (int) (65 * v1), 0);
            default:
                return "rgb(0,0,0)";
        }
    }

    private static Palette javaPalette(String name) {
        if (name.endsWith("_[j]")) {
            return Palette.GREEN;
        }
        if (name.endsWith("_[i]")) {
            return Palette.AQUA;
        }
        if (startsWithJavaPackage(name) || name.contains(":::")) {
            return Palette.GREEN;
        }
        if (name.contains("::")) {
            return Palette.YELLOW;
        }
        if (name.endsWith("_[k]")) {
            return Palette.ORANGE;
        }
        return Palette.RED;
    }

    private static final String[] JAVA_PACKAGES = {"java/", "javax/", "jdk/", "net/", "org/", "com/", "io/", "sun/"};

    private static boolean startsWithJavaPackage(String name) {
        int from = name.startsWith("L") ? 1 : 0;
        for (String p : JAVA_PACKAGES) {
            if (name.startsWith(p, 0) || (from == 1 && name.startsWith(p, 1))) {
                return true;
            }
        }
        return false;
    }

    private static Palette perlPalette(String name) {
        if (name.contains("::")) {
            return Palette.YELLOW;
        }
        if (name.contains("Perl") || name.contains(".pl")) {
            return Palette.GREEN;
        }
        if (name.endsWith("_[k]")) {
            return Palette.ORANGE;
        }
        return Palette.RED;
    }

    private static Palette jsPalette(String name) {
        if (name.endsWith("_[j]")) {
            return name.indexOf('/') >= 0 ? Palette.GREEN : Palette.AQUA;
        }
        if (name.contains("::")) {
            return Palette.YELLOW;
        }
        int slash = name.indexOf('/');
        if (slash >= 0 && name.indexOf(".js", slash + 1) >= 0) {
            return Palette.GREEN;
        }
        if (name.indexOf(':') >= 0) {
            return Palette.AQUA;
        }
        if (name.equals(" ")) {
            return Palette.GREEN;
        }
        if (name.contains("_[k]")) {
            return Palette.ORANGE;
        }
        return Palette.RED;
    }

    /** Perl's rand() right after srand(sum of the name's code points mod 2^32). */
    static double seeded(String name) {
        long sum = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            sum += cp;
            i += Character.charCount(cp);
        }
        return Drand48.firstAfterSeed(sum & 0xFFFFFFFFL);
    }

    /** flamegraph.pl's --hash value of a name, in [0, 1]. */
    static double nameHash(String name) {
        String n = name;
        int tick = n.indexOf('`', 1);
        if (tick > 0) {
            n = n.substring(tick + 1);
        }
        double vector = 0;
        double weight = 1;
        double max = 1;
        int mod = 10;
        for (int i = 0; i < n.length(); ) {
            int cp = n.codePointAt(i);
            i += Character.charCount(cp);
            int v = cp % mod;
            vector += (v / (double) (mod - 1)) * weight;
            mod++;
            max += weight;
            weight *= 0.70;
            if (mod > 12) {
                break;
            }
        }
        return 1 - vector / max;
    }

    private static String rgb(int r, int g, int b) {
        return "rgb(" + r + ',' + g + ',' + b + ')';
    }
}
