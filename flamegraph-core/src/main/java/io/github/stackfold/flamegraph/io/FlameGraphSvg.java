package io.github.stackfold.flamegraph.io;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a flame graph SVG (flamegraph.pl's, or stackfold's own) back into folded stacks. Each frame
 * is a {@code <title>} with its name and count followed by its {@code <rect>}:
 *
 * <pre>
 * &lt;g&gt;&lt;title&gt;all (149 samples, 100%)&lt;/title&gt;&lt;rect x="10.0" y="789" width="1180.0" height="15.0" .../&gt;
 * &lt;g&gt;&lt;title&gt;ep_poll (7 samples, 4.70%)&lt;/title&gt;&lt;rect x="801.9" y="469" width="55.5" height="15.0" .../&gt;
 * </pre>
 *
 * <p>A frame's row gives its depth (the root {@code all} at the bottom, or at the top of an icicle
 * graph), and its parent is the frame one row nearer the root whose span holds its middle. A frame's
 * self count is its count minus its children's, and the stack of its names from the root's child
 * gets that count. The stacks come back exactly when the graph drew every frame: flamegraph.pl omits
 * frames narrower than {@code --minwidth} (0.1 px by default), whose weight then shows as self weight
 * of their parent, which no reader can tell from real self weight. What cannot be placed (a frame
 * without a parent, counts of children above their parent's) is reported to the warning handler with
 * the amount by which the stacks' sum misses the root's count.
 */
public final class FlameGraphSvg {
    private static final Pattern FRAME = Pattern.compile(
            "<title>([^<]*)</title>\\s*(?:<a[^>]*>\\s*)?<rect([^>]*)>", Pattern.DOTALL);
    /** NAME (COUNT UNIT, PERCENT...): the last " (" that starts a count. */
    private static final Pattern TITLE = Pattern.compile("(.*) \\(([0-9][0-9,]*(?:\\.[0-9]+)?)[ )].*", Pattern.DOTALL);
    private static final Pattern MARKERS = Pattern.compile(
            "id=\"frames\"|flame graph stack visualization|flame graph rendered by stackfold"
            + "|<title>[^<]* \\([0-9][0-9,.]* [^<]*%[^<]*\\)</title>");

    private FlameGraphSvg() {
    }

    /** Whether lower-case SVG text (its start) is a flame graph: flamegraph.pl's or stackfold's markers, or frame titles. */
    static boolean looksLikeFlameGraph(String lowerCaseText) {
        return MARKERS.matcher(lowerCaseText).find();
    }

    /** One drawn frame. */
    private static final class Frame {
        final String name;
        final long count;
        final double x;
        final double y;
        final double width;
        Frame parent;
        long childCounts;
        int depth;

        Frame(String name, long count, double x, double y, double width) {
            this.name = name;
            this.count = count;
            this.x = x;
            this.y = y;
            this.width = width;
        }
    }

    /**
     * The folded stacks of the flame graph in {@code in} (read to its end, not closed). {@code warnings}
     * hears, in one sentence naming {@code source}, what could not be placed.
     */
    public static FoldedProfile read(InputStream in, String source, Consumer<String> warnings) throws IOException {
        String svg = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        List<Frame> frames = new ArrayList<>();
        Matcher m = FRAME.matcher(svg);
        while (m.find()) {
            Matcher t = TITLE.matcher(unescape(m.group(1)));
            String rect = m.group(2);
            double x = attribute(rect, "x");
            double y = attribute(rect, "y");
            double w = attribute(rect, "width");
            if (!t.matches() || Double.isNaN(x) || Double.isNaN(y) || Double.isNaN(w)) {
                continue;
            }
            long count = Math.round(Double.parseDouble(t.group(2).replace(",", "")));
            frames.add(new Frame(t.group(1), count, x, y, w));
        }
        if (frames.isEmpty()) {
            throw new BadInputException(source, "a flame graph SVG without frames (no <title>NAME (COUNT samples, P%)</title><rect> in it)");
        }
        Frame root = frames.stream().max(Comparator.comparingDouble((Frame f) -> f.width)
                .thenComparing(f -> f.name.equals("all"))).orElseThrow();
        boolean inverted = frames.stream().allMatch(f -> f.y >= root.y);
        double step = rowStep(frames);
        TreeMap<Integer, List<Frame>> rows = new TreeMap<>();
        for (Frame f : frames) {
            f.depth = (int) Math.round(Math.abs(f.y - root.y) / step);
            if (inverted != (f.y >= root.y) && f != root && f.y != root.y) {
                f.depth = -1; // on the wrong side of the root: not part of the graph
            }
            rows.computeIfAbsent(f.depth, d -> new ArrayList<>()).add(f);
        }
        long unplaced = 0;
        for (Frame f : frames) {
            if (f == root) {
                continue;
            }
            List<Frame> above = f.depth > 0 ? rows.get(f.depth - 1) : null;
            double mid = f.x + f.width / 2;
            if (above != null) {
                for (Frame p : above) {
                    if (p.x <= mid && mid <= p.x + p.width) {
                        f.parent = p;
                        break;
                    }
                }
            }
            if (f.parent == null) {
                unplaced += f.count;
            } else {
                f.parent.childCounts += f.count;
            }
        }
        FoldedProfile.Builder b = FoldedProfile.builder();
        long sum = 0;
        for (Frame f : frames) {
            if (f == root || !placed(f, root)) {
                continue;
            }
            long self = f.count - f.childCounts;
            if (self > 0) {
                b.add(stack(f, root), self);
                sum += self;
            }
        }
        if (root.childCounts < root.count) {
            // samples with an empty call chain (or only pruned frames): flamegraph.pl draws them as all's own
            long self = root.count - root.childCounts;
            b.add(FoldedProfile.encode(root.name), self);
            sum += self;
        }
        if (sum != root.count || unplaced > 0) {
            List<String> problems = new ArrayList<>();
            if (sum != root.count) {
                long missing = root.count - sum;
                problems.add(String.format(Locale.ROOT, "the stacks add up to %d, not the root's %d (%s %d, %.2f%%)", sum,
                        root.count, missing >= 0 ? "missing" : "over by", Math.abs(missing),
                        100.0 * Math.abs(missing) / Math.max(1, root.count)));
            }
            if (unplaced > 0) {
                problems.add("frames of weight " + unplaced + " had no parent frame and were left out");
            }
            warnings.accept(source + ": " + String.join("; ", problems));
        }
        return b.build();
    }

    private static boolean placed(Frame f, Frame root) {
        for (Frame p = f; p != null; p = p.parent) {
            if (p == root) {
                return true;
            }
        }
        return false;
    }

    /** The raw folded stack of {@code f}: its names from the root's child down to it. */
    private static String stack(Frame f, Frame root) {
        List<String> names = new ArrayList<>();
        for (Frame p = f; p != root; p = p.parent) {
            names.add(p.name);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = names.size() - 1; i >= 0; i--) {
            sb.append(names.get(i));
            if (i > 0) {
                sb.append(';');
            }
        }
        return FoldedProfile.encode(sb.toString());
    }

    /** The distance between rows: the smallest difference of two frames' y. */
    private static double rowStep(List<Frame> frames) {
        double[] ys = frames.stream().mapToDouble(f -> f.y).distinct().sorted().toArray();
        double step = Double.MAX_VALUE;
        for (int i = 1; i < ys.length; i++) {
            step = Math.min(step, ys[i] - ys[i - 1]);
        }
        return step == Double.MAX_VALUE ? 1 : step;
    }

    private static double attribute(String tag, String name) {
        Matcher m = Pattern.compile("(?:^|\\s)" + name + "=\"([-0-9.eE+]+)\"").matcher(tag);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** XML text with its entities replaced ({@code &lt; &gt; &amp; &quot; &apos; &#NN; &#xNN;}). */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int semi = c == '&' ? s.indexOf(';', i) : -1;
            if (semi < 0 || semi - i > 10) {
                sb.append(c);
                i++;
                continue;
            }
            String e = s.substring(i + 1, semi);
            switch (e) {
                case "lt" -> sb.append('<');
                case "gt" -> sb.append('>');
                case "amp" -> sb.append('&');
                case "quot" -> sb.append('"');
                case "apos" -> sb.append('\'');
                default -> {
                    if (e.startsWith("#x") || e.startsWith("#X")) {
                        sb.appendCodePoint(Integer.parseInt(e.substring(2), 16));
                    } else if (e.startsWith("#")) {
                        sb.appendCodePoint(Integer.parseInt(e.substring(1)));
                    } else {
                        sb.append(s, i, semi + 1);
                    }
                }
            }
            i = semi + 1;
        }
        return sb.toString();
    }
}
