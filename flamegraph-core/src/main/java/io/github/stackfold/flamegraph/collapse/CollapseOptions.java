package io.github.stackfold.flamegraph.collapse;

import java.util.Objects;

/**
 * How {@link PerfCollapser} folds {@code perf script} output. Immutable; made by {@link #builder()}.
 * The flags mean what the flags of the same name of FlameGraph's {@code stackcollapse-perf.pl} mean,
 * and with the same flags the output is byte-identical to that script's.
 *
 * <table>
 * <caption>Options and their defaults</caption>
 * <tr><th>option</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@link Builder#pid}</td><td>false</td><td>process name becomes {@code comm-PID} ({@code comm-?}
 *     when perf printed no pid)</td></tr>
 * <tr><td>{@link Builder#tid}</td><td>false</td><td>process name becomes {@code comm-PID/TID}; wins over pid</td></tr>
 * <tr><td>{@link Builder#kernel}</td><td>false</td><td>append {@code _[k]} to kernel frames (module
 *     {@code [...]} or {@code ...vmlinux})</td></tr>
 * <tr><td>{@link Builder#jit}</td><td>false</td><td>append {@code _[j]} to frames from {@code /tmp/perf-PID.map}</td></tr>
 * <tr><td>{@link Builder#all}</td><td>false</td><td>both kernel and jit</td></tr>
 * <tr><td>{@link Builder#addrs}</td><td>false</td><td>unknown frames become {@code [module <addr>]}
 *     instead of {@code [module]}</td></tr>
 * <tr><td>{@link Builder#eventFilter}</td><td>null: the first event type in the input</td><td>keep only
 *     samples of this event (e.g. {@code cycles}); others are dropped and counted</td></tr>
 * <tr><td>{@link Builder#srcline}</td><td>false</td><td>the input is {@code perf script -F+srcline}
 *     output: each named frame reads the line after its stack line and becomes {@code func:file.c:12}</td></tr>
 * <tr><td>{@link Builder#inline}</td><td>false</td><td>frames of user-space modules are expanded into the
 *     functions inlined at the address, by {@code addr2line -a PC -e MODULE -i -f -s -C} (with a
 *     fallback through {@code nm} for {@code func+0xOFF}); folds on one thread</td></tr>
 * <tr><td>{@link Builder#context}</td><td>false</td><td>with inline: each expanded frame becomes
 *     {@code func:file.c:12}</td></tr>
 * <tr><td>{@link Builder#threads}</td><td>number of cores</td><td>threads folding one input in parallel
 *     (same output as 1)</td></tr>
 * <tr><td>{@link Builder#symbolizer}</td><td>null: none</td><td>names {@code [unknown]} frames that have
 *     a module (see {@link FrameSymbolizer})</td></tr>
 * <tr><td>{@link Builder#countSamples}</td><td>false: weights are perf's periods, as stackcollapse-perf.pl
 *     sums them</td><td>each sample weighs 1 (counts = samples); the periods' sum is still kept in the
 *     profile's {@link io.github.stackfold.flamegraph.folded.ProfileMeta} (the CPU time of a cpu-clock
 *     recording). For the folded files stackfold writes itself, not for output meant to equal the script's</td></tr>
 * <tr><td>{@link Builder#listener}</td><td>{@link CollapseListener#IGNORE}</td><td>receives bad lines
 *     and the final {@link CollapseStats}</td></tr>
 * <tr><td>{@link Builder#maxBadLineReports}</td><td>10</td><td>bad lines passed to the listener one by
 *     one; all are counted</td></tr>
 * <tr><td>{@link Builder#chunkBytes}</td><td>1 MiB</td><td>size of the pieces an input is split into
 *     for parallel folding</td></tr>
 * </table>
 */
public final class CollapseOptions {
    /** The settings: a copy of the builder's, made when built, so that later changes to the builder do not reach them. */
    private final Builder settings;

    private CollapseOptions(Builder settings) {
        this.settings = settings;
    }

    /** Options with every default. */
    public static CollapseOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        return settings.copy();
    }

    public boolean pid() {
        return settings.pid;
    }

    public boolean tid() {
        return settings.tid;
    }

    /** Whether kernel frames get {@code _[k]} (set by kernel or all). */
    public boolean kernel() {
        return settings.kernel || settings.all;
    }

    /** Whether JIT frames get {@code _[j]} (set by jit or all). */
    public boolean jit() {
        return settings.jit || settings.all;
    }

    public boolean addrs() {
        return settings.addrs;
    }

    /** The event to keep as a raw string, or {@code null} for "the first event in the input". */
    public String eventFilter() {
        String e = settings.eventFilter;
        return e == null || e.isEmpty() ? null : e;
    }

    /** Whether the input has a source line after each stack line ({@code perf script -F+srcline}). */
    public boolean srcline() {
        return settings.srcline;
    }

    /** Whether frames are expanded into inlined functions by {@code addr2line}. */
    public boolean inline() {
        return settings.inline;
    }

    /** Whether inlined functions (of {@link #inline()}) carry their source file and line. */
    public boolean context() {
        return settings.context;
    }

    public int threads() {
        return settings.threads;
    }

    /** The symbolizer, or {@code null}. */
    public FrameSymbolizer symbolizer() {
        return settings.symbolizer;
    }

    public CollapseListener listener() {
        return settings.listener;
    }

    public int maxBadLineReports() {
        return settings.maxBadLineReports;
    }

    public int chunkBytes() {
        return settings.chunkBytes;
    }

    /** Whether each sample weighs 1 instead of its period. */
    public boolean countSamples() {
        return settings.countSamples;
    }

    /** Makes {@link CollapseOptions}; every setter documents its default. */
    public static final class Builder implements Cloneable {
        private boolean pid;
        private boolean tid;
        private boolean kernel;
        private boolean jit;
        private boolean all;
        private boolean addrs;
        private String eventFilter;
        private boolean srcline;
        private boolean inline;
        private boolean context;
        private int threads = Runtime.getRuntime().availableProcessors();
        private FrameSymbolizer symbolizer;
        private CollapseListener listener = CollapseListener.IGNORE;
        private int maxBadLineReports = 10;
        private int chunkBytes = 1 << 20;
        private boolean countSamples;

        private Builder() {
        }

        /** Include the process id in the process name ({@code --pid}). Default false. */
        public Builder pid(boolean pid) {
            this.pid = pid;
            return this;
        }

        /** Include process and thread id in the process name ({@code --tid}). Default false. */
        public Builder tid(boolean tid) {
            this.tid = tid;
            return this;
        }

        /** Annotate kernel frames with {@code _[k]} ({@code --kernel}). Default false. */
        public Builder kernel(boolean kernel) {
            this.kernel = kernel;
            return this;
        }

        /** Annotate JIT frames ({@code /tmp/perf-PID.map}) with {@code _[j]} ({@code --jit}). Default false. */
        public Builder jit(boolean jit) {
            this.jit = jit;
            return this;
        }

        /** All annotations: kernel and jit ({@code --all}). Default false. */
        public Builder all(boolean all) {
            this.all = all;
            return this;
        }

        /** Keep the address of frames with no symbol: {@code [module <addr>]} ({@code --addrs}). Default false. */
        public Builder addrs(boolean addrs) {
            this.addrs = addrs;
            return this;
        }

        /**
         * Keep only samples of this event, as perf names it (e.g. {@code cycles}, {@code cpu-clock:uhH}),
         * as a raw string ({@code --event-filter}). Default {@code null}: the first event type seen.
         */
        public Builder eventFilter(String eventFilter) {
            this.eventFilter = eventFilter;
            return this;
        }

        /**
         * The input is {@code perf script -F+srcline} output ({@code --srcline}): the line after each
         * stack line is its source location ({@code   inl.c:8}, {@code   libc.so.6[27b25]}), and each
         * frame of the stack line that is not {@code [unknown]} in an unknown module reads one such
         * line, drops {@code [...]} from it and, when something is left, becomes
         * {@code hash_block:inl.c:8}. As in stackcollapse-perf.pl the line is read whatever it
         * holds. Folds on one thread. Default false.
         */
        public Builder srcline(boolean srcline) {
            this.srcline = srcline;
            return this;
        }

        /**
         * Expands frames into the functions inlined at their address ({@code --inline}): for a stack
         * line whose module is not the kernel, a {@code [module]} or a {@code perf-PID.map}, runs
         * {@code addr2line -a PC -e MODULE -i -f -s -C} (the module path as perf printed it), and when
         * that finds nothing and the symbol is {@code func+0xOFF}, looks {@code func} up in
         * {@code nm MODULE} and asks again for its address plus OFF. The frames found, outermost first,
         * replace the line's frame as they are (not tidied, not annotated); when none is found the
         * frame is named as without this option. Results are cached per address and module. Runs
         * processes, so folds on one thread; where addr2line or nm is missing nothing is expanded.
         * Default false.
         */
        public Builder inline(boolean inline) {
            this.inline = inline;
            return this;
        }

        /** With inline, each expanded frame carries its source location: {@code mix:inl.c:10} ({@code --context}). Default false. */
        public Builder context(boolean context) {
            this.context = context;
            return this;
        }

        /** Threads folding one input ({@code --threads}); 1 folds on the calling thread. Default: cores. */
        public Builder threads(int threads) {
            this.threads = atLeast(1, threads, "threads must be at least 1");
            return this;
        }

        /** Names {@code [unknown]} frames that have a module. Default {@code null}: none. */
        public Builder symbolizer(FrameSymbolizer symbolizer) {
            this.symbolizer = symbolizer;
            return this;
        }

        /** Receives bad lines and the final statistics. Default: {@link CollapseListener#IGNORE}. */
        public Builder listener(CollapseListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** How many bad lines are passed to the listener one by one (all are counted). Default 10. */
        public Builder maxBadLineReports(int max) {
            this.maxBadLineReports = atLeast(0, max, "maxBadLineReports must not be negative");
            return this;
        }

        /** Size of the pieces one input is split into for parallel folding. Default 1 MiB. */
        public Builder chunkBytes(int chunkBytes) {
            this.chunkBytes = atLeast(1, chunkBytes, "chunkBytes must be positive");
            return this;
        }

        /** Each sample weighs 1 (counts = samples) instead of its period. Default false. */
        public Builder countSamples(boolean countSamples) {
            this.countSamples = countSamples;
            return this;
        }

        public CollapseOptions build() {
            return new CollapseOptions(copy());
        }

        private Builder copy() {
            try {
                return (Builder) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        /** {@code value} when it is at least {@code min}; else an IllegalArgumentException saying {@code rule}: value. */
        private static int atLeast(int min, int value, String rule) {
            if (value < min) {
                throw new IllegalArgumentException(rule + ": " + value);
            }
            return value;
        }
    }
}
