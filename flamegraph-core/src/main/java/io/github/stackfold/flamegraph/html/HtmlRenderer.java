package io.github.stackfold.flamegraph.html;

import io.github.stackfold.flamegraph.FrameNames;
import io.github.stackfold.flamegraph.diff.DiffProfile;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.internal.Markup;
import io.github.stackfold.flamegraph.internal.NonClosingOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Function;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes one self-contained HTML file that shows folded stacks in the browser: a flame graph or
 * icicle drawn on a canvas, zoom, regex search with the matched share, a sortable top table, a
 * sandwich (callers and callees of one function), focus and ignore by regex, a differential mode for
 * two counts per stack, and, for profiles with sample times, a subsecond heatmap whose ranges redraw
 * the flame graph. No network access, no external script: the viewer's script and style are in the
 * file, written for stackfold.
 *
 * <p>Every frame is kept (a frame too narrow to draw appears when zoomed in to). The data is one
 * base64 text of raw DEFLATE data (see {@link StackEncoder} for the layout) in a
 * {@code <script type="application/x-stackfold-data">} element; frame names travel inside it as
 * UTF-8 bytes and the viewer only ever shows them as text, so no name can turn into markup or script.
 * Titles go into the page through strict JSON and HTML escaping.
 *
 * <p>Not for: SVG ({@code render} package) or the export formats ({@code export} package). Immutable
 * and thread-safe.
 */
public final class HtmlRenderer {
    private static final String TEMPLATE = "viewer.html";
    private final HtmlOptions options;

    private HtmlRenderer(HtmlOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A renderer writing the viewer with these options ({@link HtmlOptions#defaults()}, {@link HtmlOptions#builder()}). */
    public static HtmlRenderer of(HtmlOptions options) {
        return new HtmlRenderer(options);
    }

    /** The options this renderer writes with. */
    public HtmlOptions options() {
        return options;
    }

    /** Writes the viewer for a profile with one count per stack. The stream is flushed, not closed. */
    public void render(FoldedProfile profile, OutputStream out) throws IOException {
        write(StackEncoder.Input.of(profile), out);
    }

    /**
     * Writes the viewer for stacks read as bytes ({@link RawStacks#readFolded}): the same file as for
     * the {@link FoldedProfile} of the same input, without a {@code String} per stack.
     */
    public void render(RawStacks stacks, OutputStream out) throws IOException {
        write(StackEncoder.Input.of(stacks), out);
    }

    /** A subtitle and a notice for the page, worked out while its data is written. */
    public record Notes(String subtitle, String notice) {
        public Notes {
            Objects.requireNonNull(subtitle, "subtitle");
            Objects.requireNonNull(notice, "notice");
        }
    }

    /**
     * What writing the data found out about the stacks, for the notes: which stacks hold a frame whose
     * name may be no name ({@link FrameNames#surelyNamed} doubts it), read from the names as they were
     * encoded, once per distinct name.
     */
    public static final class Drawn {
        private final long[] doubted;

        private Drawn(long[] doubted) {
            this.doubted = doubted;
        }

        /**
         * Whether stack i (an index of the {@link RawStacks} drawn) holds a frame whose name is in doubt;
         * false only when every frame of it is surely named, so a verdict on unnamed frames may pass it
         * over ({@code Analyzer.unnamedFrames(RawStacks, IntPredicate)}).
         */
        public boolean mayBeUnnamed(int i) {
            return (doubted[i >>> 6] & 1L << i) != 0;
        }
    }

    /**
     * As {@link #render(RawStacks, OutputStream)}, with the subtitle and notice of {@code notes} in
     * place of the options' own. The page carries them after its data, so {@code notes} is asked
     * once the data is written, with what writing it found ({@link Drawn}): what they say (e.g. a
     * verdict on the stacks) can be worked out from that, or on another thread meanwhile.
     */
    public void render(RawStacks stacks, OutputStream out, Function<Drawn, Notes> notes) throws IOException {
        write(StackEncoder.Input.of(stacks), out, notes);
    }

    /** Writes a differential viewer: widths from the second ("after") counts, colours from the change. */
    public void render(DiffProfile diff, OutputStream out) throws IOException {
        write(StackEncoder.Input.of(diff), out);
    }

    /**
     * Writes the viewer for timed samples: with a heatmap when {@link TimedProfile#hasTimes()}, else the
     * same as {@link #render(FoldedProfile, OutputStream)} of its profile.
     */
    public void render(TimedProfile timed, OutputStream out) throws IOException {
        write(timed.hasTimes() ? StackEncoder.Input.of(timed, options.heatmapRows()) : StackEncoder.Input.of(timed.profile()),
                out);
    }

    private void write(StackEncoder.Input input, OutputStream raw) throws IOException {
        write(input, raw, drawn -> new Notes(options.subtitle(), options.notice()));
    }

    private void write(StackEncoder.Input input, OutputStream raw, Function<Drawn, Notes> notes) throws IOException {
        Template template = Template.INSTANCE;
        OutputStream out = new BufferedOutputStream(raw, 1 << 16);
        String title = htmlText(title(input));
        out.write(fill(template.head, title, "").getBytes(StandardCharsets.UTF_8));
        OutputStream b64 = Base64.getEncoder().wrap(new NonClosingOutputStream(out));
        // Huffman coding alone: the stream is mostly one-byte codes with few long repeats, so string
        // matching costs time and gains nothing (BIG: 13.9 MB instead of 15.0 MB at level 1, and faster)
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setStrategy(Deflater.HUFFMAN_ONLY);
        Drawn drawn;
        try (DeflaterOutputStream z = new DeflaterOutputStream(b64, deflater, 1 << 16)) {
            drawn = new Drawn(StackEncoder.encode(input, options.names(), z));
        } finally {
            deflater.end();
        }
        out.write(fill(template.tail, title, meta(input, notes.apply(drawn))).getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The template with its title and meta placeholders filled in one pass (a title may contain the other's marker). */
    private static String fill(String t, String title, String meta) {
        StringBuilder sb = new StringBuilder(t.length() + title.length() + meta.length());
        int at = 0;
        while (true) {
            int i = t.indexOf("{{", at);
            if (i < 0) {
                return sb.append(t, at, t.length()).toString();
            }
            sb.append(t, at, i);
            if (t.startsWith("{{TITLE}}", i)) {
                sb.append(title);
                at = i + "{{TITLE}}".length();
            } else if (t.startsWith("{{META}}", i)) {
                sb.append(meta);
                at = i + "{{META}}".length();
            } else {
                sb.append("{{");
                at = i + 2;
            }
        }
    }

    private String title(StackEncoder.Input input) {
        if (options.title() != null) {
            return options.title();
        }
        return input.diff() ? "Differential Flame Graph" : "Flame Graph";
    }

    private String meta(StackEncoder.Input input, Notes notes) {
        StringBuilder sb = new StringBuilder(256);
        sb.append('{');
        field(sb, "title", title(input)).append(',');
        field(sb, "subtitle", notes.subtitle()).append(',');
        field(sb, "countName", options.countName()).append(',');
        field(sb, "palette", options.palette().name().toLowerCase(java.util.Locale.ROOT)).append(',');
        field(sb, "view", options.view().name().toLowerCase(java.util.Locale.ROOT)).append(',');
        sb.append("\"minWidth\":").append(options.minWidth()).append(',');
        sb.append("\"minWidthPercent\":").append(options.minWidthPercent()).append(',');
        sb.append("\"diff\":").append(input.diff()).append(',');
        sb.append("\"timed\":").append(input.timed());
        if (!notes.notice().isEmpty()) {
            field(sb.append(','), "notice", notes.notice()); // only when there is one: other pages stay as they were
        }
        return sb.append('}').toString();
    }

    private static StringBuilder field(StringBuilder sb, String name, String value) {
        sb.append('"').append(name).append("\":");
        json(sb, value);
        return sb;
    }

    /**
     * A JSON string that is also safe inside a {@code <script>} element: {@code < > &} and the line
     * separators as {@code \\u} escapes, control characters escaped, unpaired surrogates as U+FFFD.
     */
    static void json(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
                continue;
            }
            if (Character.isSurrogate(c)) {
                c = '\uFFFD';
            }
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                default:
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\'' || c == 0x7F || c == 0x2028
                            || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    /** Text for HTML element content: markup characters as references, what HTML cannot carry as U+FFFD. */
    static String htmlText(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
                continue;
            }
            String ref = Markup.reference(c);
            if (ref != null) {
                sb.append(ref);
            } else {
                boolean bad = (c < 0x20 && c != '\t') || c == 0x7F || Character.isSurrogate(c) || c == 0xFFFE
                        || c == 0xFFFF;
                sb.append(bad ? '\uFFFD' : c);
            }
        }
        return sb.toString();
    }

    /**
     * The viewer page around its data, read from the library once: the part before the data (with the
     * title placeholder) and the part after it (with the meta placeholder).
     */
    private static final class Template {
        static final Template INSTANCE = load();

        final String head;
        final String tail;

        private Template(String head, String tail) {
            this.head = head;
            this.tail = tail;
        }

        private static Template load() {
            try (InputStream in = HtmlRenderer.class.getResourceAsStream(TEMPLATE)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + TEMPLATE + " missing from the library");
                }
                String page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                int data = page.indexOf("{{DATA}}");
                return new Template(page.substring(0, data), page.substring(data + "{{DATA}}".length()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
