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

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;


/**
 * Reads any profile a command is given into folded stacks: {@link #load(ProfileInput)} switches on what
 * {@link ProfileInput} found the input to be (pprof, folded, perf script text, a flame graph SVG) and
 * refuses the rest ({@link NotAProfileException}). How the text formats are told apart
 * ({@link #detect(byte[], int)}, used by {@link ProfileInput#kind(byte[])}):
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
 * <p>Empty input, binary input that is no pprof profile and text of no profile format are a
 * {@link NotAProfileException} naming the source. The loader reads a profile whole only for pprof (small); folded and perf text are streamed.
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
    private final Consumer<String> onWarning;

    private ProfileLoader(Builder b) {
        this.pprof = PprofReader.create(b.pprof);
        this.perf = b.perf;
        this.perfData = b.perfData;
        this.onBadLine = b.onBadLine;
        this.onWarning = b.onWarning;
    }

    /** A loader with the defaults (see {@link Builder}). */
    public static ProfileLoader create() {
        return builder().build();
    }

    /** A builder for a loader with other pprof options, collapsers or handlers of bad lines and warnings. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads a file.
     *
     * @throws NotAProfileException when the file (a directory, say) is no profile: the message names it
     * @throws BadInputException when the profile is damaged: the message names the file and the line or byte
     * @throws java.nio.file.NoSuchFileException when it does not exist (other I/O failures likewise)
     */
    public FoldedProfile load(Path file) throws IOException {
        try (ProfileInput in = ProfileInput.open(file)) {
            return load(in);
        }
    }

    /** Loads a file, or {@code stdin} (not closed) when the path is {@code -}; see {@link ProfileInput#open}. */
    public FoldedProfile load(Path file, InputStream stdin) throws IOException {
        try (ProfileInput in = ProfileInput.open(file.toString(), stdin)) {
            return load(in);
        }
    }

    /** Loads a stream (standard input, say), which is read to its end but not closed. */
    public FoldedProfile load(InputStream in, String source) throws IOException {
        Objects.requireNonNull(source, "source");
        return load(ProfileInput.of(in, source));
    }

    /**
     * Loads an opened input: the one place that reads each kind of profile. Anything that is no
     * profile is its {@link ProfileInput#notAProfile()}.
     */
    public FoldedProfile load(ProfileInput in) throws IOException {
        switch (in.kind()) {
            case PPROF:
                return pprof.read(in.stream(), in.source()).folded();
            case FOLDED:
                return FoldedProfile.read(in.stream(), in.source(), onBadLine);
            case PERF_SCRIPT:
                return perf.collapse(in.stream(), in.source());
            case FLAME_GRAPH_SVG:
                return FlameGraphSvg.read(in.stream(), in.source(), onWarning);
            case PERF_DATA: {
                PerfDataCollapser.Result r = perfData.collapse(in.stream(), in.source());
                if (r.info().cut()) {
                    onWarning.accept(in.source() + ": " + r.info().cutMessage());
                }
                return r.profile();
            }
            default:
                throw in.notAProfile();
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

    /** Builds a {@link ProfileLoader}. */
    public static final class Builder {
        private PprofOptions pprof = PprofOptions.defaults();
        private PerfScriptCollapser perf = PerfCollapser.create(CollapseOptions.defaults())::collapse;
        private PerfDataCollapser perfData = PerfDataCollapser.builder().build();
        private Consumer<BadInputException> onBadLine = e -> {
            throw e;
        };
        private Consumer<String> onWarning = w -> { };

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

        /**
         * Receives warnings about input that was read all the same (a flame graph SVG whose stacks do
         * not add up to its root, a perf.data whose perf was killed before it finished the file); default: none.
         */
        public Builder onWarning(Consumer<String> handler) {
            this.onWarning = Objects.requireNonNull(handler, "handler");
            return this;
        }

        public ProfileLoader build() {
            return new ProfileLoader(this);
        }
    }
}
