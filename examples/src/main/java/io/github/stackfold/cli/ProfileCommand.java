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

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code flame profile}: the whole lab in one command. Translates flags into {@link ProfileRun.Options};
 * progress goes to stderr, the five-line summary to stdout. Ctrl-C (or SIGTERM) stops the recording
 * early and still writes the results of what was recorded; the exit code is then 130.
 */
@Command(name = "profile",
        description = {
            "Does the whole lab: finds kube-apiserver (or --pid), records it with perf (locally, --via nsenter from a"
                + " hostPID pod, or --via kubectl in the debug pod), names its stripped Go frames, and writes"
                + " DIR/flame.svg, DIR/apiserver.folded, DIR/report.md and DIR/report.json, then prints a five-line"
                + " summary. --load N adds the lab's 'kubectl get pods --all-namespaces' load, --compare-idle records"
                + " idle and under load and adds DIR/diff.svg, --pprof takes the profile from the apiserver's pprof"
                + " endpoint instead of perf.",
        },
        mixinStandardHelpOptions = true)
final class ProfileCommand implements Callable<Integer> {
    @ParentCommand
    FlameCli flame;

    @Option(names = "--process", paramLabel = "NAME", description = "Process to find by name (default: ${DEFAULT-VALUE}).",
            defaultValue = "kube-apiserver")
    String process;

    @Option(names = "--pid", paramLabel = "N", description = "Record this PID instead of finding the process by name.")
    long pid;

    @Option(names = "--duration", paramLabel = "TIME", converter = LabDurationConverter.class,
            description = "How long to record, each time with --compare-idle (default: ${DEFAULT-VALUE}).", defaultValue = "30s")
    Duration duration;

    @Option(names = {"-F", "--frequency"}, paramLabel = "HZ", description = "perf's sampling frequency (default: ${DEFAULT-VALUE}).",
            defaultValue = "99")
    int frequency;

    @Option(names = "--via", paramLabel = "HOW", description = "Where perf runs: local, nsenter or kubectl (default: ${DEFAULT-VALUE}).",
            defaultValue = "local")
    ExecTarget.Via via;

    @Option(names = "--nsenter-target", paramLabel = "PID", description = "With --via nsenter: whose namespaces (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    long nsenterTarget;

    @Option(names = "--pod", paramLabel = "POD", description = "With --via kubectl: the debug pod (default: ${DEFAULT-VALUE}).",
            defaultValue = "debug-profiler")
    String pod;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "With --via kubectl: the pod's namespace.")
    String namespace;

    @Option(names = {"-c", "--container"}, paramLabel = "NAME", description = "With --via kubectl: the container.")
    String container;

    @Option(names = "--load", paramLabel = "N", description = "Run N parallel 'kubectl get pods --all-namespaces' loops while recording.",
            defaultValue = "0")
    int load;

    @Option(names = "--kubectl", paramLabel = "PROGRAM", description = "The kubectl for --load and --pprof kubectl (default: ${DEFAULT-VALUE}).",
            defaultValue = "kubectl")
    String kubectl;

    @Option(names = "--compare-idle", description = "Record idle, then under load; adds DIR/diff.svg and the category deltas.")
    boolean compareIdle;

    @Option(names = "--pprof", paramLabel = "SOURCE", arity = "0..1", fallbackValue = "kubectl",
            description = "Take the profile from the apiserver's pprof endpoint instead of perf: 'kubectl' (kubectl get --raw, the"
                + " default when no value is given) or an http(s)://.../debug/pprof/profile URL.")
    String pprof;

    @Option(names = "--rules", paramLabel = "RULES", description = "Analysis categories: a JSON or YAML file, or a built-in set"
            + " (kube-apiserver, the default; etcd; jvm).")
    String rules;

    @Option(names = "--output-dir", paramLabel = "DIR", description = "Where the files go (default: ${DEFAULT-VALUE}).",
            defaultValue = "results")
    Path outputDir;

    @Override
    public Integer call() throws Exception {
        if (load < 0) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "--load must be 0 or more");
        }
        if (frequency < 1) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "--frequency must be at least 1");
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
