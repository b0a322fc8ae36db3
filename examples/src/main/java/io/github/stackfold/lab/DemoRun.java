package io.github.stackfold.lab;

import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.perf.NotPermittedException;
import io.github.stackfold.perf.RecordOptions;
import io.github.stackfold.perf.ToolMissingException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@code flame demo}: the lab's pipeline end to end on a server this process starts itself, so it runs
 * on any Linux machine with Java 17 and perf. The target is Debian's etcd when installed, otherwise the
 * repository's apiserver-like demo server; it is loaded by bounded client loops while perf records
 * it, then {@link LabPipeline} writes the same files as {@code flame profile}. Where perf is missing or
 * not permitted, the recording shipped in the repository ({@link ShippedRecording}) is rendered instead,
 * and the messages say so. Everything started here is ended before {@link #run} returns (and by a
 * shutdown hook if the JVM ends first).
 */
public final class DemoRun extends StoppableRun {
    /** Which target to start. */
    public enum Target {
        /** etcd when installed, else the JVM demo server. */
        AUTO,
        /** Debian's etcd ({@code /usr/bin/etcd}). */
        ETCD,
        /** The repository's apiserver-like JVM server. */
        JVM,
        /** No live target: the shipped recording. */
        RECORDING
    }

    /**
     * @param outputDir where the files go
     * @param duration  how long perf records
     * @param clients   parallel load clients
     * @param frequency perf's sampling frequency in Hz
     * @param target    which target
     * @param warmup    load before the recording starts (the JIT compiles, caches fill)
     */
    public record Options(Path outputDir, Duration duration, int clients, int frequency, Target target, Duration warmup) {
        public Options {
            Objects.requireNonNull(outputDir, "outputDir");
            Objects.requireNonNull(duration, "duration");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(warmup, "warmup");
            if (clients < 1) {
                throw new IllegalArgumentException("clients must be >= 1, got " + clients);
            }
        }
    }

    /** Runs the demo; {@code say} gets one line per step for the user. */
    public LabPipeline.Result run(Options o, Consumer<String> say) throws IOException, InterruptedException {
        if (o.target() == Target.RECORDING) {
            say.accept("using the recording shipped in the repository, as asked (--target recording)");
            return ShippedRecording.render(o.outputDir(), say);
        }
        String noPerf = Preflight.perfProblem();
        if (noPerf != null) {
            say.accept("perf cannot record here: " + noPerf);
            say.accept("rendering the real recording shipped in the repository instead (nothing is profiled live)");
            return ShippedRecording.render(o.outputDir(), say);
        }
        boolean etcd = switch (o.target()) {
            case ETCD -> true;
            case JVM -> false;
            default -> EtcdDemoTarget.available();
        };
        if (o.target() == Target.AUTO) {
            say.accept(etcd ? "target: Debian's etcd is installed (" + EtcdDemoTarget.DEBIAN_ETCD + "), profiling it"
                    : "target: no etcd at " + EtcdDemoTarget.DEBIAN_ETCD + ", profiling the repository's apiserver-like demo server");
        }
        Duration lifetime = o.warmup().plus(o.duration()).plus(Duration.ofMinutes(5));
        DemoTarget target = etcd ? EtcdDemoTarget.start(EtcdDemoTarget.DEBIAN_ETCD, Duration.ofSeconds(60))
                : JvmDemoTarget.start(lifetime, Duration.ofSeconds(120));
        LabPipeline.Source source = null;
        String perfRefused = null;
        Rules rules;
        try {
            say.accept("started " + target.description());
            rules = target.rules();
            // bounded by itself; finish() ends it as soon as the recording is done
            LoadRun load = target.startLoad(o.clients(), o.warmup().plus(o.duration()).plus(Duration.ofSeconds(60)));
            try {
                Thread.sleep(o.warmup().toMillis());
                RecordOptions ro = RecordOptions.builder().pid(target.pid()).duration(o.duration())
                        .frequency(o.frequency()).outputDir(o.outputDir()).build();
                LabRecorder rec = new LabRecorder(GoFrames.enable(ro), target, say);
                current = rec;
                if (stopped) {
                    rec.stop();
                }
                source = rec.record("under load");
            } catch (NotPermittedException | ToolMissingException e) {
                perfRefused = e.getMessage();
            } finally {
                current = null;
                say.accept("load: " + load.finish());
            }
        } finally {
            target.close();
        }
        say.accept("stopped " + target.name() + "; it and everything it wrote are gone");
        if (perfRefused != null) {
            say.accept("perf cannot record here: " + perfRefused);
            say.accept("rendering the real recording shipped in the repository instead (nothing is profiled live)");
            return ShippedRecording.render(o.outputDir(), say);
        }
        String title = etcd ? "flame demo: etcd under load" : "flame demo: apiserver-like demo server under load";
        LabPipeline.Source described = new LabPipeline.Source(source.profile(), source.samples(),
                target.name() + " " + source.description(), source.binary());
        return new LabPipeline(o.outputDir(), rules, title, 10).write(described, null);
    }

    /** The demo's default options: results/, 10 s, 2 clients, 99 Hz, auto target, 2 s warm-up. */
    public static Options defaults() {
        return new Options(Path.of("results"), Duration.ofSeconds(10), 2, 99, Target.AUTO, Duration.ofSeconds(2));
    }

    static List<String> targetNames() {
        return List.of("auto", "etcd", "jvm", "recording");
    }
}
