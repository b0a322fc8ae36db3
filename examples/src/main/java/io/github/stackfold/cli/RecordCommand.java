package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.perf.CallGraph;
import io.github.stackfold.perf.ExecTarget;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code flame record}: steps 3 and 4 of the lab in one go. Translates flags into
 * {@link RecordOptions}, turns SIGINT/SIGTERM into {@link PerfRecorder#stop()}, shows progress on a
 * terminal, and writes {@code DIR/NAME.folded} (and the SVG).
 */
public class RecordCommand implements Callable<Integer> {
    /** How perf reaches the target. */
    enum Via {
        local, nsenter, kubectl
    }

    final FlameCli flame;
    private CommandSpec spec;

    Long pid;
    String process;
    Duration duration;
    int frequency;
    CallGraph callGraph;
    String event;
    Via via;
    long nsenterTarget;
    String pod;
    String namespace;
    String container;
    boolean noSymbolize;
    boolean inlineGo;
    boolean keep;
    boolean noStream;
    Path outputDir;

    RecordCommand(FlameCli flame) {
        this.flame = flame;
    }

    /** This command's model: its name, description and options. */
    CommandSpec spec() {
        spec = Specs.command(this, "record",
                "Records a running process with perf (perf record -g -p PID -- sleep SECS),",
                "streams 'perf script' into the collapser and writes DIR/NAME.folded and",
                "DIR/flame.svg. perf runs here, in another process's namespaces (--via",
                "nsenter) or in a pod (--via kubectl). Ctrl-C or SIGTERM stops early; what",
                "was recorded is still written.");
        spec.usageMessage().footer("",
                "Exit codes: 0 ok; 2 no samples; 3 perf, nsenter or kubectl missing;",
                "4 not permitted (perf_event_paranoid, capabilities); 5 no such process,",
                "several of that name, or it exited while recording (what was recorded is",
                "written); 6 a file could not be written; 64 wrong command line;",
                "130 interrupted (what was recorded is written).");
        spec.addOption(Specs.option("--pid", "N", Long.class)
                .description("the PID to record (as perf sees it on the target)").build());
        spec.addOption(Specs.option("--process", "NAME", String.class)
                .description("find the process by name (default: kube-apiserver); several matches are an error listing them")
                .build());
        spec.addOption(Specs.option("--duration", "TIME", Duration.class).defaultValue("30s")
                .converters(new DurationConverter())
                .description("how long to record: 30s, 2m, 1500ms or seconds (default: ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--frequency", "HZ", int.class).defaultValue("99")
                .description("samples per second (default: ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--call-graph", "MODE", CallGraph.class).defaultValue("fp")
                .description("fp (frame pointers, -g), dwarf or lbr (default: ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--event", "EVENT", String.class).defaultValue("cpu-clock")
                .description("the perf event (default: ${DEFAULT-VALUE}, a software timer that works in VMs and"
                        + " containers; 'cycles' needs hardware counters)").build());
        spec.addOption(Specs.option("--via", "HOW", Via.class).defaultValue("local")
                .description("local, nsenter or kubectl (default: ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--nsenter-target", "PID", long.class).defaultValue("1")
                .description("with --via nsenter: whose namespaces perf runs in (default: ${DEFAULT-VALUE}, the host"
                        + " from a hostPID pod)").build());
        spec.addOption(Specs.option("--pod", "POD", String.class)
                .description("with --via kubectl: the (privileged, hostPID) debug pod").build());
        spec.addOption(Specs.option(new String[] {"-n", "--namespace"}, "NS", String.class)
                .description("with --via kubectl: the pod's namespace").build());
        spec.addOption(Specs.option(new String[] {"-c", "--container"}, "C", String.class)
                .description("with --via kubectl: the container in the pod").build());
        spec.addOption(Specs.flag("--no-symbolize", "leave the frames of stripped Go binaries [unknown] (by default",
                "they are named from the binary's .gopclntab, read through /proc/PID; not with --via kubectl)"));
        spec.addOption(Specs.flag("--inline-go", "also expand the calls the Go compiler inlined, marked _[i]"));
        spec.addOption(Specs.flag("--keep", "keep perf.data and the perf script text in the output directory",
                "(perf.data in perf's pipe format unless --no-stream; perf script and perf report read both)"));
        spec.addOption(Specs.flag("--no-stream", "run perf script after perf record, on the whole perf.data (by default",
                "perf script reads perf record's output while it records, and the profile is ready as perf record ends;",
                "--via kubectl always works this way). For a JIT that writes /tmp/perf-PID.map during the recording:",
                "perf script reads the map at the first sample that needs it"));
        spec.addOption(Specs.option("--output-dir", "DIR", Path.class).defaultValue("results")
                .description("where NAME.folded and flame.svg go (default: ${DEFAULT-VALUE})").build());
        return Specs.withHelpOptions(spec);
    }

    /** Sets the fields from the command line. */
    private void bind() {
        pid = Specs.value(spec, "--pid");
        process = Specs.value(spec, "--process");
        duration = Specs.value(spec, "--duration");
        frequency = Specs.value(spec, "--frequency");
        callGraph = Specs.value(spec, "--call-graph");
        event = Specs.value(spec, "--event");
        via = Specs.value(spec, "--via");
        nsenterTarget = Specs.value(spec, "--nsenter-target");
        pod = Specs.value(spec, "--pod");
        namespace = Specs.value(spec, "--namespace");
        container = Specs.value(spec, "--container");
        noSymbolize = Specs.flag(spec, "--no-symbolize");
        inlineGo = Specs.flag(spec, "--inline-go");
        keep = Specs.flag(spec, "--keep");
        noStream = Specs.flag(spec, "--no-stream");
        outputDir = Specs.value(spec, "--output-dir");
    }

    @Override
    public Integer call() throws IOException {
        bind();
        // before the recording: a directory the results cannot go to is refused, not found out after it
        AtomicOutput.requireWritableDirectory(outputDir);
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
        String what = "PID " + r.process().targetPid() + " (" + r.process().comm() + ") for "
                + seconds(r.recorded()) + ": " + (r.samples() >= 0 ? r.samples() + " samples, " : "") + p.size()
                + (p.size() == 1 ? " stack" : " stacks") + " (folded and drawn in " + seconds2(after)
                + " after perf record ended); wrote " + files;
        if (r.targetExited()) {
            throw new FlameCli.CliExit(ExitCodes.NO_TARGET, "PID " + r.process().targetPid() + " ("
                    + r.process().comm() + ") exited during the recording; recorded " + what.substring(what.indexOf(" for ") + 5));
        }
        if (r.interrupted()) {
            err.println("flame: interrupted; recorded " + what);
            err.flush();
            return ExitCodes.INTERRUPTED;
        }
        err.println("flame: recorded " + what);
        err.flush();
        return ExitCodes.OK;
    }

    RecordOptions options() {
        if (pid != null && process != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--pid and --process exclude each other");
        }
        if (via != Via.kubectl && (pod != null || namespace != null || container != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--pod, --namespace and --container need --via kubectl");
        }
        if (via == Via.kubectl && pod == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--via kubectl needs --pod POD");
        }
        RecordOptions.Builder b = RecordOptions.builder();
        try {
            if (pid != null) {
                b.pid(pid);
            }
            if (process != null) {
                b.processName(process);
            }
            b.duration(duration).frequency(frequency).callGraph(callGraph).event(event).keep(keep).outputDir(outputDir)
                    .stream(!noStream);
            b.goSymbols(!noSymbolize).inlineGo(inlineGo);
            switch (via) {
                case nsenter:
                    b.target(ExecTarget.nsenter(nsenterTarget));
                    break;
                case kubectl:
                    b.target(ExecTarget.kubectl(pod, namespace, container));
                    break;
                default:
                    b.target(ExecTarget.local());
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

    /** {@code 30s}, {@code 2m}, {@code 1500ms}, {@code 1h}, or plain seconds ({@code 30}, {@code 0.5}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern P = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

        @Override
        public Duration convert(String value) {
            Matcher m = P.matcher(value.trim());
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 30s, 2m, 1500ms)");
            }
            double n = Double.parseDouble(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            double ms = switch (unit) {
                case "ms" -> n;
                case "m" -> n * 60_000;
                case "h" -> n * 3_600_000;
                default -> n * 1000;
            };
            return Duration.ofMillis(Math.round(ms));
        }
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
