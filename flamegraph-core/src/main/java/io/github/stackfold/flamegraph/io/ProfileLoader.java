package io.github.stackfold.flamegraph.io;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.internal.Bytes;
import io.github.stackfold.flamegraph.perfdata.PerfDataCollapser;
import io.github.stackfold.flamegraph.perfdata.PerfDataReader;
import io.github.stackfold.flamegraph.pprof.PprofOptions;
import io.github.stackfold.flamegraph.pprof.PprofReader;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;


/**
 * Opens any profile a command is given and returns its folded stacks, telling the format by content,
 * never by file name:
 *
 * <ol>
 * <li>compressed input (gzip, xz, bzip2, zstd by magic number, see {@link Inputs}) is decompressed
 *   first;
 * <li>a pprof {@code profile.proto} (binary; see {@link PprofReader#looksLikeProfile}) is read by
 *   {@link PprofReader} with the loader's {@link PprofOptions};
 * <li>text whose first lines (up to 64, {@code #} comments and blank lines skipped) mostly have the
 *   folded shape {@code frame;frame;... 42} is read as folded stacks;
 * <li>a {@code perf.data} recording (magic {@code PERFILE2}) is folded without perf by the loader's
 *   {@link PerfDataCollapser} (frames named from the recorded mappings; see there);
 * <li>any other text is {@code perf script} output, collapsed by the loader's {@link PerfScriptCollapser}
 *   ({@link PerfCollapser} with default options unless set).
 *   A line starting with white space decides this at once: perf indents its stack lines and folded
 *   stacks never start with a blank.
 * </ol>
 *
 * <p>What each format looks like at its start:
 *
 * <pre>
 * 0a 04 08 01 10 02 0a 04 08 03 10 04 12 0e ...           pprof (sample_type samples/count, cpu/nanoseconds, ...)
 * 50 45 52 46 49 4c 45 32 68 00 00 00 ...                 perf.data ("PERFILE2", header size 104; 16 in pipe mode)
 * java;start_thread;JavaThread::run 42                    folded
 * swapper;do_idle_[k] 7
 * # ========                                              perf script (a --header comment, skipped)
 * java 12345 [001] 1234.567890:    1001001 cpu-clock:     perf script event line
 *             7f3a0c1e2b44 Foo::bar+0x14 (/opt/x.so)      perf script stack line: indented
 * </pre>
 *
 * <p>Empty input and binary input that is no pprof profile are a {@link BadInputException} naming the
 * source. The loader reads a profile whole only for pprof (small); folded and perf text are streamed.
 * Instances are immutable and thread-safe when their collapser and bad-line handler are.
 */
public final class ProfileLoader {
    /** How far the format is sniffed. */
    static final int HEAD = 64 * 1024;
    private static final int MAX_LINES = 64;

    /** The formats the loader tells apart. */
    public enum Format {
        /** pprof {@code profile.proto}, raw (gzip is undone before sniffing). */
        PPROF,
        /** Folded stacks, one {@code stack count} per line. */
        FOLDED,
        /** {@code perf script} text. */
        PERF_SCRIPT,
        /** A {@code perf.data} recording (file or pipe mode, any perf, any architecture). */
        PERF_DATA,
        /** Nothing but white space. */
        EMPTY,
        /** Binary data that is not a pprof profile. */
        OTHER_BINARY
    }

    /** Collapses {@code perf script} text into folded stacks (the collapser of {@code flame collapse}). */
    @FunctionalInterface
    public interface PerfScriptCollapser {
        FoldedProfile collapse(InputStream in, String source) throws IOException;
    }

    private final PprofReader pprof;
    private final PerfScriptCollapser perf;
    private final PerfDataCollapser perfData;
    private final Consumer<BadInputException> onBadLine;

    private ProfileLoader(Builder b) {
        this.pprof = PprofReader.create(b.pprof);
        this.perf = b.perf;
        this.perfData = b.perfData;
        this.onBadLine = b.onBadLine;
    }

    /** A loader with the defaults (see {@link Builder}). */
    public static ProfileLoader create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads a file. */
    public FoldedProfile load(Path file) throws IOException {
        try (InputStream in = Inputs.openFile(file)) {
            return load(in, file.toString());
        }
    }

    /** Loads a file, or {@code stdin} (not closed) when the path is {@code -}; see {@link Inputs#open}. */
    public FoldedProfile load(Path file, InputStream stdin) throws IOException {
        try (InputStream in = Inputs.open(file, stdin)) {
            return load(in, Inputs.sourceName(file));
        }
    }

    /** Loads a stream (standard input, say), which is read to its end but not closed. */
    public FoldedProfile load(InputStream in, String source) throws IOException {
        Objects.requireNonNull(source, "source");
        BufferedInputStream data = sniffable(in);
        byte[] head = peek(data);
        Format format = detect(head, head.length);
        switch (format) {
            case PPROF:
                return pprof.read(data, source).folded();
            case FOLDED:
                return FoldedProfile.read(data, source, onBadLine);
            case PERF_SCRIPT:
                return perf.collapse(data, source);
            case PERF_DATA:
                return perfData.collapse(data, source).profile();
            case EMPTY:
                throw new BadInputException(source,
                        "empty input: expected a pprof profile, folded stacks or perf script output");
            default:
                throw new BadInputException(source, binaryHint(head));
        }
    }

    /**
     * The format of (decompressed) data from its first bytes; 64 kB are plenty. Compressed data is
     * {@link Format#OTHER_BINARY} here: {@link #load} decompresses before it looks.
     */
    public static Format detect(byte[] head, int length) {
        // text is told from binary first: a pprof profile is binary, and the pprof check scanned the
        // whole 64 kB head of every text input for a control byte again (~2.5 ms, interpreted, of
        // every short run)
        if (PerfDataReader.looksLikePerfData(java.util.Arrays.copyOf(head, Math.min(length, 8)))) {
            return Format.PERF_DATA;
        }
        if (Bytes.hasBinaryByte(head, length)) {
            return PprofReader.looksLikeProfile(head, length) ? Format.PPROF : Format.OTHER_BINARY;
        }
        int lines = 0;
        int folded = 0;
        int partial = -1;
        int i = 0;
        while (i < length && lines < MAX_LINES) {
            int eol = i;
            while (eol < length && head[eol] != '\n') {
                eol++;
            }
            boolean complete = eol < length;
            int end = eol;
            while (end > i && (head[end - 1] == '\r' || head[end - 1] == ' ' || head[end - 1] == '\t')) {
                end--;
            }
            if (end > i && head[i] != '#') {
                if (head[i] == ' ' || head[i] == '\t') {
                    return Format.PERF_SCRIPT;
                }
                if (complete) {
                    if (isFoldedLine(head, i, end)) {
                        folded++;
                    }
                    lines++;
                } else {
                    partial = i;
                }
            }
            i = eol + 1;
        }
        if (lines > 0) {
            // a malformed line or two do not make folded text perf text (they are reported as such)
            return folded * 2 > lines ? Format.FOLDED : Format.PERF_SCRIPT;
        }
        if (partial >= 0) {
            // one line longer than the head (or no final newline): a deep folded stack, or perf text
            return isFoldedLine(head, partial, trimEnd(head, partial, length)) || length == HEAD
                    ? Format.FOLDED : Format.PERF_SCRIPT;
        }
        return Format.EMPTY;
    }

    private static int trimEnd(byte[] b, int from, int end) {
        while (end > from && (b[end - 1] == '\r' || b[end - 1] == ' ' || b[end - 1] == '\t')) {
            end--;
        }
        return end;
    }

    /**
     * {@code STACK COUNT}: a count of 1 to 18 digits (and, as flamegraph.pl reads, maybe a fraction:
     * {@code 0.25}, {@code 3.}) after white space, something before it.
     */
    private static boolean isFoldedLine(byte[] b, int from, int end) {
        int d = end;
        while (d > from && b[d - 1] >= '0' && b[d - 1] <= '9') {
            d--;
        }
        if (d > from && b[d - 1] == '.') {
            end = d - 1; // the fraction: the integer part is what must be there
            d = end;
            while (d > from && b[d - 1] >= '0' && b[d - 1] <= '9') {
                d--;
            }
        }
        int digits = end - d;
        if (digits == 0 || digits > 18 || d == from || (b[d - 1] != ' ' && b[d - 1] != '\t')) {
            return false;
        }
        int stackEnd = d;
        while (stackEnd > from && (b[stackEnd - 1] == ' ' || b[stackEnd - 1] == '\t')) {
            stackEnd--;
        }
        return stackEnd > from;
    }

    private static String binaryHint(byte[] head) {
        String start = new String(head, 0, Math.min(8, head.length), StandardCharsets.ISO_8859_1);
        if (start.startsWith("PERFFILE")) {
            return "a perf.data file of the version 1 format (perf before 2.6.37), which is not read";
        }
        if (start.startsWith("\u007fELF")) {
            return "this is an executable (ELF), not a profile";
        }
        return "binary data that is not a pprof profile: expected a pprof profile, folded stacks or perf script output";
    }

    /**
     * {@code in} decompressed by content ({@link Inputs#decompress}) and buffered so that
     * {@link #detect(BufferedInputStream)} can look at its start: for commands that keep their own
     * reading of some formats and hand the rest to a loader.
     */
    public static BufferedInputStream sniffable(InputStream in) throws IOException {
        InputStream d = Inputs.decompress(in);
        return d instanceof BufferedInputStream ? (BufferedInputStream) d : new BufferedInputStream(d, HEAD);
    }

    /** The format of a {@link #sniffable} stream, which is left where it was. */
    public static Format detect(BufferedInputStream in) throws IOException {
        byte[] head = peek(in);
        return detect(head, head.length);
    }

    /**
     * Whether the start of {@code in} (from {@link #sniffable}; left where it was) has a line that
     * starts with a blank: a stack line, the sure sign of perf script text. {@link #detect} also calls
     * text perf script when it is merely not folded (the collapser then says what is wrong); a reader
     * of folded text that must treat garbage as garbage (flamegraph.pl draws "no valid input") asks
     * this too.
     */
    public static boolean hasStackLines(BufferedInputStream in) throws IOException {
        byte[] head = peek(in);
        for (int i = 0; i < head.length; i++) {
            if ((i == 0 || head[i - 1] == '\n') && (head[i] == ' ' || head[i] == '\t')) {
                int j = i;
                while (j < head.length && (head[j] == ' ' || head[j] == '\t')) {
                    j++;
                }
                if (j < head.length && head[j] != '\n' && head[j] != '\r') {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] peek(BufferedInputStream in) throws IOException {
        in.mark(HEAD);
        byte[] head = in.readNBytes(HEAD);
        in.reset();
        return head;
    }

    /** Builds a {@link ProfileLoader}. */
    public static final class Builder {
        private PprofOptions pprof = PprofOptions.defaults();
        private PerfScriptCollapser perf = PerfCollapser.create(CollapseOptions.defaults())::collapse;
        private PerfDataCollapser perfData = PerfDataCollapser.builder().build();
        private Consumer<BadInputException> onBadLine = e -> {
            throw e;
        };

        private Builder() {
        }

        /** How pprof profiles are read; default {@link PprofOptions#defaults()} (CPU nanoseconds). */
        public Builder pprof(PprofOptions options) {
            this.pprof = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * How {@code perf script} text is collapsed; default {@link PerfCollapser} with
         * {@link CollapseOptions#defaults()} (stackcollapse-perf.pl's defaults).
         */
        public Builder perfScript(PerfScriptCollapser collapser) {
            this.perf = Objects.requireNonNull(collapser, "collapser");
            return this;
        }

        /**
         * How {@code perf.data} recordings are folded; default {@link PerfDataCollapser} with its
         * defaults (Go frames named from .gopclntab, kernel frames from this host's kallsyms when the
         * recording was made here).
         */
        public Builder perfData(PerfDataCollapser collapser) {
            this.perfData = Objects.requireNonNull(collapser, "collapser");
            return this;
        }

        /**
         * Receives each malformed line of folded input; default: the first one is thrown. (perf text
         * reports its bad lines through its collapser.)
         */
        public Builder onBadLine(Consumer<BadInputException> handler) {
            this.onBadLine = Objects.requireNonNull(handler, "handler");
            return this;
        }

        public ProfileLoader build() {
            return new ProfileLoader(this);
        }
    }
}
