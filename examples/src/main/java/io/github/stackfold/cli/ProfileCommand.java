package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.lab.LabPipeline;
import io.github.stackfold.lab.ProfileRun;
import io.github.stackfold.perf.ExecTarget;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code flame profile}: the whole lab in one command. Translates flags into {@link ProfileRun.Options};
 * progress goes to stderr, the five-line summary to stdout. Ctrl-C (or SIGTERM) stops the recording
 * early and still writes the results of what was recorded; the exit code is then 130.
 */
final class ProfileCommand implements Callable<Integer> {
    final FlameCli flame;
    private CommandSpec spec;

    String process;
    long pid;
    Duration duration;
    int frequency;
    ExecTarget.Via via;
    long nsenterTarget;
    String pod;
    String namespace;
    String container;
    int load;
    String kubectl;
    boolean compareIdle;
    String pprof;
    String rules;
    Path outputDir;

    ProfileCommand(FlameCli flame) {
        this.flame = flame;
    }

    /** This command's model: its name, description and options. */
    CommandSpec spec() {
        spec = Specs.command(this, "profile",
                "Does the whole lab: finds kube-apiserver (or --pid), records it with perf (locally, --via nsenter from a"
                    + " hostPID pod, or --via kubectl in the debug pod), names its stripped Go frames, and writes"
                    + " DIR/flame.svg, DIR/apiserver.folded, DIR/report.md and DIR/report.json, then prints a five-line"
                    + " summary. --load N adds the lab's 'kubectl get pods --all-namespaces' load, --compare-idle records"
                    + " idle and under load and adds DIR/diff.svg, --pprof takes the profile from the apiserver's pprof"
                    + " endpoint instead of perf.");
        spec.addOption(Specs.option("--process", "NAME", String.class).defaultValue("kube-apiserver")
                .description("Process to find by name (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.option("--pid", "N", long.class)
                .description("Record this PID instead of finding the process by name.").build());
        spec.addOption(Specs.option("--duration", "TIME", Duration.class).defaultValue("30s")
                .converters(new LabDurationConverter())
                .description("How long to record, each time with --compare-idle (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.option(new String[] {"-F", "--frequency"}, "HZ", int.class).defaultValue("99")
                .description("perf's sampling frequency (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.option("--via", "HOW", ExecTarget.Via.class).defaultValue("local")
                .description("Where perf runs: local, nsenter or kubectl (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.option("--nsenter-target", "PID", long.class).defaultValue("1")
                .description("With --via nsenter: whose namespaces (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.option("--pod", "POD", String.class).defaultValue("debug-profiler")
                .description("With --via kubectl: the debug pod (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.option(new String[] {"-n", "--namespace"}, "NS", String.class)
                .description("With --via kubectl: the pod's namespace.").build());
        spec.addOption(Specs.option(new String[] {"-c", "--container"}, "NAME", String.class)
                .description("With --via kubectl: the container.").build());
        spec.addOption(Specs.option("--load", "N", int.class).defaultValue("0")
                .description("Run N parallel 'kubectl get pods --all-namespaces' loops while recording.").build());
        spec.addOption(Specs.option("--kubectl", "PROGRAM", String.class).defaultValue("kubectl")
                .description("The kubectl for --load and --pprof kubectl (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.flag("--compare-idle",
                "Record idle, then under load; adds DIR/diff.svg and the category deltas."));
        spec.addOption(Specs.option("--pprof", "SOURCE", String.class).arity("0..1").fallbackValue("kubectl")
                .description("Take the profile from the apiserver's pprof endpoint instead of perf: 'kubectl' (kubectl get --raw, the"
                    + " default when no value is given) or an http(s)://.../debug/pprof/profile URL.").build());
        spec.addOption(Specs.option("--rules", "RULES", String.class)
                .description("Analysis categories: a JSON or YAML file, or a built-in set"
                    + " (kube-apiserver, the default; etcd; jvm).").build());
        spec.addOption(Specs.option("--output-dir", "DIR", Path.class).defaultValue("results")
                .description("Where the files go (default: ${DEFAULT-VALUE}).").build());
        return Specs.withHelpOptions(spec);
    }

    /** Sets the fields from the command line. */
    private void bind() {
        process = Specs.value(spec, "--process");
        pid = Specs.value(spec, "--pid", 0L);
        duration = Specs.value(spec, "--duration");
        frequency = Specs.value(spec, "--frequency");
        via = Specs.value(spec, "--via");
        nsenterTarget = Specs.value(spec, "--nsenter-target");
        pod = Specs.value(spec, "--pod");
        namespace = Specs.value(spec, "--namespace");
        container = Specs.value(spec, "--container");
        load = Specs.value(spec, "--load");
        kubectl = Specs.value(spec, "--kubectl");
        compareIdle = Specs.flag(spec, "--compare-idle");
        pprof = Specs.value(spec, "--pprof");
        rules = Specs.value(spec, "--rules");
        outputDir = Specs.value(spec, "--output-dir");
    }

    @Override
    public Integer call() throws Exception {
        bind();
        if (load < 0) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "--load must be 0 or more");
        }
        if (frequency < 1) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "--frequency must be at least 1");
        }
        try {
            ProfileRun.checkPprofSource(pprof); // anything else ended in an "internal error"
        } catch (IllegalArgumentException e) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, e.getMessage());
        }
        ExecTarget target = switch (via) {
            case NSENTER -> ExecTarget.nsenter(nsenterTarget);
            case KUBECTL -> ExecTarget.kubectl(pod, namespace, container);
            default -> ExecTarget.local();
        };
        Rules r = CliProfiles.rules(rules);
        ProfileRun.Options o = new ProfileRun.Options(process, pid, duration, frequency, target, load, kubectl,
                compareIdle, pprof, outputDir, r);
        ProfileRun run = new ProfileRun();
        LabPipeline.Result res;
        // SIGINT/SIGTERM stop the recording (perf writes what it has) instead of ending the JVM
        try (RecordCommand.Signals ignored = RecordCommand.Signals.onInterrupt(run::stop)) {
            res = run.run(o, line -> {
                flame.stderr().println("flame profile: " + line);
                flame.stderr().flush();
            });
        }
        PrintStream out = new PrintStream(flame.stdout(), true, StandardCharsets.UTF_8);
        for (String line : res.summary()) {
            out.println(line);
        }
        out.flush();
        return run.stopped() ? ExitCodes.INTERRUPTED : ExitCodes.OK;
    }
}
