package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.perf.CallGraph;
import io.github.stackfold.perf.FoundProcess;
import io.github.stackfold.perf.PerfRecorder;
import io.github.stackfold.perf.RecordListener;
import io.github.stackfold.perf.RecordOptions;
import io.github.stackfold.perf.Recording;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code flame record}: steps 3 and 4 of the lab in one go. Translates flags into
 * {@link RecordOptions}, turns SIGINT/SIGTERM into {@link PerfRecorder#stop()}, shows progress on a
 * terminal, and writes {@code DIR/NAME.folded} (and the SVG).
 */
@Command(name = "record", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        header = "Record a running process with perf and draw it.",
        description = {"Records a running process with perf (perf record -g -p PID -- sleep SECS), streams"
                + " 'perf script' into the collapser and writes DIR/NAME.folded and DIR/flame.svg. perf runs here,"
                + " in another process's namespaces (--via nsenter) or in a pod (--via kubectl). Ctrl-C or SIGTERM"
                + " stops early; what was recorded is still written."},
        footer = {"", "Exit codes: 0 ok; 2 no samples; 3 perf, nsenter or kubectl missing; 4 not permitted"
                + " (perf_event_paranoid, capabilities); 5 no such process (or no such debug pod), several of that name, or it exited while"
                + " recording (what was recorded is written); 6 a file could not be written; 64 wrong command line;"
                + " 130 interrupted (what was recorded is written)."})
public class RecordCommand implements Callable<Integer> {
    @ParentCommand
    FlameCli flame;

    @Spec
    CommandSpec spec;

    @Mixin
    TargetFlags target;

    @Mixin
    RecordingFlags recording;

    @Option(names = "--call-graph", paramLabel = "MODE", defaultValue = "fp",
            description = "fp (frame pointers, -g), dwarf or lbr (default: ${DEFAULT-VALUE}).")
    CallGraph callGraph;

    @Option(names = "--event", paramLabel = "EVENT", defaultValue = "cpu-clock",
            description = "The perf event (default: ${DEFAULT-VALUE}, a software timer that works in VMs and"
                    + " containers; 'cycles' needs hardware counters).")
    String event;

    @Option(names = "--no-symbolize", description = "Leave the frames of stripped Go binaries [unknown]. By default they"
            + " are named from the binary's Go symbol table, read through /proc/PID; with --via kubectl from the parts"
            + " of the pod's /proc/PID/exe that naming needs, fetched through kubectl exec and kept by build-id in"
            + " ~/.cache/stackfold/buildid (a second recording of the same binary fetches 4 KB).")
    boolean noSymbolize;

    @Option(names = "--inline-go", description = "Also expand the calls the Go compiler inlined, marked _[i].")
    boolean inlineGo;

    @Option(names = "--command-timeout", paramLabel = "TIME", converter = DurationConverter.class,
            description = "The deadline of each command besides the recording (finding the process, perf --version,"
                    + " mktemp, reading /proc through kubectl or nsenter; default 30s): one that hangs, as kubectl does when"
                    + " the cluster does not answer, is stopped and named.")
    Duration commandTimeout;

    @Option(names = "--keep", description = "Keep perf.data and the perf script text in the output directory"
            + " (perf.data in perf's pipe format unless --no-stream; perf script and perf report read both). A recording"
            + " without samples leaves no empty perf script text; the error names what was kept.")
    boolean keep;

    @Option(names = "--no-stream", description = "Run perf script after perf record, on the whole perf.data (by"
            + " default perf script reads perf record's output while it records, and the profile is ready as perf"
            + " record ends; --via kubectl always works this way). For a JIT that writes /tmp/perf-PID.map during"
            + " the recording: perf script reads the map at the first sample that needs it.")
    boolean noStream;

    @Mixin
    OutputDirFlag outputDir;

    @Override
    public Integer call() throws IOException {
        // before the recording: a directory the results cannot go to is refused, not found out after it
        AtomicOutput.requireWritableDirectory(outputDir.dir);
        PerfRecorder recorder = PerfRecorder.create(options());
        PrintWriter err = flame.stderr();
        Progress progress = new Progress(err, System.console() != null);
        Recording r;
        try (Signals ignored = Signals.onInterrupt(recorder::stop)) {
            r = recorder.record(progress);
        } finally {
            progress.end();
        }
        List<Path> written = new ArrayList<>(recorder.writeResults(r));
        written.addAll(r.keptFiles());
        // after perf record: the rest of perf script's output folded (all of it with --no-stream), then
        // the files (issue 8 compares this with 'perf script -i perf.data > /dev/null' on the same data:
        // --keep keeps it)
        Duration after = Duration.ofNanos(System.nanoTime() - progress.recordedAt);
        FoldedProfile p = r.profile();
        String files = String.join(", ", written.stream().map(Path::toString).toList());
        // whether naming reached every frame of the target's program (it may not: a binary the pod does not have)
        java.util.Map<String, Long> unnamed = Analyzer.unnamedWeights(p);
        String what = "PID " + r.process().targetPid() + " (" + r.process().comm() + ") for "
                + seconds(r.recorded()) + ": " + (r.samples() >= 0 ? r.samples() + " samples, " : "") + p.size()
                + (p.size() == 1 ? " stack" : " stacks") + ", " + CliProfiles.unnamedClause(p, unnamed)
                + " (folded and drawn in " + seconds2(after) + " after perf record ended); wrote " + files;
        if (r.cutBySignal() > 0) {
            // perf is gone, what it wrote is written: a failure of perf, not of the input
            throw new FlameCli.CliExit(ExitCodes.BAD_INPUT, r.cutMessage() + " after " + seconds(r.recorded()) + " of "
                    + seconds(recording.duration) + ": the recording was cut; recorded what perf had written, " + what);
        }
        if (r.targetExited()) {
            throw new FlameCli.CliExit(ExitCodes.NO_TARGET, "PID " + r.process().targetPid() + " ("
                    + r.process().comm() + ") exited during the recording; recorded " + what.substring(what.indexOf(" for ") + 5));
        }
        // this command has no --binary and is the recorder the generic hint points to: its own remedy
        String remedy = (noSymbolize ? "record without --no-symbolize, or name" : "name") + " them later with"
                + " 'flame collapse --binary PATH/%s' on the perf.data that --keep keeps";
        if (r.interrupted()) {
            err.println("flame: interrupted; recorded " + what);
            CliProfiles.hintUnnamed(p, unnamed, flame, remedy);
            err.flush();
            return ExitCodes.INTERRUPTED;
        }
        err.println("flame: recorded " + what);
        CliProfiles.hintUnnamed(p, unnamed, flame, remedy);
        err.flush();
        return ExitCodes.OK;
    }

    RecordOptions options() {
        target.checkPidOrProcess();
        RecordOptions.Builder b = RecordOptions.builder();
        try {
            if (target.pid != null) {
                b.pid(target.pid);
            } else {
                b.processName(target.process);
            }
            b.duration(recording.duration).frequency(recording.frequency()).callGraph(callGraph).event(event).keep(keep)
                    .outputDir(outputDir.dir).stream(!noStream);
            b.goSymbols(!noSymbolize).inlineGo(inlineGo);
            b.target(target.target());
            if (commandTimeout != null) {
                b.commandTimeout(commandTimeout);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return b.build();
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    static String seconds2(Duration d) {
        return String.format(Locale.ROOT, "%.2fs", d.toMillis() / 1000.0);
    }

    /** A one-line progress bar on a terminal, nothing otherwise; warnings always. */
    static final class Progress implements RecordListener {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private final boolean terminal;
        private boolean drawn;
        private String target = "";
        /** System.nanoTime() when perf record ended. */
        volatile long recordedAt = System.nanoTime();

        Progress(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public synchronized void started(FoundProcess process, String dataFile) {
            target = "PID " + process.targetPid() + " (" + process.comm() + ")";
        }

        @Override
        public void recorded(FoundProcess process) {
            recordedAt = System.nanoTime();
        }

        @Override
        public synchronized void progress(Duration elapsed, Duration total) {
            if (!terminal) {
                return;
            }
            err.print("\r" + bar(elapsed, total) + " " + target);
            err.flush();
            drawn = true;
        }

        static String bar(Duration elapsed, Duration total) {
            double f = total.isZero() ? 1 : Math.min(1, (double) elapsed.toMillis() / total.toMillis());
            int full = (int) Math.round(f * WIDTH);
            return "recording [" + "#".repeat(full) + ".".repeat(WIDTH - full) + "] "
                    + seconds(elapsed) + "/" + seconds(total);
        }

        @Override
        public synchronized void warning(String message) {
            end();
            err.println("flame: warning: " + message);
            err.flush();
        }

        @Override
        public synchronized void note(String message) {
            end();
            err.println("flame: " + message);
            err.flush();
        }

        synchronized void end() {
            if (drawn) {
                err.println();
                err.flush();
                drawn = false;
            }
        }
    }

    /**
     * SIGINT and SIGTERM handled (instead of ending the JVM) while a recording runs: both ask the
     * recorder to stop, so that perf writes what it has and the graph of it is still made.
     */
    static final class Signals implements AutoCloseable {
        private final List<sun.misc.Signal> signals = new ArrayList<>();
        private final List<sun.misc.SignalHandler> previous = new ArrayList<>();

        static Signals onInterrupt(Runnable action) {
            Signals s = new Signals();
            for (String name : List.of("INT", "TERM")) {
                sun.misc.Signal sig = new sun.misc.Signal(name);
                s.signals.add(sig);
                s.previous.add(sun.misc.Signal.handle(sig, x -> action.run()));
            }
            return s;
        }

        @Override
        public void close() {
            for (int i = 0; i < signals.size(); i++) {
                sun.misc.Signal.handle(signals.get(i), previous.get(i));
            }
        }
    }
}
