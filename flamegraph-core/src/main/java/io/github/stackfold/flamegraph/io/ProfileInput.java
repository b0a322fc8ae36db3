package io.github.stackfold.flamegraph.io;

import io.github.stackfold.flamegraph.internal.Bytes;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One input a command was given: a file, or standard input for {@code -}, opened once, decompressed by
 * content (gzip, xz, bzip2, zstd; {@link Inputs#decompress}) and told apart by its first 64 kB, which
 * stay buffered: nothing is ever read twice or seeked, so a pipe works as well as a file. Every command
 * opens its inputs here, asks {@link #kind()} what it is, and reads {@link #stream()} (or has
 * {@link ProfileLoader#load(ProfileInput)} read it).
 *
 * <p>What each kind looks like at its start (after decompression):
 *
 * <pre>
 * 0a 04 08 01 10 02 ...                         PPROF: a pprof profile.proto
 * java;start_thread;JavaThread::run 42          FOLDED: folded stacks
 * java 12345 [001] 1234.567890: 1001001 cpu-clock:
 *         7f3a0c1e2b44 Foo::bar+0x14 (/opt/x.so)  PERF_SCRIPT: perf script text (an indented stack line)
 * &lt;?xml ... &lt;svg ... &lt;g id="frames"&gt;      FLAME_GRAPH_SVG: flamegraph.pl's or stackfold's SVG
 * PERFILE2                                      PERF_DATA: perf record's binary output (file and pipe mode)
 * 7f 45 4c 46 ("\x7fELF")                       ELF: a program or shared library
 * 89 50 4e 47, ff d8 ff, GIF89a                 IMAGE: PNG, JPEG, GIF (or an SVG that is no flame graph)
 * %PDF-, PK 03 04, d0 cf 11 e0                  DOCUMENT: PDF, ZIP/office, old office
 * &lt;!DOCTYPE html&gt;, &lt;html                 HTML
 * </pre>
 *
 * and {@link Kind#DIRECTORY}, {@link Kind#EMPTY}, {@link Kind#BINARY} (no known binary format) and
 * {@link Kind#TEXT} (text in none of the profile formats, such as a README). Only the first four are
 * profiles; {@link #notAProfile()} is the one refusal every command gives for the others.
 */
public final class ProfileInput implements Closeable {
    /** How far the kind is sniffed (and buffered): as far as {@link ProfileLoader#detect(byte[], int)} looks. */
    static final int HEAD = ProfileLoader.HEAD;

    /** What an input is. */
    public enum Kind {
        PPROF(true),
        FOLDED(true),
        PERF_SCRIPT(true),
        FLAME_GRAPH_SVG(true),
        /**
         * perf record's binary output, file ({@code PERFILE2}, header size 104) and pipe mode (header
         * size 16), read without perf by {@link ProfileLoader#load(ProfileInput)} (its {@code PERF_DATA}
         * case, {@link io.github.stackfold.flamegraph.perfdata.PerfDataCollapser}).
         */
        PERF_DATA(true),
        ELF(false),
        IMAGE(false),
        DOCUMENT(false),
        HTML(false),
        DIRECTORY(false),
        EMPTY(false),
        BINARY(false),
        TEXT(false);

        private final boolean profile;

        Kind(boolean profile) {
            this.profile = profile;
        }

        /** Whether a profile can be read from input of this kind. */
        public boolean isProfile() {
            return profile;
        }
    }

    /**
     * A sample's first line (its command name right-aligned, a colon after its event name) and its first stack line:
     * a hex address, a symbol and its module in parentheses (indented by every perf since 3.x).
     */
    private static final Pattern STACK_LINE = Pattern.compile(
            "(?m)^[ \\t]*[^\\s#][^\\n]*:[^\\n]*\\n[ \\t]*[0-9a-fA-F]+ [^\\n]*\\)[ \\t\\r]*$");
    /** A perf script sample line (with or without a stack): {@code comm pid [cpu] 1234.567890: ...}. */
    private static final Pattern EVENT_LINE = Pattern.compile("(?m)^[ \\t]*[^\\s#].*? \\d+(/\\d+)?( +\\[\\d+\\])? +\\d+\\.\\d+: ");

    private final String source;
    private final Kind kind;
    private final String what;
    private final BufferedInputStream stream;
    private final byte[] head;

    private ProfileInput(String source, Kind kind, String what, BufferedInputStream stream, byte[] head) {
        this.source = source;
        this.kind = kind;
        this.what = what;
        this.stream = stream;
        this.head = head;
    }

    /**
     * Opens {@code arg}: a file, or {@code stdin} for {@code -} (left open on {@link #close()}). A
     * directory is opened as {@link Kind#DIRECTORY}; a missing or unreadable file throws the NIO
     * exception that names it ({@code NoSuchFileException}, {@code AccessDeniedException}).
     */
    public static ProfileInput open(String arg, InputStream stdin) throws IOException {
        Objects.requireNonNull(arg, "arg");
        if (arg.equals("-")) {
            InputStream in = new FilterInputStream(Objects.requireNonNull(stdin, "stdin")) {
                @Override
                public void close() {
                    // standard input belongs to the caller
                }
            };
            return of(in, Inputs.STDIN_NAME);
        }
        return open(Path.of(arg));
    }

    /**
     * Opens the file {@code path} ({@code -} is a file here, not standard input). A directory is opened
     * as {@link Kind#DIRECTORY}; a missing or unreadable file throws the NIO exception that names it
     * ({@code NoSuchFileException}, {@code AccessDeniedException}).
     */
    public static ProfileInput open(Path path) throws IOException {
        String name = path.toString();
        if (Files.isDirectory(path)) {
            return new ProfileInput(name, Kind.DIRECTORY, "a directory",
                    new BufferedInputStream(InputStream.nullInputStream()), new byte[0]);
        }
        InputStream in = Inputs.openFile(path);
        try {
            return of(in, name);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** An input read from {@code in} (closed by {@link #close()}), named {@code source} in messages. */
    public static ProfileInput of(InputStream in, String source) throws IOException {
        Objects.requireNonNull(source, "source");
        InputStream d = Inputs.decompress(in, source);
        BufferedInputStream b = d instanceof BufferedInputStream ? (BufferedInputStream) d : new BufferedInputStream(d, HEAD);
        b.mark(HEAD);
        byte[] head = b.readNBytes(HEAD);
        b.reset();
        Kind kind = kind(head);
        return new ProfileInput(source, kind, describe(kind, head), b, head);
    }

    /** The name for messages: the path as given, or {@code <stdin>}. */
    public String source() {
        return source;
    }

    /** What the input is. */
    public Kind kind() {
        return kind;
    }

    /** What the input looks like, for messages: "a pprof profile", "a PNG image", "perf record's data (perf.data)". */
    public String what() {
        return what;
    }

    /** The decompressed bytes from the start (the head is buffered; nothing was consumed). */
    public BufferedInputStream stream() {
        return stream;
    }

    /** The first bytes (up to 64 kB) of the decompressed input. */
    public byte[] head() {
        return head.clone();
    }

    /** The refusal of an input that is no profile (or of a kind the caller cannot read). */
    public NotAProfileException notAProfile() {
        return new NotAProfileException(source, kind, what);
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }

    /** The kind of (decompressed) input that starts with {@code head}. */
    public static Kind kind(byte[] head) {
        int n = head.length;
        if (n == 0) {
            return Kind.EMPTY;
        }
        if (startsWith(head, "PERFILE2") || startsWith(head, "2ELIFREP")) {
            return Kind.PERF_DATA;
        }
        if (startsWith(head, "\u007fELF")) {
            return Kind.ELF;
        }
        if (startsWith(head, "\u0089PNG") || startsWith(head, "\u00ff\u00d8\u00ff") || startsWith(head, "GIF87a")
                || startsWith(head, "GIF89a")) {
            return Kind.IMAGE;
        }
        if (startsWith(head, "%PDF-") || startsWith(head, "PK\u0003\u0004") || startsWith(head, "\u00d0\u00cf\u0011\u00e0")) {
            return Kind.DOCUMENT;
        }
        String text = markup(head);
        if (text != null) {
            if (text.contains("<svg")) {
                return FlameGraphSvg.looksLikeFlameGraph(text) ? Kind.FLAME_GRAPH_SVG : Kind.IMAGE;
            }
            if (text.startsWith("<!doctype html") || text.startsWith("<html") || text.contains("<html")) {
                return Kind.HTML;
            }
        }
        switch (ProfileLoader.detect(head, n)) {
            case PPROF:
                return Kind.PPROF;
            case FOLDED:
                return Kind.FOLDED;
            case PERF_SCRIPT:
                String s = new String(head, StandardCharsets.ISO_8859_1);
                return STACK_LINE.matcher(s).find() || EVENT_LINE.matcher(s).find() ? Kind.PERF_SCRIPT : Kind.TEXT;
            case EMPTY:
                return Kind.EMPTY;
            default:
                return Kind.BINARY;
        }
    }

    /** The head as lower-case text when it starts (after a BOM and white space) with '<', else null. */
    private static String markup(byte[] head) {
        int i = 0;
        if (head.length >= 3 && (head[0] & 0xff) == 0xef && (head[1] & 0xff) == 0xbb && (head[2] & 0xff) == 0xbf) {
            i = 3;
        }
        while (i < head.length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) {
            i++;
        }
        if (i >= head.length || head[i] != '<' || Bytes.hasBinaryByte(head, head.length)) {
            return null;
        }
        return new String(head, i, head.length - i, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    private static boolean startsWith(byte[] head, String magic) {
        if (head.length < magic.length()) {
            return false;
        }
        for (int i = 0; i < magic.length(); i++) {
            if ((head[i] & 0xff) != magic.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String describe(Kind kind, byte[] head) {
        switch (kind) {
            case PPROF:
                return "a pprof profile";
            case FOLDED:
                return "folded stacks";
            case PERF_SCRIPT:
                return "perf script output";
            case FLAME_GRAPH_SVG:
                return "a flame graph (SVG)";
            case PERF_DATA:
                return "perf record's binary data (perf.data)";
            case ELF:
                return "an executable (ELF)";
            case IMAGE:
                if (startsWith(head, "\u0089PNG")) {
                    return "a PNG image";
                }
                if (startsWith(head, "GIF8")) {
                    return "a GIF image";
                }
                return head.length > 0 && (head[0] & 0xff) == 0xff ? "a JPEG image" : "an SVG image that is no flame graph";
            case DOCUMENT:
                if (startsWith(head, "%PDF-")) {
                    return "a PDF document";
                }
                return startsWith(head, "PK") ? "a ZIP archive (or an office document)" : "an office document";
            case HTML:
                return "an HTML page";
            case DIRECTORY:
                return "a directory";
            case EMPTY:
                return "empty";
            case BINARY:
                return "binary data of no profile format";
            default:
                return looksLikeJson(head) ? "JSON" : "text in none of the profile formats";
        }
    }

    /** Text that opens a JSON object ({@code {"} or {@code {}}) or array ({@code [{}, {@code [[}, {@code ["}, {@code []}). */
    private static boolean looksLikeJson(byte[] head) {
        int i = head.length >= 3 && (head[0] & 0xff) == 0xef && (head[1] & 0xff) == 0xbb && (head[2] & 0xff) == 0xbf ? 3 : 0;
        i = skipSpace(head, i);
        if (i >= head.length || (head[i] != '{' && head[i] != '[')) {
            return false;
        }
        byte open = head[i];
        i = skipSpace(head, i + 1);
        if (i >= head.length) {
            return false;
        }
        byte next = head[i];
        return open == '{' ? next == '"' || next == '}' : next == '{' || next == '[' || next == '"' || next == ']';
    }

    private static int skipSpace(byte[] head, int i) {
        while (i < head.length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) {
            i++;
        }
        return i;
    }
}
