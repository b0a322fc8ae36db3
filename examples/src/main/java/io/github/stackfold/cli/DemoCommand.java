package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.lab.DemoRun;
import io.github.stackfold.lab.LabPipeline;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code flame demo}: the lab's pipeline end to end on a server it starts itself (etcd when installed,
 * otherwise the repository's apiserver-like demo server), or on the shipped recording where perf cannot
 * record. Progress goes to stderr, the five-line summary to stdout.
 */
final class DemoCommand implements Callable<Integer> {
    final FlameCli flame;
    private CommandSpec spec;

    Path outputDir;
    Duration duration;
    Duration warmup;
    int clients;
    int frequency;
    DemoRun.Target target;

    DemoCommand(FlameCli flame) {
        this.flame = flame;
    }

    /** This command's model: its name, description and options. */
    CommandSpec spec() {
        spec = Specs.command(this, "demo",
                "Runs the lab's pipeline end to end on a target it starts itself: Debian's etcd (/usr/bin/etcd)"
                    + " when installed, otherwise the repository's apiserver-like demo server (a JVM profiled with"
                    + " its JIT perf map), under bounded generated load. Writes the same files as 'flame profile'."
                    + " Where perf is missing or not permitted it renders the real recording shipped in the"
                    + " repository instead, and says so.");
        spec.addOption(Specs.option("--output-dir", "DIR", Path.class).defaultValue("results")
                .description("Where the files go (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.option("--duration", "TIME", Duration.class).defaultValue("10s")
                .converters(new LabDurationConverter())
                .description("How long perf records: 10s, 1.5s, 500ms, 1m (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.option("--warmup", "TIME", Duration.class).defaultValue("2s")
                .converters(new LabDurationConverter())
                .description("Load before the recording starts (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.option("--clients", "N", int.class).defaultValue("2")
                .description("Parallel load clients (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.option(new String[] {"-F", "--frequency"}, "HZ", int.class).defaultValue("99")
                .description("perf's sampling frequency (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.option("--target", "TARGET", DemoRun.Target.class).defaultValue("auto")
                .description("auto (etcd if installed, else jvm), etcd, jvm (the demo server), or recording (the shipped one)"
                    + " (default: ${DEFAULT-VALUE}).").build());
        return Specs.withHelpOptions(spec);
    }

    /** Sets the fields from the command line. */
    private void bind() {
        outputDir = Specs.value(spec, "--output-dir");
        duration = Specs.value(spec, "--duration");
        warmup = Specs.value(spec, "--warmup");
        clients = Specs.value(spec, "--clients");
        frequency = Specs.value(spec, "--frequency");
        target = Specs.value(spec, "--target");
    }

    @Override
    public Integer call() throws Exception {
        bind();
        if (clients < 1) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "--clients must be at least 1");
        }
        if (frequency < 1) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "--frequency must be at least 1");
        }
        // before the recording: a directory the results cannot go to is refused, not found out after it
        AtomicOutput.requireWritableDirectory(outputDir);
        long t0 = System.nanoTime();
        DemoRun.Options o = new DemoRun.Options(outputDir, duration, clients, frequency, target, warmup);
        DemoRun run = new DemoRun();
        LabPipeline.Result r;
        // SIGINT/SIGTERM stop the recording (perf writes what it has) instead of ending the JVM; what
        // the demo started is ended in its finally blocks
        try (RecordCommand.Signals ignored = RecordCommand.Signals.onInterrupt(run::stop)) {
            r = run.run(o, line -> {
                flame.stderr().println("flame demo: " + line);
                flame.stderr().flush();
            });
        }
        PrintStream out = new PrintStream(flame.stdout(), true, StandardCharsets.UTF_8);
        for (String line : r.summary()) {
            out.println(line);
        }
        out.flush();
        flame.stderr().printf("flame demo: done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        flame.stderr().flush();
        return run.stopped() ? ExitCodes.INTERRUPTED : ExitCodes.OK;
    }
}
