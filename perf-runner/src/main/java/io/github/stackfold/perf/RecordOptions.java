package io.github.stackfold.perf;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.FrameSymbolizer;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * What {@link PerfRecorder} records and how. Immutable; made by {@link #builder()}.
 *
 * <table>
 * <caption>Options and their defaults</caption>
 * <tr><th>option</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@link Builder#pid}</td><td>0: find by name</td><td>the PID to record, as perf on the target sees it</td></tr>
 * <tr><td>{@link Builder#processName}</td><td>{@code kube-apiserver}</td><td>the name to find when no PID
 *     is given (see {@link ProcessFinder}); also the output file name</td></tr>
 * <tr><td>{@link Builder#procRoot}</td><td>{@code /proc}</td><td>where local and nsenter targets look for processes</td></tr>
 * <tr><td>{@link Builder#duration}</td><td>30 s</td><td>how long to record ({@code sleep SECONDS})</td></tr>
 * <tr><td>{@link Builder#frequency}</td><td>99</td><td>samples per second ({@code -F}); 99 avoids lockstep
 *     with 100 Hz timers</td></tr>
 * <tr><td>{@link Builder#callGraph}</td><td>{@link CallGraph#FP}</td><td>stack walking ({@code -g})</td></tr>
 * <tr><td>{@link Builder#event}</td><td>{@code cpu-clock}</td><td>the sampled event ({@code -e}). The
 *     software timer works everywhere, including VMs and containers without hardware counters, where
 *     perf's default {@code cycles} fails or silently falls back; choose {@code cycles} on bare metal
 *     for hardware-precise samples</td></tr>
 * <tr><td>{@link Builder#target}</td><td>{@link ExecTarget#local()}</td><td>where perf runs</td></tr>
 * <tr><td>{@link Builder#stream}</td><td>true</td><td>perf script reads perf record's output while it
 *     records ({@code perf record -o - | perf script -i -}, the pipe through this JVM): perf script loads
 *     its symbols and the samples are folded during the recording, so the profile is ready moments
 *     after perf record ends instead of after a whole perf script pass over perf.data. Local and
 *     nsenter targets; a kubectl target always records to a file in the pod (the data would otherwise
 *     cross the API server twice). Also off when the {@link RecordListener} writes a JIT symbol map
 *     after the recording ({@link RecordListener#writesSymbolMap}): perf script reads
 *     {@code /tmp/perf-PID.map} at the first sample that needs it</td></tr>
 * <tr><td>{@link Builder#keep}</td><td>false</td><td>keep perf.data and the perf script text in the output directory</td></tr>
 * <tr><td>{@link Builder#outputDir}</td><td>{@code results}</td><td>where results (and kept files) go</td></tr>
 * <tr><td>{@link Builder#collapse}</td><td>{@link CollapseOptions#defaults()} on one thread</td><td>how perf script output is folded
 * (one thread: perf script's output rate, not the fold, sets the pace, and more folding threads only
 * compete with perf script for the cores)</td></tr>
 * <tr><td>{@link Builder#symbolizer}</td><td>none</td><td>names {@code [unknown]} frames; made from the
 *     found process (its PID and /proc/PID/exe) once it is known</td></tr>
 * <tr><td>{@link Builder#goSymbols}</td><td>true</td><td>when no {@link Builder#symbolizer} is set, name
 *     the frames of stripped Go binaries from their {@code .gopclntab}, read through
 *     {@code PROCROOT/PID/exe} or {@code PROCROOT/PID/root/PATH} (local and nsenter targets); for a
 *     kubectl target, from the parts of the pod's {@code /proc/PID/exe} that naming needs, fetched with
 *     {@code dd} (else {@code tail | head}) through {@code kubectl exec} and kept in {@link Builder#binaryCache}</td></tr>
 * <tr><td>{@link Builder#binaryCache}</td><td>{@code ~/.cache/stackfold/buildid}</td><td>partial copies of
 *     kubectl targets' binaries, by build-id: a second recording of the same binary fetches its first 4 KiB only</td></tr>
 * <tr><td>{@link Builder#inlineGo}</td><td>false</td><td>with goSymbols: expand the calls the Go compiler
 *     inlined, marked {@code _[i]}</td></tr>
 * <tr><td>{@link Builder#flameGraph}</td><td>flamegraph.pl's defaults, a subtitle naming process,
 *     PID, event, frequency and duration, and counts named after the event's unit ({@code ns} for
 *     {@code cpu-clock} and {@code task-clock}, whose sample weights are nanoseconds)</td><td>how
 *     {@code flame.svg} is drawn</td></tr>
 * <tr><td>{@link Builder#perfCommand}</td><td>{@code perf}</td><td>the perf program on the target</td></tr>
 * <tr><td>{@link Builder#commandTimeout}</td><td>30 s</td><td>limit for each helper command (mktemp, cat,
 *     rm, the finder's commands in a pod)</td></tr>
 * <tr><td>{@link Builder#scriptTimeout}</td><td>10 min</td><td>limit for perf script; perf record's
 *     limit is the duration plus one minute</td></tr>
 * </table>
 */
public final class RecordOptions extends Settings<RecordOptions.Builder> {
    private RecordOptions(Builder b) {
        super(b);
    }

    /** A builder holding the defaults of the table above. */
    public static Builder builder() {
        return new Builder();
    }

    public long pid() {
        return values.pid;
    }

    public String processName() {
        return values.processName;
    }

    public Path procRoot() {
        return values.procRoot;
    }

    public Duration duration() {
        return values.duration;
    }

    public int frequency() {
        return values.frequency;
    }

    public CallGraph callGraph() {
        return values.callGraph;
    }

    public String event() {
        return values.event;
    }

    public ExecTarget target() {
        return values.target;
    }

    public boolean stream() {
        return values.stream;
    }

    public boolean keep() {
        return values.keep;
    }

    public Path outputDir() {
        return values.outputDir;
    }

    public CollapseOptions collapse() {
        return values.collapse;
    }

    /** The symbolizer factory, or null. */
    public Function<FoundProcess, FrameSymbolizer> symbolizer() {
        return values.symbolizer;
    }

    /** Whether stripped Go frames are named when no symbolizer is set. */
    public boolean goSymbols() {
        return values.goSymbols;
    }

    /** Whether inlined Go calls are expanded (with goSymbols). */
    public boolean inlineGo() {
        return values.inlineGo;
    }

    /** Where partial copies of a kubectl target's binaries are kept by build-id, or null for none. */
    public Path binaryCache() {
        return values.binaryCache;
    }

    /** The flame graph options, or null for the defaults described above. */
    public FlameGraphOptions flameGraph() {
        return values.flameGraph;
    }

    public String perfCommand() {
        return values.perfCommand;
    }

    public Duration commandTimeout() {
        return values.commandTimeout;
    }

    public Duration scriptTimeout() {
        return values.scriptTimeout;
    }

    /**
     * Builds {@link RecordOptions}; every setter checks its argument at once. The options keep a copy
     * of their builder (see {@link Settings}).
     */
    public static final class Builder extends Settings.Values<Builder> {
        private long pid;
        private String processName = "kube-apiserver";
        private Path procRoot = Path.of("/proc");
        private Duration duration = Duration.ofSeconds(30);
        private int frequency = 99;
        private CallGraph callGraph = CallGraph.FP;
        private String event = "cpu-clock";
        private ExecTarget target = ExecTarget.local();
        private boolean stream = true;
        private boolean keep;
        private Path outputDir = Path.of("results");
        private CollapseOptions collapse = CollapseOptions.builder().threads(1).build();
        private Function<FoundProcess, FrameSymbolizer> symbolizer;
        private boolean goSymbols = true;
        private boolean inlineGo;
        private Path binaryCache = io.github.stackfold.flamegraph.symbolize.PartialBinary.defaultCache();
        private FlameGraphOptions flameGraph;
        private String perfCommand = "perf";
        private Duration commandTimeout = Duration.ofSeconds(30);
        private Duration scriptTimeout = Duration.ofMinutes(10);

        private Builder() {
        }

        /** The PID to record (0: find the process by {@link #processName}). */
        public Builder pid(long pid) {
            if (pid < 0) {
                throw new IllegalArgumentException("PID must be positive, got " + pid);
            }
            this.pid = pid;
            return this;
        }

        public Builder processName(String processName) {
            Objects.requireNonNull(processName, "processName");
            if (processName.isEmpty() || processName.indexOf('/') >= 0) {
                throw new IllegalArgumentException("not a process name: '" + processName + "'");
            }
            this.processName = processName;
            return this;
        }

        public Builder procRoot(Path procRoot) {
            this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
            return this;
        }

        /** How long to record: at least 10 ms, at most a day. */
        public Builder duration(Duration duration) {
            Objects.requireNonNull(duration, "duration");
            if (duration.toMillis() < 10 || duration.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("duration must be between 10ms and 24h, got " + duration);
            }
            this.duration = duration;
            return this;
        }

        public Builder frequency(int frequency) {
            this.frequency = between(frequency, 1, 100_000, "frequency (Hz)");
            return this;
        }

        public Builder callGraph(CallGraph callGraph) {
            this.callGraph = Objects.requireNonNull(callGraph, "callGraph");
            return this;
        }

        /** The perf event ({@code cpu-clock}, {@code cycles}, {@code task-clock}, ...). */
        public Builder event(String event) {
            Objects.requireNonNull(event, "event");
            if (event.isEmpty() || event.startsWith("-") || event.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("not a perf event: '" + event + "'");
            }
            this.event = event;
            return this;
        }

        public Builder target(ExecTarget target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /** Pipe perf record into perf script while recording (default true; see the class comment). */
        public Builder stream(boolean stream) {
            this.stream = stream;
            return this;
        }

        public Builder keep(boolean keep) {
            this.keep = keep;
            return this;
        }

        public Builder outputDir(Path outputDir) {
            this.outputDir = Objects.requireNonNull(outputDir, "outputDir");
            return this;
        }

        /** How perf script output is folded (its symbolizer is replaced by {@link #symbolizer} if set). */
        public Builder collapse(CollapseOptions collapse) {
            this.collapse = Objects.requireNonNull(collapse, "collapse");
            return this;
        }

        /**
         * Names {@code [unknown]} frames. The factory gets the found process (its PID, and
         * {@link FoundProcess#exe()}, readable on this machine as {@code /proc/PID/exe} for local and
         * nsenter targets) as soon as the process is found, before perf record starts (so it can read
         * what it needs while the process runs: one may exit during the recording); it may return null
         * for none.
         */
        public Builder symbolizer(Function<FoundProcess, FrameSymbolizer> factory) {
            this.symbolizer = factory;
            return this;
        }

        /** A symbolizer that does not depend on the process. */
        public Builder symbolizer(FrameSymbolizer symbolizer) {
            this.symbolizer = symbolizer == null ? null : p -> symbolizer;
            return this;
        }

        /** Name stripped Go frames from the binary's {@code .gopclntab} when no symbolizer is set (default true). */
        public Builder goSymbols(boolean goSymbols) {
            this.goSymbols = goSymbols;
            return this;
        }

        /** With goSymbols: expand inlined Go calls, marked {@code _[i]} (default false). */
        public Builder inlineGo(boolean inlineGo) {
            this.inlineGo = inlineGo;
            return this;
        }

        /**
         * With goSymbols and a kubectl target: where the parts of the target's binary that name its frames
         * are kept, by build-id, once fetched through {@code kubectl exec} (default
         * {@link io.github.stackfold.flamegraph.symbolize.PartialBinary#defaultCache()}; null: frames of a
         * kubectl target stay unnamed).
         */
        public Builder binaryCache(Path binaryCache) {
            this.binaryCache = binaryCache;
            return this;
        }

        /** How {@code flame.svg} is drawn (null: the defaults described in the class comment). */
        public Builder flameGraph(FlameGraphOptions flameGraph) {
            this.flameGraph = flameGraph;
            return this;
        }

        public Builder perfCommand(String perfCommand) {
            Objects.requireNonNull(perfCommand, "perfCommand");
            if (perfCommand.isEmpty()) {
                throw new IllegalArgumentException("perf command is empty");
            }
            this.perfCommand = perfCommand;
            return this;
        }

        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = positive(commandTimeout, "commandTimeout");
            return this;
        }

        public Builder scriptTimeout(Duration scriptTimeout) {
            this.scriptTimeout = positive(scriptTimeout, "scriptTimeout");
            return this;
        }

        public RecordOptions build() {
            return new RecordOptions(this);
        }
    }
}
