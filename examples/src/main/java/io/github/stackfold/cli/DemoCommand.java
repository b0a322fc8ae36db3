package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.lab.DemoRun;

import java.time.Duration;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code flame demo}: the lab's pipeline end to end on a server it starts itself (etcd when installed,
 * otherwise the repository's apiserver-like demo server), or on the shipped recording where perf cannot
 * record. Progress goes to stderr, the five-line summary to stdout.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        header = "Run the lab's pipeline on a server the demo starts itself.",
        defaultValueProvider = DemoCommand.Defaults.class,
        description = {"Runs the lab's pipeline end to end on a target it starts itself: Debian's etcd (/usr/bin/etcd)"
                + " when installed, otherwise the repository's apiserver-like demo server (a JVM profiled with its JIT"
                + " perf map), under bounded generated load. Writes the same files as 'flame profile'. Where perf is"
                + " missing or not permitted it renders the real recording shipped in the repository instead, and"
                + " says so."})
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    FlameCli flame;

    @Mixin
    OutputDirFlag outputDir;

    @Mixin
    RecordingFlags recording;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "2s", converter = DurationConverter.class,
            description = "Load before the recording starts (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "2",
            description = "Parallel load clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--target", paramLabel = "TARGET", defaultValue = "auto",
            description = "auto (etcd if installed, else jvm), etcd, jvm (the demo server), or recording (the shipped"
                    + " one) (default: ${DEFAULT-VALUE}).")
    DemoRun.Target target;

    /** The demo records for 10 s unless told otherwise. */
    static final class Defaults extends OptionDefault {
        Defaults() {
            super("--duration", "10s");
        }
    }

    @Override
    public Integer call() throws Exception {
        if (clients < 1) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "--clients must be at least 1");
        }
        int frequency = recording.frequency();
        // before the recording: a directory the results cannot go to is refused, not found out after it
        AtomicOutput.requireWritableDirectory(outputDir.dir);
        long t0 = System.nanoTime();
        DemoRun.Options o = new DemoRun.Options(outputDir.dir, recording.duration, clients, frequency, target, warmup);
        DemoRun run = new DemoRun();
        // what the demo started is ended in its finally blocks
        int code = LabRuns.run(flame, "demo", run::stop, run::stopped, say -> run.run(o, say));
        flame.stderr().printf("flame demo: done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        flame.stderr().flush();
        return code;
    }
}
