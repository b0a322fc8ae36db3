package io.github.stackfold.lab;

import io.github.stackfold.flamegraph.collapse.CollapseListener;
import io.github.stackfold.flamegraph.collapse.CollapseStats;
import io.github.stackfold.perf.ExecTarget;
import io.github.stackfold.perf.FoundProcess;
import io.github.stackfold.perf.PerfRecorder;
import io.github.stackfold.perf.RecordListener;
import io.github.stackfold.perf.RecordOptions;
import io.github.stackfold.perf.Recording;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The recording step shared by {@code flame profile} and {@code flame demo}: perf-runner's
 * {@link PerfRecorder} (with Go frames named, see {@link GoFrames}) and, between {@code perf record}
 * and {@code perf script}, the target's hook, or for a local JVM its JIT symbol map
 * ({@link JvmPerfMap}). The sample count comes from the collapser (perf's weights are cpu-clock
 * periods in nanoseconds). Messages for the user go to {@code say}; nothing is printed here.
 */
final class LabRecorder {
    private final PerfRecorder recorder;
    private final Consumer<String> say;
    private final DemoTarget hook;
    private final AtomicLong samples = new AtomicLong(-1);

    LabRecorder(RecordOptions options, DemoTarget hook, Consumer<String> say) {
        CollapseListener counter = new CollapseListener() {
            @Override
            public void finished(CollapseStats stats) {
                samples.set(stats.samples());
            }
        };
        this.recorder = PerfRecorder.create(options.toBuilder()
                .collapse(options.collapse().toBuilder().listener(counter).build()).build());
        this.say = say;
        this.hook = hook;
    }

    /** Ends the current recording early (SIGINT, from a shutdown hook); what was recorded is kept. */
    void stop() {
        recorder.stop();
    }

    /** Records once; {@code what} names the recording in messages ("idle", "under load"). */
    LabPipeline.Source record(String what) {
        RecordOptions o = recorder.options();
        samples.set(-1);
        Listener listener = new Listener(o, what);
        Recording r;
        try {
            r = recorder.record(listener);
        } finally {
            if (listener.perfMap != null) {
                listener.perfMap.remove();
            }
        }
        if (r.cutBySignal() > 0) {
            say.accept("warning: " + r.cutMessage() + " after " + seconds(r.recorded())
                    + ": the recording was cut; the profile holds what perf wrote until then");
        }
        if (r.targetExited()) {
            say.accept("warning: the process exited during the recording; the profile holds what was recorded until then");
        }
        String desc = shortName(r.process()) + ", perf " + seconds(r.recorded()) + " at " + o.frequency() + " Hz"
                + (what.isEmpty() ? "" : ", " + what) + (r.interrupted() ? " (stopped early)" : "")
                + (r.cutBySignal() > 0 ? " (cut: perf died by signal " + r.cutBySignal() + ")" : "");
        return new LabPipeline.Source(r.profile(), samples.get(), desc, programName(r.process()));
    }

    private final class Listener implements RecordListener {
        private final RecordOptions o;
        private final String what;
        JvmPerfMap perfMap;

        Listener(RecordOptions o, String what) {
            this.o = o;
            this.what = what;
        }

        @Override
        public void started(FoundProcess process, String dataFile) {
            say.accept("recording " + shortName(process) + (what.isEmpty() ? "" : " " + what) + " for "
                    + seconds(o.duration()) + " at " + o.frequency() + " Hz (" + o.event() + ", via " + o.target() + ")");
        }

        @Override
        public void warning(String message) {
            say.accept("warning: " + message);
        }

        @Override
        public void note(String message) {
            say.accept(message);
        }

        @Override
        public boolean writesSymbolMap(FoundProcess process) {
            if (hook != null) {
                return hook.writesSymbolMap();
            }
            return o.target().via() == ExecTarget.Via.LOCAL && JvmPerfMap.ifJvm(process.pid(), process.exe()) != null;
        }

        @Override
        public void recorded(FoundProcess process) {
            String w = null;
            if (hook != null) {
                w = hook.beforeScript();
            } else if (o.target().via() == ExecTarget.Via.LOCAL) {
                perfMap = JvmPerfMap.ifJvm(process.pid(), process.exe());
                if (perfMap != null) {
                    say.accept("the target is a JVM: writing its JIT symbol map (jcmd " + process.pid() + " Compiler.perfmap)");
                    w = perfMap.write();
                }
            }
            if (w != null) {
                say.accept("warning: " + w);
            }
        }
    }

    /** The program's name: the executable's file name, or the command name when the executable is unknown. */
    static String programName(FoundProcess p) {
        String exe = p.exe();
        if (exe.isEmpty()) {
            return p.comm();
        }
        String name = exe.substring(exe.lastIndexOf('/') + 1);
        return name.endsWith(" (deleted)") ? name.substring(0, name.length() - 10) : name;
    }

    /** {@code PID 123 (/usr/local/bin/kube-apiserver)}, plus the container when there is one. */
    static String shortName(FoundProcess p) {
        return "PID " + p.pid() + (p.targetPid() != p.pid() ? " (" + p.targetPid() + " in its namespace)" : "")
                + " (" + (p.exe().isEmpty() ? p.comm() : p.exe()) + ")"
                + (p.containerId().isEmpty() ? "" : " in container " + p.containerId());
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
