package io.github.stackfold.perf;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.collapse.CollapseListener;
import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.CollapseStats;
import io.github.stackfold.flamegraph.collapse.FrameSymbolizer;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.perfdata.PerfDataCollapser;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;
import io.github.stackfold.flamegraph.symbolize.BinaryLocator;
import io.github.stackfold.flamegraph.symbolize.GoSymbolizer;
import io.github.stackfold.flamegraph.symbolize.PartialBinary;
import io.github.stackfold.perf.internal.Child;
import io.github.stackfold.perf.internal.PerfStderr;
import io.github.stackfold.perf.internal.RemoteFile;
import io.github.stackfold.perf.internal.TargetFiles;

import java.io.FileOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Records a running process with perf and folds what it recorded: steps 3 and 4 of the lab in one
 * call. On the {@link ExecTarget} it runs
 *
 * <pre>
 * perf record -e cpu-clock -F 99 -g -p PID -o - -- sleep 30      stdout piped through this JVM into
 * perf script -i -                                             perf script, whose stdout is folded
 * </pre>
 *
 * both at once, so that perf script loads its symbols and the samples are folded while perf records
 * ({@link RecordOptions#stream()}). A kubectl target, or a JIT that writes its symbol map after the
 * recording ({@link RecordListener#writesSymbolMap}), gets the two steps one after the other:
 *
 * <pre>
 * mktemp -d -t stackfold-perf.XXXXXXXXXX                  a private directory (0700)
 * perf record -e cpu-clock -F 99 -g -p PID -o DIR/perf.data -- sleep 30     (perf writes it 0600)
 * perf script -i DIR/perf.data                            stdout streamed into the collapser
 * rm -r -f -- DIR                                         nothing is left behind
 * </pre>
 *
 * (for a local target the directory, the settings read and the copy of perf.data are handled in this
 * JVM instead: {@code internal.TargetFiles}).
 *
 * The perf script text is never stored (with {@link RecordOptions#keep()} it is copied next to the
 * results while it streams, with perf.data). perf's routine stderr chatter is dropped; its real
 * warnings go to the {@link RecordListener}, its errors become exceptions: {@link ToolMissingException},
 * {@link NotPermittedException}, {@link NoTargetException}, {@link NoSamplesException},
 * {@link PerfFailedException}. Every child process runs under a timeout and is ended with its whole
 * process tree if anything goes wrong.
 *
 * <p>A perf record killed mid-recording (SIGKILL: an out-of-memory killer, a person) keeps what it
 * wrote ({@link Recording#cutBySignal()}): perf record runs with {@code --no-buffering}, so each sample
 * is passed on as it is taken; streaming, perf script folds it; into a perf.data file, which perf leaves
 * without its data size and features (perf script refuses it), {@link PerfDataCollapser} reads the
 * records up to the last complete one instead of perf script.
 *
 * <p>{@link #stop()} (from a signal handler, another thread) ends the recording early: perf record
 * gets SIGINT, writes what it has, and the profile of that is returned as usual. A recorder is made
 * once from options and may record several times, one recording at a time. Not for: attaching to
 * several processes at once, or system-wide recording.
 */
public final class PerfRecorder {
    private static final Pattern SAFE_DIR = Pattern.compile("/[A-Za-z0-9_./-]*stackfold-perf\\.[A-Za-z0-9]+");
    private static final Duration POLL = Duration.ofMillis(100);
    /** A recording this much shorter than asked for ended early (the start is polled every 20 ms). */
    private static final Duration EARLY = Duration.ofMillis(300);
    /** How long a target whose recording ended early may take to show in /proc that it exited. */
    private static final Duration EXIT_SHOWS = Duration.ofSeconds(1);

    private final RecordOptions options;
    private final Object lock = new Object();
    private volatile boolean stopRequested;
    private volatile Child recording;
    private volatile String dataFile;
    private volatile boolean signalled;
    private volatile boolean perfChecked;
    /** The kubectl target's partial binary of the recording under way, or null. */
    private volatile RemoteNaming remote;
    /** The current recording's symbolizer (null for none), made when its process is found. */
    private volatile FrameSymbolizer symbolizer;

    private PerfRecorder(RecordOptions options) {
        this.options = options;
    }

    /**
     * A recorder with these options; nothing runs until {@link #record}, which checks that perf is there and
     * may record (else {@link ToolMissingException}, {@link NotPermittedException}).
     */
    public static PerfRecorder create(RecordOptions options) {
        return new PerfRecorder(options);
    }

    /** Records PID {@code pid} locally for {@code duration} with every other default and returns the folded stacks. */
    public static FoldedProfile record(long pid, Duration duration) {
        return create(RecordOptions.builder().pid(pid).duration(duration).build()).record().profile();
    }

    /** The options this recorder records with. */
    public RecordOptions options() {
        return options;
    }

    /** Records with a listener that ignores everything. */
    public Recording record() {
        return record(RecordListener.IGNORE);
    }

    /**
     * Finds the process, records it for the configured duration (or until {@link #stop()}), and folds
     * the samples. Returns normally also when the process exited during the recording (see
     * {@link Recording#targetExited()}) as long as some samples were recorded.
     */
    public Recording record(RecordListener listener) {
        synchronized (lock) {
            stopRequested = false;
            signalled = false;
            try {
                return recordLocked(listener);
            } finally {
                recording = null;
                dataFile = null;
                symbolizer = null;
            }
        }
    }

    /**
     * Ends the current recording early: perf record gets SIGINT (once it can handle it) and writes
     * what it has. Safe to call from any thread, a signal handler included; a no-op when nothing is
     * being recorded.
     */
    public void stop() {
        stopRequested = true;
        Child c = recording;
        if (c != null) {
            signal(c);
        }
    }

    /**
     * Writes {@code OUTPUT_DIR/NAME.folded} and {@code OUTPUT_DIR/flame.svg} for a recording
     * (creating the directory) and returns the files written.
     */
    public List<Path> writeResults(Recording r) throws IOException {
        Path dir = options.outputDir();
        Files.createDirectories(dir);
        Path folded = dir.resolve(r.name() + ".folded");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(folded), 1 << 16)) {
            r.profile().writeWithHeader(out);
        }
        Path svg = dir.resolve("flame.svg");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(svg), 1 << 16)) {
            FlameGraphRenderer.of(flameGraphOptions(r)).render(r.profile(), out);
        }
        return List.of(folded, svg);
    }

    /**
     * Folds and draws generated samples on a daemon thread while perf records, so that the classes, the
     * script and style resources and the compiled code of the collapser and the renderer are ready when
     * the real data arrives. Without it, the first megabytes of perf script's output were folded by
     * interpreted code that competed with perf script for the CPU, and the time after perf record
     * ended was about twice perf script's alone on a 10 s recording. About 0.1-0.2 s of CPU, at the
     * lowest priority, while the JVM would otherwise idle.
     */
    private void warmUp() {
        Thread w = new Thread(() -> {
            try {
                StringBuilder sb = new StringBuilder(1 << 20);
                for (int s = 0; s < 2000; s++) {
                    sb.append("warm-up ").append(1 + s % 7).append(" [000] ").append(s).append(".000001: 1000000 cpu-clock:\n");
                    for (int d = 0; d < 8; d++) {
                        sb.append("\t    ffffffff8103").append(Integer.toHexString(0x1000 + (s * 7 + d) % 300))
                                .append(" frame_").append((s * 7 + d) % 300).append("+0xb ([kernel.kallsyms])\n");
                    }
                    sb.append('\n');
                }
                byte[] text = sb.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                FlameGraphRenderer renderer = FlameGraphRenderer.of(FlameGraphOptions.builder().build());
                for (int i = 0; i < 5; i++) {
                    FoldedProfile f = PerfCollapser.create(CollapseOptions.builder().threads(1).build())
                            .collapse(new java.io.ByteArrayInputStream(text), "warm-up");
                    renderer.render(f, OutputStream.nullOutputStream());
                    f.write(OutputStream.nullOutputStream());
                }
            } catch (IOException | RuntimeException e) {
                // only a warm-up: the real run reports its own problems
            }
        }, "stackfold-warm-up");
        w.setDaemon(true);
        w.setPriority(Thread.MIN_PRIORITY);
        w.start();
    }

    private FlameGraphOptions flameGraphOptions(Recording r) {
        if (options.flameGraph() != null) {
            return options.flameGraph();
        }
        String event = options.event();
        String verdict = io.github.stackfold.flamegraph.analyze.Analyzer.unnamedVerdict(r.profile());
        return FlameGraphOptions.builder()
                .subtitle(r.name() + ", PID " + r.process().targetPid() + ", " + event + " at " + options.frequency()
                        + " Hz for " + seconds(r.recorded()) + " s" + (r.interrupted() ? " (stopped early)" : "")
                        + (r.cutBySignal() > 0 ? " (cut: perf died by signal " + r.cutBySignal() + ")" : "")
                        + (verdict.isEmpty() ? "" : "; " + verdict))
                .build();
    }

    private Recording recordLocked(RecordListener listener) {
        ExecTarget t = options.target();
        if (!perfChecked) {
            checkPerf(t);
            perfChecked = true;
        }
        ProcessFinder finder = ProcessFinder.forTarget(t, options.procRoot(), options.commandTimeout());
        FoundProcess p;
        try {
            p = options.pid() > 0 ? finder.byPid(options.pid()) : finder.find(options.processName());
        } catch (UncheckedIOException e) {
            throw new PerfFailedException("cannot read the process list through " + t + ": " + e.getCause().getMessage());
        }
        String name = fileName(options.pid() > 0 ? p.comm() : options.processName());
        remote = null;
        // made as soon as the process is found: a target that exits during the recording is still named
        // from what its symbolizer read while it ran (perf script may run after perf record)
        symbolizer = options.symbolizer() == null ? goSymbolizer(t, p, listener) : options.symbolizer().apply(p);
        String kptr = readSetting(t, "kptr_restrict");
        boolean stream = options.stream() && t.via() != ExecTarget.Via.KUBECTL && !listener.writesSymbolMap(p);
        String dir = stream ? null : makeTempDir(t);
        List<Path> kept = new ArrayList<>();
        Script script = null;
        try {
            String data = stream ? "-" : dir + "/perf.data";
            long started = System.nanoTime();
            Duration recorded;
            // perf record's warnings wait for its outcome (perf's usage text around an error, say)
            PerfStderr recErr = PerfStderr.holdingWarnings();
            Child rec = startRecord(t, p, data, recErr);
            try {
                dataFile = data;
                recording = rec;
                if (stream) {
                    script = new Script(t, p, name, listener, kept, rec);
                }
                warmUp();
                listener.started(p, data);
                recorded = await(rec, started, recErr, listener);
            } finally {
                recording = null;
                rec.close();
            }
            Child.Result rr = rec.waitFor();
            // cut by a signal: what perf wrote is folded, and the recording says so (Recording#cutBySignal)
            int cut = checkRecord(t, p, rr, recErr);
            recErr.passWarningsTo(listener::warning);
            // perf ends before the duration when the target's events hang up as it exits
            boolean endedEarly = recorded.compareTo(options.duration().minus(EARLY)) < 0;
            boolean exited = !stopRequested && !alive(finder, p, endedEarly);
            if (recErr.kernelSymbolsHidden() || "2".equals(kptr)) {
                listener.warning("kernel symbols are hidden: kernel.kptr_restrict is " + (kptr == null ? "set" : kptr)
                        + ", so kernel frames show as [unknown] (sysctl -w kernel.kptr_restrict=0 to see them)");
            }
            if (recErr.samples() == 0 && cut == 0) {
                throw noSamples(p, recorded, exited, keptWithoutSamples(script, kept));
            }
            listener.recorded(p);
            FoldedProfile profile;
            long cutSamples = -1;
            if (script == null && cut > 0) {
                // perf died before it wrote perf.data's end header, which perf script needs (it refuses the
                // file): our own reader reads the records perf wrote until then
                PerfDataCollapser.Result c = readCut(t, p, data, listener);
                profile = c.profile();
                cutSamples = c.info().samples();
            } else {
                if (script == null) {
                    script = new Script(t, p, name, listener, kept, data);
                }
                profile = script.finish();
            }
            RemoteNaming rn = remote;
            String named = rn == null ? null : rn.summary();
            if (named != null) {
                listener.note(named);
            }
            if (profile.isEmpty() && cut > 0) {
                throw new PerfFailedException("perf record died by signal " + cut + " (" + signalName(cut) + ") after "
                        + seconds(recorded) + "s, before it wrote a sample: the recording is lost"
                        + keptWithoutSamples(script, kept));
            }
            if (profile.isEmpty()) {
                throw noSamples(p, recorded, exited, keptWithoutSamples(script, kept));
            }
            // the profile's own duration: how long perf sampled
            profile = profile.withMeta(profile.meta().withDuration(recorded.toNanos()));
            if (options.keep() && !stream) {
                try {
                    kept.add(0, copyBack(t, data, options.outputDir().resolve(name + ".perf.data")));
                } catch (PerfFailedException | NoTargetException e) {
                    // the profile is folded already: a copy that fails or hangs costs the copy, not it
                    listener.warning(e.getMessage() + "; the profile is written without " + name + ".perf.data");
                }
            }
            long samples = recErr.samples() >= 0 ? recErr.samples() : script != null ? script.foldedSamples() : cutSamples;
            return new Recording(p, name, profile, samples, recorded, stopRequested, exited, kept, cut);
        } finally {
            if (script != null) {
                script.close();
            }
            if (dir != null) {
                removeTempDir(t, dir);
            }
        }
    }

    /**
     * Folds the perf.data of a perf record killed mid-recording with {@link PerfDataCollapser}: copied
     * from the target into a private temporary file here, read up to its last complete record, named
     * from the process's binaries (local and nsenter targets: through /proc/PID, and this kernel's
     * kallsyms; a kubectl target: the partial copy of the pod's binary, as perf script's output is).
     */
    private PerfDataCollapser.Result readCut(ExecTarget t, FoundProcess p, String data, RecordListener listener) {
        Path local = null;
        try {
            local = Files.createTempFile("stackfold-cut", ".data",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream o = new FileOutputStream(local.toFile())) {
                files(t).copy(data, o);
            }
            CollapseOptions co = options.collapse().toBuilder().countSamples(true).build();
            PerfDataCollapser.Builder b = PerfDataCollapser.builder().options(co).goSymbols(options.goSymbols())
                    .inlineGo(options.inlineGo())
                    .listener((module, message) -> listener.warning(message));
            if (t.via() == ExecTarget.Via.KUBECTL) {
                // the pod's files are not here: its binary through kubectl, its kernel unknown
                b.hostKallsyms(false).buildIdCache(null);
                String exe = stripDeleted(p.exe());
                if (options.goSymbols() && options.binaryCache() != null && !exe.isEmpty()) {
                    RemoteNaming rn = new RemoteNaming(t, p, exe, listener);
                    b.locator(module -> stripDeleted(module).equals(exe) ? rn.locate() : null);
                }
            } else {
                // the same kernel (nsenter enters namespaces, not machines); the binaries as the process sees them
                Path kallsyms = Path.of("/proc/kallsyms");
                if (Files.isReadable(kallsyms)) {
                    b.kallsyms(kallsyms);
                }
                b.locator(t.via() == ExecTarget.Via.LOCAL ? BinaryLocator.processOrModulePath(options.procRoot(), p.pid())
                        : BinaryLocator.process(options.procRoot(), p.pid()));
            }
            return b.build().collapse(local);
        } catch (BadInputException e) {
            throw new PerfFailedException("perf record died before it finished " + data + ", and what it wrote cannot be"
                    + " read: " + e.getMessage());
        } catch (Child.LaunchException e) {
            throw missing(t, e);
        } catch (IOException e) {
            throw new PerfFailedException("cannot read " + data + " from " + t + ": " + e.getMessage());
        } finally {
            if (local != null) {
                try {
                    Files.deleteIfExists(local);
                } catch (IOException ignored) {
                    // a stray private temporary file
                }
            }
        }
    }

    private Child startRecord(ExecTarget t, FoundProcess p, String data, PerfStderr recErr) {
        List<String> argv = new ArrayList<>(List.of(options.perfCommand(), "record", "-e", options.event(),
                "-F", Integer.toString(options.frequency())));
        argv.addAll(options.callGraph().perfArguments());
        // every sample is written as it is taken, not when a ring buffer fills (at 99 Hz that took half a
        // minute): a perf killed mid-recording (SIGKILL) has passed on, or written to perf.data, what it
        // sampled until then
        argv.addAll(List.of("-p", Long.toString(p.targetPid()), "--no-buffering", "-o", data, "--", "sleep",
                seconds(options.duration())));
        return startDetached(t, argv, options.duration().plus(Duration.ofMinutes(1)), data.equals("-"), false, recErr);
    }

    /**
     * Starts a perf command in a session of its own: a terminal's Ctrl-C reaches only us, and we pass
     * it on to perf record once perf can handle it (a perf still starting would die of it without
     * writing anything; a perf script reading the recording as it streams would stop early).
     */
    private Child startDetached(ExecTarget t, List<String> argv, Duration limit, boolean streamStdout,
            boolean writeStdin, PerfStderr err) {
        List<String> cmd = new ArrayList<>(List.of("setsid", "--wait"));
        cmd.addAll(t.command(argv));
        try {
            return Child.start(cmd, limit, streamStdout, writeStdin, err);
        } catch (Child.LaunchException e) {
            if (e.program().equals("setsid")) {
                try {
                    return Child.start(t.command(argv), limit, streamStdout, writeStdin, err);
                } catch (Child.LaunchException e2) {
                    throw missing(t, e2);
                }
            }
            throw missing(t, e);
        }
    }

    /**
     * Polls until perf record has written its data, reporting progress and passing on a stop request.
     * Returns how long perf sampled: from the moment its workload ran (events enabled) to the moment
     * it ended (events disabled) when that can be seen from here, otherwise from perf's launch to its
     * end.
     *
     * <p>Once perf record says it wrote its data (the file is complete, or the stream: nothing more is
     * written), a local or nsenter perf is ended with SIGKILL rather than waited for: it would linger
     * up to a second for its BPF side-band thread, which polls with a one-second timeout (0.8-0.9 s
     * after the workload ended in straces here; perf's {@code --no-bpf-event} avoids the thread but
     * also the names of BPF programs in kernel stacks). A kubectl target's perf runs in the pod, out of
     * reach of a signal from here, and is waited for.
     */
    private Duration await(Child rec, long launched, PerfStderr recErr, RecordListener listener) {
        Duration total = options.duration();
        long sampling = -1;
        long sampled = -1;
        boolean seen = false;
        boolean orphansEnded = false;
        while (!rec.hasEnded()) {
            if (stopRequested) {
                signal(rec);
            }
            if (!orphansEnded && !rec.isAlive() && !recErr.wrote()) {
                // perf died without writing its end (SIGKILL): its workload would hold the output open
                // until the whole duration is over
                rec.endOrphans();
                orphansEnded = true;
            }
            long now = System.nanoTime();
            if (sampling < 0) {
                Child.State s = rec.state("perf");
                if (s == Child.State.READY
                        || s == Child.State.ABSENT && now - launched > TimeUnit.SECONDS.toNanos(5)) {
                    sampling = s == Child.State.READY ? now : launched;
                    seen = s == Child.State.READY;
                }
            } else if (seen && sampled < 0 && rec.state("perf") != Child.State.READY) {
                sampled = now - sampling;
            }
            Duration elapsed = sampling < 0 ? Duration.ZERO : Duration.ofNanos(sampled >= 0 ? sampled : now - sampling);
            listener.progress(elapsed.compareTo(total) > 0 ? total : elapsed, total);
            boolean written = false;
            try {
                // a short wait until the workload runs, so that the start is seen within 20 ms
                written = recErr.awaitWrote(sampling < 0 ? 20 : POLL.toMillis());
            } catch (InterruptedException e) {
                // an interrupted caller wants out: stop perf as if asked, keep what was recorded
                stopRequested = true;
                Thread.currentThread().interrupt();
                signal(rec);
            }
            if (written && options.target().via() != ExecTarget.Via.KUBECTL) {
                if (seen && sampled < 0) {
                    sampled = System.nanoTime() - sampling;
                }
                rec.kill();
                // until its output has been read to the end: while streaming, that is the pump's job,
                // and closing the stream now would cut off what perf wrote last (all of it, when perf
                // only wrote at the end)
                rec.waitFor();
                break;
            }
        }
        return Duration.ofNanos(sampled >= 0 ? sampled : System.nanoTime() - (sampling < 0 ? launched : sampling));
    }

    private void signal(Child rec) {
        if (rec.hasEnded() || signalled) {
            return; // one SIGINT is enough: perf record then ends by itself
        }
        int n = rec.interrupt("perf");
        if (n > 0) {
            signalled = true;
            return;
        }
        if (n < 0 || options.target().via() != ExecTarget.Via.KUBECTL) {
            return; // perf is still starting (the polling loop asks again), or already gone
        }
        // perf runs in a pod, not on this machine: signal it there by its unique data file
        String data = dataFile;
        if (data == null) {
            return;
        }
        signalled = true;
        String pattern = "^[^ ]*perf record .*-o " + data.replace(".", "\\.") + " ";
        try {
            Child.run(options.target().command("pkill", "-INT", "-f", pattern), options.commandTimeout());
        } catch (Child.LaunchException e) {
            // kubectl vanished; the timeout still ends the recording
        }
    }

    /**
     * Throws what perf record's end means, or returns 0 when it wrote its data, or the signal that
     * killed it before it could (SIGKILL from an OOM killer or a person): the recording was cut, and
     * what perf wrote until then is still there to fold.
     */
    private int checkRecord(ExecTarget t, FoundProcess p, Child.Result rr, PerfStderr err) {
        if (rr.timedOut()) {
            throw new PerfFailedException("perf record did not end within " + seconds(options.duration())
                    + "s plus one minute and was stopped");
        }
        if (err.perfMissing() || rr.exitCode() == 127 && !err.wrote()) {
            throw perfMissing(t);
        }
        if (err.notPermitted() && !err.wrote()) {
            throw notPermitted(t, p, err.paranoid());
        }
        if (err.noSuchProcess() && !err.wrote()) {
            throw new NoTargetException("PID " + p.targetPid() + " (" + p.comm() + ") exited before perf could attach to it");
        }
        int signal = rr.exitCode() - 128;
        // 128 + N is death by signal N (as Java and setsid --wait report it); perf itself exits 129 on a
        // usage error, and re-raises SIGINT (130) only after writing its data
        if (!err.wrote() && !stopRequested && signal > 2 && signal < 64) {
            return signal;
        }
        if (!err.wrote()) {
            throw new PerfFailedException("perf record failed (exit " + rr.exitCode() + "): "
                    + err.firstError(rr.stderr().isEmpty() ? "no message" : String.join(" / ", rr.stderr())));
        }
        return 0;
    }

    /** SIGKILL for 9, and so on; "SIGn" for the rare ones. */
    static String signalName(int signal) {
        return switch (signal) {
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            case 14 -> "SIGALRM";
            case 15 -> "SIGTERM";
            default -> "SIG" + signal;
        };
    }

    /** Names stripped Go frames from the process's own binary, read through this machine's /proc. */
    private FrameSymbolizer goSymbolizer(ExecTarget t, FoundProcess p, RecordListener listener) {
        if (!options.goSymbols()) {
            return null;
        }
        if (t.via() == ExecTarget.Via.KUBECTL) {
            return remoteSymbolizer(t, p, listener);
        }
        Path proc = options.procRoot().resolve(Long.toString(p.pid()));
        // once the target exits its /proc entry is gone; a local process that sees this machine's files
        // as they are here has them at the paths perf printed (what that takes is read now, while it runs)
        BinaryLocator l = t.via() == ExecTarget.Via.LOCAL ? BinaryLocator.processOrModulePath(options.procRoot(), p.pid())
                : BinaryLocator.process(options.procRoot(), p.pid());
        return GoSymbolizer.builder()
                .locator(l)
                .inline(options.inlineGo())
                .listener((module, message) -> listener.warning(
                        (Files.isDirectory(proc) || !message.endsWith(": binary not found") ? message
                                : "cannot name frames of " + module + ": process " + p.pid()
                                        + " exited before its binary was read")
                                + "; its frames stay [unknown]"))
                .build();
    }

    /**
     * For a kubectl target: names the frames of the process's own binary from a partial copy of the
     * pod's {@code /proc/PID/exe} (its headers and Go function table), fetched through kubectl exec on
     * the first frame that needs it, or found in the build-id cache.
     */
    private FrameSymbolizer remoteSymbolizer(ExecTarget t, FoundProcess p, RecordListener listener) {
        String exe = stripDeleted(p.exe());
        if (options.binaryCache() == null || exe.isEmpty()) {
            return null;
        }
        RemoteNaming rn = new RemoteNaming(t, p, exe, listener);
        GoSymbolizer sym = GoSymbolizer.builder()
                .locator(module -> stripDeleted(module).equals(exe) ? rn.locate() : null)
                .inline(options.inlineGo())
                .listener((module, message) -> {
                    if (!rn.failed && !message.endsWith(": binary not found")) {
                        listener.warning(message + "; its frames stay [unknown]");
                    }
                })
                .build();
        rn.symbolizer = sym;
        remote = rn;
        return sym;
    }

    private static String stripDeleted(String module) {
        return module.endsWith(" (deleted)") ? module.substring(0, module.length() - 10) : module;
    }

    /** The partial copy of a kubectl target's binary and what it named. */
    private final class RemoteNaming {
        private final ExecTarget t;
        private final FoundProcess p;
        private final String exe;
        private final RecordListener listener;
        volatile GoSymbolizer symbolizer;
        volatile boolean failed;
        private boolean tried;
        private PartialBinary.Copy copy;

        RemoteNaming(ExecTarget t, FoundProcess p, String exe, RecordListener listener) {
            this.t = t;
            this.p = p;
            this.exe = exe;
            this.listener = listener;
        }

        synchronized Path locate() {
            if (!tried) {
                tried = true;
                String file = "/proc/" + p.targetPid() + "/exe";
                try {
                    copy = PartialBinary.fetch(new RemoteFile(t, file, options.scriptTimeout()), options.binaryCache(),
                            options.inlineGo());
                } catch (IOException | RuntimeException e) {
                    failed = true;
                    listener.warning("cannot name frames of " + exe + " through " + t + " (" + file + "): "
                            + e.getMessage() + "; its frames stay [unknown]");
                }
            }
            return copy == null ? null : copy.file();
        }

        /** "named N of M frames of EXE through kubectl: fetched X KB of Y MB (...)", or null when nothing was tried. */
        synchronized String summary() {
            if (copy == null) {
                return null;
            }
            String module = exe;
            long named = 0;
            long all = 0;
            for (String m : List.of(exe, exe + " (deleted)")) {
                named += symbolizer.namedFrames(m);
                all += symbolizer.namedFrames(m) + symbolizer.unnamedFrames(m);
            }
            String sizes = String.format(java.util.Locale.ROOT, "fetched %,d KB of %.1f MB", (copy.fetchedBytes() + 1023) / 1024,
                    copy.fileSize() / 1048576.0);
            return "named " + String.format(java.util.Locale.ROOT, "%,d of %,d", named, all) + " frames of " + module
                    + " through kubectl: " + sizes + (copy.cached()
                            ? " (its build-id; the rest was cached by build-id " + copy.buildId() + ")"
                            : " (cached by build-id " + copy.buildId() + ")");
        }
    }

    /**
     * perf script and the fold of its output. After the recording it reads perf.data and is folded on
     * the caller's thread. While streaming it starts with perf record: a pump thread copies perf
     * record's output into perf script's input (and into the kept perf.data, whose pipe format perf
     * script and perf report read as well), and its output is folded on a thread of its own.
     */
    private final class Script implements AutoCloseable {
        private final FoundProcess p;
        private final String name;
        private final List<Path> kept;
        private final RecordListener listener;
        private final PerfStderr err;
        private final Child child;
        private final FutureTask<FoldedProfile> fold;
        /** The samples the collapser counted, once it finished (perf record in pipe mode does not say). */
        private final AtomicLong folded = new AtomicLong(-1);
        private Thread pump;
        private Path keptData;
        private Path keptDataTmp;
        private volatile String keepProblem;

        /** After the recording: perf script reads {@code data}; {@link #finish} folds on the caller's thread. */
        Script(ExecTarget t, FoundProcess p, String name, RecordListener listener, List<Path> kept, String data) {
            this(t, p, name, listener, kept, List.of(options.perfCommand(), "script", "-i", data),
                    options.scriptTimeout(), false);
        }

        /** Streaming: perf script reads what {@code rec} writes, from now on. */
        Script(ExecTarget t, FoundProcess p, String name, RecordListener listener, List<Path> kept, Child rec) {
            this(t, p, name, listener, kept, List.of(options.perfCommand(), "script", "-i", "-"),
                    options.duration().plus(Duration.ofMinutes(1)).plus(options.scriptTimeout()), true);
            OutputStream copy = null;
            if (options.keep()) {
                try {
                    keptData = options.outputDir().resolve(name + ".perf.data");
                    keptDataTmp = privateTempFile(keptData);
                    copy = new FileOutputStream(keptDataTmp.toFile());
                } catch (IOException e) {
                    keepProblem = e.toString();
                }
            }
            OutputStream keepCopy = copy;
            pump = new Thread(() -> pump(rec.stdout(), child.stdin(), keepCopy), "stackfold-perf-pipe");
            pump.setDaemon(true);
            pump.start();
            Thread folder = new Thread(fold, "stackfold-fold");
            folder.setDaemon(true);
            folder.start();
        }

        private Script(ExecTarget t, FoundProcess p, String name, RecordListener listener, List<Path> kept,
                List<String> argv, Duration limit, boolean stream) {
            this.p = p;
            this.name = name;
            this.listener = listener;
            this.kept = kept;
            // while streaming, perf script's warnings wait for perf record's outcome: when perf record
            // fails, perf script only complains about the empty input, and its error is the one to show
            this.err = stream ? PerfStderr.holdingWarnings() : new PerfStderr(listener::warning);
            this.child = startDetached(t, argv, limit, true, stream, err);
            // perf script is started first: the symbolizer (3-16 ms to set up) is ready long before
            // perf script, busy loading symbols, prints its first sample
            this.fold = new FutureTask<>(() -> fold(collapseOptions(t, p, listener, folded)));
        }

        long foldedSamples() {
            return folded.get();
        }

        /** Waits (a few seconds at the most) for the folding to end once perf script is closed; its outcome is not wanted. */
        void awaitFold() {
            if (pump == null) {
                return; // not started: finish() runs it
            }
            try {
                fold.get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | java.util.concurrent.TimeoutException | java.util.concurrent.CancellationException e) {
                // perf script was ended: whatever the folding made of that is not wanted
            }
        }

        /** Waits for the folded profile and perf script's end; throws what went wrong. */
        FoldedProfile finish() {
            if (pump == null) {
                fold.run();
            }
            FoldedProfile profile;
            try {
                profile = fold.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PerfFailedException("interrupted while perf script ran");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                if (c instanceof Error er) {
                    throw er;
                }
                throw new UncheckedIOException(c instanceof IOException io ? io : new IOException(c));
            }
            Child.Result r = child.waitFor();
            err.passWarningsTo(listener::warning);
            if (r.timedOut()) {
                throw new PerfFailedException("perf script did not end within " + options.scriptTimeout() + " and was stopped");
            }
            if (r.exitCode() != 0) {
                throw new PerfFailedException("perf script failed (exit " + r.exitCode() + "): "
                        + err.firstError(String.join(" / ", r.stderr())));
            }
            if (pump != null) {
                join(pump);
                keepData();
            }
            return profile;
        }

        private FoldedProfile fold(CollapseOptions co) throws IOException {
            InputStream in = child.stdout();
            OutputStream copy = null;
            try {
                if (options.keep()) {
                    Path text = options.outputDir().resolve(name + ".perf.txt");
                    Files.createDirectories(options.outputDir());
                    copy = new FileOutputStream(text.toFile());
                    kept.add(text);
                    in = tee(in, copy);
                }
                // perf script prints nothing at all for a perf.data without samples
                java.io.PushbackInputStream peek = new java.io.PushbackInputStream(in, 1);
                int first = peek.read();
                FoldedProfile profile;
                if (first < 0) {
                    profile = FoldedProfile.empty();
                } else {
                    peek.unread(first);
                    profile = PerfCollapser.create(co).collapse(peek, "perf script of PID " + p.targetPid());
                }
                in.transferTo(OutputStream.nullOutputStream());
                return profile;
            } finally {
                in.close();
                if (copy != null) {
                    copy.close();
                }
            }
        }

        /**
         * Copies perf record's output into perf script until perf record ends, then closes perf
         * script's input. Should perf script be gone, perf record is still read to its end, so that it
         * never blocks on a full pipe (and loses samples).
         */
        private void pump(InputStream from, OutputStream to, OutputStream keepCopy) {
            byte[] buf = new byte[1 << 16];
            boolean open = true;
            OutputStream keep = keepCopy;
            try {
                int n;
                while ((n = from.read(buf)) > 0) {
                    if (keep != null) {
                        try {
                            keep.write(buf, 0, n);
                        } catch (IOException e) {
                            keepProblem = e.toString();
                            closeQuietly(keep);
                            keep = null;
                        }
                    }
                    if (open) {
                        try {
                            to.write(buf, 0, n);
                            to.flush();
                        } catch (IOException e) {
                            open = false; // perf script ended: its exit code tells why
                        }
                    }
                }
            } catch (IOException e) {
                // perf record's output closed: it ended, or was ended
            } finally {
                closeQuietly(to);
                if (keep != null && !closeQuietly(keep)) {
                    keepProblem = "cannot write " + keptDataTmp;
                }
            }
        }

        /** Moves the kept perf.data into place, or warns why there is none. */
        private void keepData() {
            if (keptDataTmp == null && keepProblem == null) {
                return;
            }
            try {
                if (keepProblem == null) {
                    Files.move(keptDataTmp, keptData, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    kept.add(0, keptData);
                    keptDataTmp = null;
                    return;
                }
            } catch (IOException e) {
                keepProblem = e.toString();
            }
            listener.warning("perf.data was not kept: " + keepProblem);
        }

        /** Ends perf script if it still runs and waits for the pump; removes a kept perf.data not moved into place. */
        @Override
        public void close() {
            child.close();
            if (pump != null) {
                join(pump);
            }
            if (keptDataTmp != null) {
                try {
                    Files.deleteIfExists(keptDataTmp);
                } catch (IOException ignored) {
                    // a stray temporary file in the output directory, named .perf*.data
                }
            }
        }
    }

    /** Closes {@code out}; false when that failed. */
    private static boolean closeQuietly(OutputStream out) {
        try {
            out.close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CollapseOptions collapseOptions(ExecTarget t, FoundProcess p, RecordListener listener, AtomicLong samples) {
        FrameSymbolizer sym = symbolizer;
        // counts = samples: the folded file then reads right in any folded tool ("1,159 samples", not
        // "11,707,070,590"); the periods' sum (the CPU time of a cpu-clock recording) stays in the metadata
        CollapseOptions.Builder cb = options.collapse().toBuilder().countSamples(true);
        if (sym != null) {
            cb.symbolizer(sym);
        }
        CollapseListener user = options.collapse().listener();
        cb.listener(new CollapseListener() {
            @Override
            public void badLine(BadInputException problem) {
                if (user == CollapseListener.IGNORE) {
                    listener.warning(problem.getMessage());
                } else {
                    user.badLine(problem);
                }
            }

            @Override
            public void finished(CollapseStats stats) {
                samples.set(stats.samples());
                user.finished(stats);
            }
        });
        return cb.build();
    }

    private static InputStream tee(InputStream in, OutputStream copy) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    copy.write(b);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    copy.write(b, off, n);
                }
                return n;
            }
        };
    }

    private Path copyBack(ExecTarget t, String data, Path local) {
        try {
            Path tmp = privateTempFile(local);
            try (OutputStream o = new FileOutputStream(tmp.toFile())) {
                files(t).copy(data, o); // into the 0600 file: Files.copy would recreate it 0644
            } catch (IOException e) {
                Files.deleteIfExists(tmp);
                throw new PerfFailedException("cannot copy " + data + " from " + t + ": " + e.getMessage());
            } catch (NoTargetException e) {
                Files.deleteIfExists(tmp); // the copy hit its deadline
                throw e;
            }
            Files.move(tmp, local, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return local;
        } catch (Child.LaunchException e) {
            throw missing(t, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new empty file (0600, as perf writes perf.data) beside {@code local}, to be moved onto it when complete. */
    private static Path privateTempFile(Path local) throws IOException {
        Path dir = local.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return Files.createTempFile(dir, ".perf", ".data",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    private TargetFiles files(ExecTarget t) {
        return TargetFiles.of(t, options.commandTimeout(), options.scriptTimeout());
    }

    /** {@code perf --version} on the target: tells a missing perf (or launcher) apart from the rest. */
    private void checkPerf(ExecTarget t) {
        Child.Result r;
        try {
            r = Child.runInTime(t.command(options.perfCommand(), "--version"), options.commandTimeout());
        } catch (Child.LaunchException e) {
            throw missing(t, e);
        }
        if (r.exitCode() == 0) {
            return;
        }
        PerfStderr err = new PerfStderr(w -> { });
        r.stderr().forEach(err);
        if (err.perfMissing() || r.exitCode() == 127 || r.exitCode() == 126) {
            throw perfMissing(t);
        }
        String refused = t.via() == ExecTarget.Via.NSENTER ? nsenterRefusal(r.stderr()) : null;
        if (t.via() == ExecTarget.Via.NSENTER && (err.notPermitted() || refused != null)) {
            throw new NotPermittedException("not permitted to enter the namespaces of PID " + t.nsenterTarget()
                    + " (" + (refused != null ? refused : r.stderr().get(0)) + "): nsenter needs CAP_SYS_ADMIN and CAP_SYS_PTRACE"
                    + " (a privileged hostPID pod, or root on the host)");
        }
        String unreachable = t.via() == ExecTarget.Via.KUBECTL ? io.github.stackfold.perf.internal.KubectlStderr.unreachable(r.stderr()) : null;
        if (unreachable != null) {
            throw new NoTargetException(t + ": " + unreachable);
        }
        if (t.via() == ExecTarget.Via.KUBECTL) {
            for (String line : r.stderr()) {
                if (line.contains("(NotFound): pods \"")) {
                    throw new NoTargetException(t + ": " + line.strip() + ": create the debug pod with 'kubectl apply -f"
                            + " manifests/debug-profiler.yaml' (pod debug-profiler in namespace kube-system"
                            + (t.namespace() == null ? ", so add -n kube-system" : "")
                            + "), or name a running pod with perf with --pod and -n");
                }
            }
        }
        // kubectl logs several lines before the one that says what is wrong: show the last
        throw new PerfFailedException("cannot run perf through " + t + " (exit " + r.exitCode() + "): "
                + (r.stderr().isEmpty() ? "no message" : r.stderr().get(r.stderr().size() - 1)));
    }

    /**
     * nsenter's own refusal to enter a namespace, as it words it for a user without the capabilities
     * ({@code nsenter: cannot open /proc/1/ns/ipc: Permission denied}, {@code nsenter: reassociate to
     * namespace 'ns/ipc' failed: Operation not permitted}), or null.
     */
    static String nsenterRefusal(List<String> stderr) {
        for (String line : stderr) {
            if (line.startsWith("nsenter:") && (line.contains("Permission denied") || line.contains("Operation not permitted"))) {
                return line.strip();
            }
        }
        return null;
    }

    private String makeTempDir(ExecTarget t) {
        StringBuilder why = new StringBuilder();
        String dir;
        try {
            dir = files(t).makeTempDir(why);
        } catch (Child.LaunchException e) {
            throw missing(t, e);
        }
        if (dir == null || !SAFE_DIR.matcher(dir).matches()) {
            throw new PerfFailedException("cannot create a private temporary directory through " + t + ": "
                    + (dir == null ? why : "got '" + dir + "'"));
        }
        return dir;
    }

    private void removeTempDir(ExecTarget t, String dir) {
        if (SAFE_DIR.matcher(dir).matches()) {
            files(t).removeTree(dir);
        }
    }

    /** A /proc/sys/kernel setting read on the target, or null. */
    private String readSetting(ExecTarget t, String name) {
        return files(t).readText("/proc/sys/kernel/" + name);
    }

    /**
     * Whether {@code p} still runs. When perf ended early, it is given up to {@link #EXIT_SHOWS} to
     * show that it exited: the kernel hangs up a task's perf events early in its exit, before the task
     * is a zombie, so perf can be done while /proc still shows the target running (a test that ends
     * its target mid-recording saw it alive in 4 of about 65 runs on a loaded machine).
     */
    private boolean alive(ProcessFinder finder, FoundProcess p, boolean endedEarly) {
        long deadline = System.nanoTime() + (endedEarly ? EXIT_SHOWS.toNanos() : 0);
        while (true) {
            boolean alive;
            try {
                alive = finder.isAlive(p);
            } catch (RuntimeException e) {
                return true; // cannot tell: do not claim it exited
            }
            if (!alive || System.nanoTime() >= deadline) {
                return alive;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return alive;
            }
        }
    }

    private RuntimeException noSamples(FoundProcess p, Duration recorded, boolean exited, String keptNote) {
        String what = "PID " + p.targetPid() + " (" + p.comm() + ")";
        if (exited) {
            return new NoTargetException(what + " exited during the recording before any sample was taken" + keptNote);
        }
        return new NoSamplesException("no samples recorded from " + what + " in " + seconds(recorded)
                + "s of " + options.event() + ": it was idle (or stopped at once); record longer or under load" + keptNote);
    }

    /**
     * What {@link RecordOptions#keep()} leaves of a recording without samples, for the error that says so:
     * the perf script text is empty (perf script prints nothing for no samples), so it is removed rather
     * than left to look like a result; a kept perf.data stays (perf's own record of the attempt: its
     * header, events, processes) and is named as holding no samples. Empty without --keep. Ends perf
     * script first (streaming: it is still reading perf record's output).
     */
    private String keptWithoutSamples(Script script, List<Path> kept) {
        if (!options.keep()) {
            return "";
        }
        if (script != null) {
            script.close();
            script.awaitFold();
        }
        List<String> data = new ArrayList<>();
        boolean textRemoved = false;
        for (java.util.Iterator<Path> it = kept.iterator(); it.hasNext();) {
            Path f = it.next();
            try {
                if (Files.isRegularFile(f) && Files.size(f) == 0) {
                    Files.delete(f);
                    it.remove();
                    textRemoved |= f.getFileName().toString().endsWith(".perf.txt");
                } else if (Files.isRegularFile(f)) {
                    data.add(f.toString());
                }
            } catch (IOException e) {
                data.add(f + " (empty: it could not be removed: " + e.getMessage() + ")");
            }
        }
        StringBuilder sb = new StringBuilder();
        if (textRemoved) {
            sb.append("; --keep wrote no perf script text (perf script printed nothing)");
        }
        if (!data.isEmpty()) {
            sb.append(textRemoved ? " and kept " : "; --keep kept ").append(String.join(", ", data))
                    .append(data.size() == 1 ? ", which holds" : ", which hold").append(" no samples");
        }
        return sb.toString();
    }

    private RuntimeException notPermitted(ExecTarget t, FoundProcess p, String paranoidFromPerf) {
        String value = paranoidFromPerf != null ? paranoidFromPerf : readSetting(t, "perf_event_paranoid");
        return new NotPermittedException(notPermittedMessage(p.targetPid(), value));
    }

    static String notPermittedMessage(long pid, String paranoid) {
        return "not permitted to record PID " + pid + ": kernel.perf_event_paranoid is "
                + (paranoid == null ? "unknown" : paranoid) + " and perf runs without CAP_PERFMON or CAP_SYS_ADMIN"
                + " (run as root, grant CAP_PERFMON, or sysctl -w kernel.perf_event_paranoid=-1)";
    }

    private RuntimeException missing(ExecTarget t, Child.LaunchException e) {
        String program = e.program();
        if (!e.notFound()) {
            return new PerfFailedException(e.getMessage());
        }
        if (program.equals("nsenter")) {
            return new ToolMissingException("nsenter", "nsenter is not installed (apt-get install util-linux)");
        }
        if (program.equals("kubectl")) {
            return new ToolMissingException("kubectl",
                    "kubectl is not installed or not on PATH (see https://kubernetes.io/docs/tasks/tools/)");
        }
        if (program.equals(options.perfCommand())) {
            return perfMissing(t);
        }
        return new ToolMissingException(program, program + " is not installed");
    }

    private ToolMissingException perfMissing(ExecTarget t) {
        return new ToolMissingException("perf", "perf is not installed"
                + (t.via() == ExecTarget.Via.LOCAL ? "" : " on " + t) + " (apt-get install linux-perf)");
    }

    /** Seconds for sleep(1) and messages: {@code 30}, {@code 1.5}, {@code 0.25}. */
    static String seconds(Duration d) {
        long ms = d.toMillis() >= 10_000 ? Math.round(d.toMillis() / 100.0) * 100 : d.toMillis();
        if (ms % 1000 == 0) {
            return Long.toString(ms / 1000);
        }
        // not String.format: its first call in a JVM (Formatter, regex, FormattedFloatingDecimal,
        // all interpreted) cost ~20 ms of flame record's time after perf record ended
        String millis = Long.toString(1000 + ms % 1000); // "1xyz"
        int end = millis.length();
        while (millis.charAt(end - 1) == '0') {
            end--;
        }
        return ms / 1000 + "." + millis.substring(1, end);
    }

    /** A process name as a file name: unsafe characters become {@code _}. */
    static String fileName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._+-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }
}
