package io.github.stackfold.flamegraph.render;

import io.github.stackfold.flamegraph.FrameNames;
import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.folded.ProfileMeta;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a flame graph as one self-contained, well-formed SVG: the frames laid out as flamegraph.pl
 * lays them out (same positions, labels and colours), plus this project's own script and style for
 * zoom, search and details ({@link FlameGraphAssets}).
 *
 * <p>Built once from {@link FlameGraphOptions}; thread-safe (except with {@link ColorMode#RANDOM}
 * colours) and reusable. Never prints, never exits. Frame names are text from the profiled machine:
 * they are always escaped, never interpreted.
 *
 * <p>With short names ({@link FlameGraphOptions#names()}) a label shows the longest of the name's
 * {@link FrameNames#labelForms} that fits; when none fits, the shortest in a smaller font that makes it
 * fit, {@code <text style="font-size:9.6px">}, as pprof's flame graph does, but not smaller than
 * {@link #MIN_FONT_RATIO} of the font size (8 px of 12); only when even that is too wide, the shortest
 * cut to {@code ..} at that minimum size. In the file, widths are estimated as flamegraph.pl estimates
 * them (characters times the font size times {@code fontWidth}, 0.59); in a browser the script fits the
 * short labels again at load and on zoom by their width measured in the font it draws (a canvas's
 * {@code measureText}), as pprof's flame graph does, so that labels in capitals do not overflow their
 * frames. A frame whose label may differ from its full name carries the forms for the script:
 * {@code <g data-short="http.HandlerFunc.ServeHTTP" data-cuts="5,17">} (the short name, and the code
 * point offsets at which the shorter forms start); the root element says the minimum,
 * {@code data-minfontsize="8.0"}. The tooltip keeps the full name. Full names are drawn as flamegraph.pl
 * draws them, with no smaller fonts.
 */
public final class FlameGraphRenderer {
    static final int XPAD = 10;
    /** The smallest font a short label may shrink to, as a share of the font size: pprof's 8 px of 12. */
    static final double MIN_FONT_RATIO = 2.0 / 3;

    /** The distance between two subtitle lines. */
    static double subtitleLineHeight(double fontSize) {
        return Math.round(fontSize * 1.5);
    }

    /**
     * A subtitle as lines of at most {@code maxChars} characters (as wide as the graph, by the font's
     * average character width): one line when it fits (as flamegraph.pl draws it), else cut after a
     * {@code "; "}, else after a {@code ", "} or a blank, else anywhere; each line but the last keeps the
     * separator, so the lines joined are the subtitle. No lines for an empty subtitle.
     */
    static List<String> subtitleLines(String subtitle, double maxChars) {
        if (subtitle.isEmpty()) {
            return List.of();
        }
        int max = Math.max(8, (int) maxChars);
        List<String> lines = new java.util.ArrayList<>();
        String rest = subtitle;
        while (rest.length() > max) {
            int cut = lastCut(rest, max, "; ");
            if (cut < 0) {
                cut = lastCut(rest, max, ", ");
            }
            if (cut < 0) {
                cut = lastCut(rest, max, " ");
            }
            if (cut < 0) {
                cut = max;
            }
            lines.add(rest.substring(0, cut));
            rest = rest.substring(cut);
        }
        lines.add(rest);
        return lines;
    }

    /** The end of the last {@code sep} (separator included) within the first {@code max} characters, or -1. */
    private static int lastCut(String s, int max, String sep) {
        int at = s.lastIndexOf(sep, max - sep.length());
        return at > 0 ? at + sep.length() : -1;
    }
    private static final int FRAME_PAD = 1;

    private final FlameGraphOptions options;

    private FlameGraphRenderer(FlameGraphOptions options) {
        this.options = options;
    }

    /** A renderer drawing with these options ({@link FlameGraphOptions#builder()}). */
    public static FlameGraphRenderer of(FlameGraphOptions options) {
        return new FlameGraphRenderer(options);
    }

    /** The options this renderer draws with. */
    public FlameGraphOptions options() {
        return options;
    }

    /**
     * Renders folded lines. With no samples, writes an SVG that says so, then throws
     * {@link NoSamplesException}. The stream is flushed, not closed.
     */
    public RenderResult render(FoldedSamples samples, OutputStream out) throws IOException {
        FrameLayout layout = FrameLayout.of(samples, options);
        ProfileMeta m = samples.meta();
        boolean units = m != null && !m.plain() && options.countName().equals("samples") && options.cpuNanosPerCount() == 0
                && options.factor() == 1;
        RenderResult r = units ? of(withUnits(options, m)).render(layout, out) : render(layout, out);
        // frames dropped while laid out were omitted too
        int omitted = (int) Math.min(Integer.MAX_VALUE, r.framesOmitted() + layout.pruned());
        return new RenderResult(r.framesDrawn(), omitted, r.total(), r.totalIgnored(),
                samples.ignoredLines(), samples.firstIgnoredLine(), r.paletteMap());
    }

    /**
     * Renders a folded profile (see {@link #render(FoldedSamples, OutputStream)}). When the profile says
     * what its weights are ({@link FoldedProfile#meta()}) and the options keep the default count name
     * ("samples"), the graph counts samples and says the CPU time they stand for:
     * {@code all (199 samples, 1.99 s CPU, 100%)} for a pprof CPU profile whose weights are
     * 1,990,000,000 nanoseconds. A plain profile is drawn as flamegraph.pl draws it.
     */
    public RenderResult render(FoldedProfile profile, OutputStream out) throws IOException {
        return render(FoldedSamples.of(profile), out);
    }

    /**
     * Options that say what the counts of a profile with this metadata are, when the options leave the
     * count name "samples", the factor 1 and the CPU per count unset (otherwise the caller chose).
     * Counts that are samples get the CPU time of a sample; weights of a constant period (a pprof
     * CPU profile: 10,000,000 ns a sample) are shown divided by it ({@code --factor}), so the details
     * count samples; perf periods that vary are left as flamegraph.pl shows them, so that
     * {@code perf script | flame flamegraph} draws what {@code flame collapse | flame flamegraph} does.
     */
    public static FlameGraphOptions withUnits(FlameGraphOptions options, ProfileMeta meta) {
        FlameGraphOptions.Builder b = options.toBuilder();
        if (meta.weight() == ProfileMeta.Weight.SAMPLES) {
            double perSample = meta.cpuNanosPerSample();
            if (!Double.isNaN(perSample)) {
                b.cpuNanosPerCount(perSample);
            }
        } else if (meta.period() > 0) {
            b.factor(1.0 / meta.period());
            if (meta.weight() == ProfileMeta.Weight.CPU_NANOSECONDS) {
                b.cpuNanosPerCount(meta.period());
            }
        }
        return b.build();
    }

    /** Renders a laid-out graph (see {@link #render(FoldedSamples, OutputStream)}). */
    public RenderResult render(FrameLayout layout, OutputStream out) throws IOException {
        Charset cs = options.encoding() == null ? StandardCharsets.UTF_8 : Charset.forName(options.encoding());
        boolean utf8 = cs.equals(StandardCharsets.UTF_8);
        CharsetEncoder enc = utf8 ? null : cs.newEncoder();
        Sink sink = utf8 ? new Sink(out, null) : new Sink(out, new OutputStreamWriter(out, cs));
        try {
            if (!(layout.total() > 0)) {
                writeNoSamples(sink, enc);
                sink.flush();
                throw new NoSamplesException("no stack counts found (no valid input lines)");
            }
            RenderResult r = new Svg(layout, sink, enc).write();
            sink.flush();
            return r;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Where the SVG's text goes. UTF-8 (the default) is written to the stream as bytes, whole
     * elements at a time: {@code String.getBytes} copies ASCII text as it is, where an
     * {@code OutputStreamWriter} widened every chunk to chars and encoded it back (6 % of a 100k-stack
     * flame graph's main thread, async-profiler). Another {@code --encoding} goes through a writer.
     * Text is handed over only between whole elements, so no surrogate pair is ever split.
     */
    private static final class Sink {
        private final OutputStream out;
        private final Writer writer;

        Sink(OutputStream out, Writer writer) {
            this.out = out;
            this.writer = writer;
        }

        void write(CharSequence text) throws IOException {
            if (writer == null) {
                out.write(text.toString().getBytes(StandardCharsets.UTF_8));
            } else {
                writer.append(text);
            }
        }

        void flush() throws IOException {
            if (writer != null) {
                writer.flush();
            }
            out.flush();
        }
    }

    private void writeNoSamples(Sink w, CharsetEncoder enc) throws IOException {
        FlameGraphOptions o = options;
        StringBuilder sb = new StringBuilder(512);
        xmlHeader(sb);
        double h = o.fontSize() * 5;
        sb.append("<svg version=\"1.1\" width=\"").append(o.width()).append("\" height=\"");
        Fmt.perl(sb, h);
        sb.append("\" viewBox=\"0 0 ").append(o.width()).append(' ');
        Fmt.perl(sb, h);
        sb.append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
        sb.append("<text x=\"").append(o.width() / 2).append("\" y=\"");
        Fmt.perl(sb, o.fontSize() * 2);
        sb.append("\" text-anchor=\"middle\" font-family=\"");
        Xml.escape(sb, cssSafe(o.fontType()), true, enc);
        sb.append("\" font-size=\"");
        Fmt.perl(sb, o.fontSize() + 2);
        sb.append("\">ERROR: No valid input provided: no stack counts found.</text>\n</svg>\n");
        w.write(sb);
    }

    private void xmlHeader(StringBuilder sb) {
        sb.append("<?xml version=\"1.0\"");
        if (options.encoding() != null) {
            sb.append(" encoding=\"").append(options.encoding().replaceAll("[^A-Za-z0-9._-]", "")).append('"');
        }
        sb.append(" standalone=\"no\"?>\n");
    }

    /**
     * A font name with only letters, digits, space and {@code ,_'.-} left (the regular expression
     * {@code [^\p{L}\p{N} ,_'.-]} removed, as a loop: compiling that expression took ~4 ms of every
     * flame graph).
     */
    static String cssSafe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int type = Character.getType(cp);
            if (Character.isLetter(cp) || type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                    || type == Character.OTHER_NUMBER || " ,_'.-".indexOf(cp) >= 0) {
                b.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return b.toString();
    }

    /** One rendering: state that lives while one SVG is written. */
    private final class Svg {
        private final FlameGraphOptions o = options;
        private final FrameLayout layout;
        private final Sink w;
        private final CharsetEncoder enc;
        private final StringBuilder sb = new StringBuilder(1 << 16);
        private final FrameColors colors;
        private final String[] text;        // decoded name per name id
        private final String[] titleName;   // escaped, annotation stripped, per name id (lazy)
        private final String[] fill;        // colour per name id (lazy; not for RANDOM)
        private final Map<String, String> paletteMap;
        private final boolean shortNames;
        private final String[][] forms;      // label forms per name id (lazy; short names only)
        private final String[] formAttrs;    // data-short and data-cuts per name id (lazy; short names only)

        Svg(FrameLayout layout, Sink w, CharsetEncoder enc) {
            this.layout = layout;
            this.w = w;
            this.enc = enc;
            this.colors = FrameColors.of(o.palette(), o.colorMode());
            int names = layout.nameCount();
            this.text = new String[names];
            this.titleName = new String[names];
            this.fill = new String[names];
            this.paletteMap = o.paletteMap() == null ? null : new TreeMap<>(o.paletteMap());
            this.shortNames = o.names() == FrameNames.Style.SHORT
                    || (o.names() == FrameNames.Style.AUTO && FrameNames.mostlyGo(new AbstractList<String>() {
                        @Override
                        public String get(int id) {
                            return layout.nameOf(id); // raw: the test looks at ASCII only
                        }

                        @Override
                        public int size() {
                            return names;
                        }
                    }));
            this.forms = shortNames ? new String[names][] : null;
            this.formAttrs = shortNames ? new String[names] : null;
        }

        RenderResult write() throws IOException {
            double time = layout.total();
            double timemax = time;
            boolean totalIgnored = false;
            if (o.total() > 0) {
                if (o.total() < time) {
                    totalIgnored = o.total() / time > 0.02;
                } else {
                    timemax = o.total();
                }
            }
            double fs = o.fontSize();
            int fh = o.frameHeight();
            int width = o.width();
            double ypad1 = fs * 3;
            double ypad2 = fs * 2 + 10;
            double ypad3 = fs * 2;
            double widthPerTime = (width - 2.0 * XPAD) / timemax;
            double minWidthTime = o.minWidthPercent() ? timemax * o.minWidth() / 100 : o.minWidth() / widthPerTime;

            int n = layout.size();
            boolean[] keep = new boolean[n];
            int depthMax = 0;
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (layout.end(i) - layout.start(i) >= minWidthTime) {
                    keep[i] = true;
                    kept++;
                    depthMax = Math.max(depthMax, layout.depth(i));
                }
            }
            double height = (depthMax + 1.0) * fh + ypad1 + ypad2;
            subtitleLines = subtitleLines(o.subtitle(), (width - 2.0 * XPAD) / (fs * o.fontWidth()));
            if (!o.subtitle().isEmpty()) {
                double more = (subtitleLines.size() - 1) * subtitleLineHeight(fs); // lines after the first
                height += ypad3 + more;
                if (o.inverted()) {
                    ypad1 += more; // frames hang below the title lines
                }
            }

            header(width, height, fs);
            double factorTotal = timemax * o.factor();
            double charWidth = fs * o.fontWidth();
            boolean inverted = o.inverted();
            sb.append("<g id=\"frames\">\n");
            for (int i = 0; i < n; i++) {
                if (!keep[i]) {
                    continue;
                }
                int depth = layout.depth(i);
                int id = layout.nameId(i);
                boolean root = depth == 0 && id == 0;
                double stime = layout.start(i);
                double etime = root ? timemax : layout.end(i);
                double x1 = XPAD + stime * widthPerTime;
                double x2 = XPAD + etime * widthPerTime;
                double y1;
                double y2;
                if (inverted) {
                    y1 = ypad1 + depth * fh;
                    y2 = ypad1 + (depth + 1) * fh - FRAME_PAD;
                } else {
                    y1 = height - ypad2 - (depth + 1) * fh + FRAME_PAD;
                    y2 = height - ypad2 - depth * fh;
                }
                Map<String, String> attrs = o.nameAttributes().isEmpty() ? null : o.nameAttributes().get(layout.nameOf(id));
                String href = attrs == null ? null : safeHref(attrs.get("href"));
                sb.append(href != null ? "<a" : "<g");
                if (attrs != null) {
                    frameAttributes(attrs, href);
                }
                if (shortNames && !root) {
                    sb.append(formAttrs(id));
                }
                sb.append("><title>");
                String customTitle = attrs == null ? null : attrs.get("title");
                if (customTitle != null && !customTitle.isEmpty()) {
                    Xml.escape(sb, customTitle, false, enc);
                } else {
                    info(i, id, root, etime - stime, factorTotal);
                }
                sb.append("</title><rect x=\"");
                long k1 = Fmt.scaledRound(x1, 1);
                long k2 = Fmt.scaledRound(x2, 1);
                Fmt.scaled(sb, k1, 1);
                sb.append("\" y=\"");
                Fmt.perl(sb, y1);
                sb.append("\" width=\"");
                Fmt.fixed(sb, k2 / 10.0 - k1 / 10.0, 1);
                sb.append("\" height=\"");
                Fmt.fixed(sb, y2 - y1, 1);
                sb.append("\" fill=\"").append(color(i, id)).append("\" rx=\"2\" ry=\"2\"/>\n<text x=\"");
                Fmt.fixed(sb, x1 + 3, 2);
                sb.append("\" y=\"");
                Fmt.perl(sb, 3 + (y1 + y2) / 2);
                sb.append('"');
                if (root) {
                    sb.append('>');
                } else {
                    label(id, x2 - x1, charWidth);
                }
                sb.append("</text>").append(href != null ? "</a>\n" : "</g>\n");
                if (sb.length() > (1 << 15)) {
                    flush();
                }
            }
            sb.append("</g>\n<script type=\"text/ecmascript\"><![CDATA[\n");
            flush();
            w.write(FlameGraphAssets.SCRIPT);
            sb.append("]]></script>\n</svg>\n");
            flush();
            return new RenderResult(kept, n - kept, time, totalIgnored, 0, null, paletteMap);
        }

        private void header(int width, double height, double fs) throws IOException {
            xmlHeader(sb);
            sb.append("<svg version=\"1.1\" width=\"").append(width).append("\" height=\"");
            Fmt.perl(sb, height);
            sb.append("\" viewBox=\"0 0 ").append(width).append(' ');
            Fmt.perl(sb, height);
            sb.append("\" xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
            attr("data-nametype", o.nameType());
            attr("data-countname", o.countName());
            sb.append(" data-fontsize=\"");
            Fmt.perl(sb, fs);
            sb.append("\" data-fontwidth=\"");
            Fmt.perl(sb, o.fontWidth());
            sb.append("\" data-xpad=\"").append(XPAD).append('"');
            sb.append(" data-inverted=\"").append(o.inverted()).append('"');
            if (shortNames) {
                sb.append(" data-minfontsize=\"");
                Fmt.fixed(sb, minFontSize(), 1);
                sb.append('"');
            }
            attr("data-searchcolor", o.searchColor());
            sb.append(">\n<!-- Flame graph rendered by stackfold (flame flamegraph); frame layout and colours follow FlameGraph's flamegraph.pl. -->\n");
            sb.append("<!-- NOTES: ").append(Xml.comment(o.notes())).append(" -->\n");
            Background bg = o.background();
            sb.append("<defs>\n\t<linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">\n");
            sb.append("\t\t<stop stop-color=\"").append(bg.top()).append("\" offset=\"5%\"/>\n");
            sb.append("\t\t<stop stop-color=\"").append(bg.bottom()).append("\" offset=\"95%\"/>\n");
            sb.append("\t</linearGradient>\n</defs>\n<style type=\"text/css\"><![CDATA[\n");
            sb.append("text { font-family: ");
            String font = cssSafe(o.fontType());
            Xml.escape(sb, font.isEmpty() ? "Verdana" : font, false, enc);
            sb.append(", sans-serif; font-size: ");
            Fmt.perl(sb, fs);
            sb.append("px; fill: rgb(0,0,0); }\n#title { text-anchor: middle; font-size: ");
            Fmt.perl(sb, fs + 5);
            sb.append("px; }\n");
            flush();
            w.write(FlameGraphAssets.STYLE);
            sb.append("]]></style>\n");
            sb.append("<rect x=\"0.0\" y=\"0\" width=\"").append(width).append(".0\" height=\"");
            Fmt.fixed(sb, height, 1);
            sb.append("\" fill=\"url(#background)\"/>\n");
            int mid = width / 2;
            textElement("title", mid, fs * 2, o.title(), null);
            if (subtitleLines.size() == 1) {
                textElement("subtitle", mid, fs * 4, o.subtitle(), null);
            } else if (subtitleLines.size() > 1) {
                // one element, a line per tspan: its text is the whole subtitle
                sb.append("<text id=\"subtitle\" x=\"");
                Fmt.fixed(sb, mid, 2);
                sb.append("\" y=\"");
                Fmt.perl(sb, fs * 4);
                sb.append("\">");
                for (int i = 0; i < subtitleLines.size(); i++) {
                    sb.append("<tspan x=\"");
                    Fmt.fixed(sb, mid, 2);
                    sb.append("\" y=\"");
                    Fmt.perl(sb, fs * 4 + i * subtitleLineHeight(fs));
                    sb.append("\">");
                    Xml.escape(sb, subtitleLines.get(i), false, enc);
                    sb.append("</tspan>");
                }
                sb.append("</text>\n");
            }
            textElement("details", XPAD, height - ypad2Of(fs) / 2, " ", null);
            textElement("unzoom", XPAD, fs * 2, "Reset Zoom", "hide");
            textElement("search", width - XPAD - 100, fs * 2, "Search", null);
            textElement("ignorecase", width - XPAD - 16, fs * 2, "ic", null);
            textElement("matched", width - XPAD - 100, height - ypad2Of(fs) / 2, " ", null);
        }

        private double ypad2Of(double fs) {
            return fs * 2 + 10;
        }

        /** The subtitle's lines (set as the graph is laid out); none without a subtitle. */
        private List<String> subtitleLines = List.of();

        private void textElement(String id, double x, double y, String content, String cls) {
            sb.append("<text id=\"").append(id).append("\" x=\"");
            Fmt.fixed(sb, x, 2);
            sb.append("\" y=\"");
            Fmt.perl(sb, y);
            sb.append('"');
            if (cls != null) {
                sb.append(" class=\"").append(cls).append('"');
            }
            sb.append('>');
            Xml.escape(sb, content, false, enc);
            sb.append("</text>\n");
        }

        private void attr(String name, String value) {
            sb.append(' ').append(name).append("=\"");
            Xml.escape(sb, value, true, enc);
            sb.append('"');
        }

        private void frameAttributes(Map<String, String> attrs, String href) {
            for (Map.Entry<String, String> e : new TreeMap<>(attrs).entrySet()) {
                String k = e.getKey();
                if (k.equals("title") || k.equals("href") || k.equals("target") || k.equals("g_extra") || k.equals("a_extra")
                        || k.equals("data-short") || k.equals("data-cuts")
                        || !k.matches("[A-Za-z_][-A-Za-z0-9_.]*") || k.regionMatches(true, 0, "on", 0, 2)
                        || k.equalsIgnoreCase("style")) {
                    continue;
                }
                attr(k, e.getValue());
            }
            if (href != null) {
                attr("xlink:href", href);
                String target = attrs.get("target");
                attr("target", target == null || target.isEmpty() ? "_top" : target);
            }
        }

        private String safeHref(String href) {
            if (href == null || href.isEmpty()) {
                return null;
            }
            String h = href.trim().toLowerCase(java.util.Locale.ROOT).replaceAll("[\\s\\x00-\\x1f]", "");
            if (h.startsWith("javascript:") || h.startsWith("data:") || h.startsWith("vbscript:")) {
                return null;
            }
            return href;
        }

        /** The tooltip: "name (1,234 samples, 12.34%)", with "; +1.23%" in differential graphs. */
        private void info(int i, int id, boolean root, double width, double factorTotal) {
            double x = width * o.factor();
            String samples = Fmt.fixed(x, 0);
            // the count as printed, as a number: %.0f rounds half to even, as rint does (exact below 2^52)
            double rounded = x >= 0 && x < 0x1p52 ? Math.rint(x) : Double.parseDouble(samples);
            if (root) {
                sb.append("all (");
                Fmt.commas(sb, samples);
                sb.append(' ');
                Xml.escape(sb, o.countName(), false, enc);
                cpu(x);
                sb.append(", 100%)");
                return;
            }
            sb.append(titleName(id)).append(" (");
            Fmt.commas(sb, samples);
            sb.append(' ');
            Xml.escape(sb, o.countName(), false, enc);
            cpu(x);
            sb.append(", ");
            Fmt.fixed(sb, 100 * rounded / factorTotal, 2);
            double delta = layout.delta(i);
            if (Double.isNaN(delta)) {
                sb.append("%)");
                return;
            }
            double d = o.negate() ? -delta : delta;
            sb.append("%; ");
            if (d > 0) {
                sb.append('+');
            }
            Fmt.fixed(sb, 100 * d / factorTotal, 2);
            sb.append("%)");
        }

        /** ", 1.99 s CPU" when the options say what a count is in CPU time. */
        private void cpu(double count) {
            if (o.cpuNanosPerCount() > 0) {
                sb.append(", ").append(ProfileMeta.cpu(count * o.cpuNanosPerCount())).append(" CPU");
            }
        }

        private String color(int i, int id) {
            String raw = layout.nameOf(id);
            if (raw.equals("--")) {
                return FrameColors.SEPARATOR;
            }
            if (raw.equals("-")) {
                return FrameColors.LIGHT_SEPARATOR;
            }
            double delta = layout.delta(i);
            if (!Double.isNaN(delta)) {
                return FrameColors.differential(delta, layout.maxDelta(), o.negate());
            }
            if (paletteMap != null) {
                return paletteMap.computeIfAbsent(raw, k -> colors.color(text(id)));
            }
            if (o.colorMode() == ColorMode.RANDOM) {
                return colors.color(text(id));
            }
            String f = fill[id];
            if (f == null) {
                f = colors.color(text(id));
                fill[id] = f;
            }
            return f;
        }

        private String text(int id) {
            String t = text[id];
            if (t == null) {
                t = FoldedProfile.decode(layout.nameOf(id));
                text[id] = t;
            }
            return t;
        }

        private String titleName(int id) {
            String t = titleName[id];
            if (t == null) {
                StringBuilder b = new StringBuilder();
                Xml.escape(b, stripAnnotation(text(id)), true, enc);
                t = b.toString();
                titleName[id] = t;
            }
            return t;
        }

        /** The rest of the text's start tag and its label, for a frame {@code width} px wide. */
        private void label(int id, double width, double charWidth) {
            int chars = (int) (width / charWidth);
            if (chars < 3) {
                sb.append('>');
                return;
            }
            if (shortNames) {
                shortLabel(id, chars, width);
                return;
            }
            sb.append('>');
            String name = stripAnnotation(text(id));
            int len = name.codePointCount(0, name.length());
            if (chars < len) {
                int end = name.offsetByCodePoints(0, chars - 2);
                Xml.escape(sb, name.substring(0, end), false, enc);
                sb.append("..");
            } else {
                Xml.escape(sb, name, false, enc);
            }
        }

        /**
         * The longest label form that fits in {@code chars} characters at the font size; else the
         * shortest in the font size that fits it in {@code width} px, rounded down to 0.1 px, if that
         * is at least the minimum; else the shortest cut to ".." at the minimum size.
         */
        private void shortLabel(int id, int chars, double width) {
            String[] f = forms(id);
            for (String form : f) {
                if (form.codePointCount(0, form.length()) <= chars) {
                    sb.append('>');
                    Xml.escape(sb, form, false, enc);
                    return;
                }
            }
            String last = f[f.length - 1];
            int len = last.codePointCount(0, last.length());
            double min = minFontSize();
            double size = Math.floor(width / (len * o.fontWidth()) * 10) / 10;
            if (size >= min) {
                fontSize(size);
                Xml.escape(sb, last, false, enc);
                return;
            }
            int room = Math.max(chars, (int) (width / (min * o.fontWidth())));
            fontSize(min);
            Xml.escape(sb, last.substring(0, last.offsetByCodePoints(0, room - 2)), false, enc);
            sb.append("..");
        }

        /** {@link #MIN_FONT_RATIO} of the font size, rounded up to 0.1 px (8.0 of 12). */
        private double minFontSize() {
            return Math.ceil(o.fontSize() * MIN_FONT_RATIO * 10 - 1e-9) / 10;
        }

        private void fontSize(double size) {
            sb.append(" style=\"font-size:");
            Fmt.fixed(sb, size, 1);
            sb.append("px\">");
        }

        private String[] forms(int id) {
            String[] f = forms[id];
            if (f == null) {
                f = FrameNames.labelForms(stripAnnotation(text(id))).toArray(new String[0]);
                forms[id] = f;
            }
            return f;
        }

        /** {@code data-short} and {@code data-cuts} for the script, or "" when the label is the full name. */
        private String formAttrs(int id) {
            String a = formAttrs[id];
            if (a == null) {
                String[] f = forms(id);
                String full = stripAnnotation(text(id));
                if (f.length == 1 && f[0].equals(full)) {
                    a = "";
                } else {
                    StringBuilder b = new StringBuilder(" data-short=\"");
                    Xml.escape(b, f[0], true, enc);
                    b.append("\" data-cuts=\"");
                    for (int i = 1; i < f.length; i++) {
                        if (i > 1) {
                            b.append(',');
                        }
                        b.append(f[0].codePointCount(0, f[0].length() - f[i].length()));
                    }
                    a = b.append('"').toString();
                }
                formAttrs[id] = a;
            }
            return a;
        }

        private void flush() throws IOException {
            w.write(sb);
            sb.setLength(0);
        }
    }

    /** The name without a trailing annotation {@code _[k]}, {@code _[w]}, {@code _[i]} or {@code _[j]}. */
    static String stripAnnotation(String name) {
        int n = name.length();
        if (n >= 4 && name.charAt(n - 4) == '_' && name.charAt(n - 3) == '[' && name.charAt(n - 1) == ']') {
            char c = name.charAt(n - 2);
            if (c == 'k' || c == 'w' || c == 'i' || c == 'j') {
                return name.substring(0, n - 4);
            }
        }
        return name;
    }
}
