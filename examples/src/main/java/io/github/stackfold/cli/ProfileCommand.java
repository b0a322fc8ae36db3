package io.github.stackfold.cli;

import io.github.stackfold.lab.ProfileRun;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code flame profile}: the whole lab in one command. Translates flags into {@link ProfileRun.Options};
 * progress goes to stderr, the five-line summary to stdout. Ctrl-C (or SIGTERM) stops the recording
 * early and still writes the results of what was recorded; the exit code is then 130.
 */
@Command(name = "profile", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        header = "Do the whole lab: record kube-apiserver, draw and analyze it.",
        description = {"Does the whole lab: finds kube-apiserver (or --pid), records it with perf (locally, --via"
                + " nsenter from a hostPID pod, or --via kubectl in the debug pod), names its stripped Go frames, and"
                + " writes DIR/flame.svg, DIR/apiserver.folded (NAME.folded for another program, e.g. etcd.folded),"
                + " DIR/flame.html (the viewer), DIR/report.md and DIR/report.json, then prints a"
                + " five-line summary. --load N adds the lab's 'kubectl get pods --all-namespaces' load,"
                + " --compare-idle records idle and under load and adds DIR/diff.svg, --pprof takes the profile from"
                + " the apiserver's pprof endpoint instead of perf."})
final class ProfileCommand implements Callable<Integer> {
    @ParentCommand
    FlameCli flame;

    @Mixin
    TargetFlags target;

    @Mixin
    RecordingFlags recording;

    @Option(names = "--load", paramLabel = "N", defaultValue = "0",
            description = "Run N parallel 'kubectl get pods --all-namespaces' loops while recording (default: ${DEFAULT-VALUE}).")
    int load;

    @Option(names = "--compare-idle",
            description = "Record idle, then under load (each for --duration); adds DIR/diff.svg and the category deltas.")
    boolean compareIdle;

    @Option(names = "--pprof", paramLabel = "SOURCE", arity = "0..1", fallbackValue = "kubectl",
            description = "Take the profile from the apiserver's pprof endpoint instead of perf: 'kubectl' (kubectl"
                    + " get --raw, the default when no value is given) or an http(s)://.../debug/pprof/profile URL.")
    String pprof;

    @Option(names = "--all-replicas",
            description = "With --pprof, or with --via kubectl (perf in the debug pod on each replica's node, see"
                    + " manifests/debug-profiler-daemonset.yaml): profile every replica of the kubernetes Service at"
                    + " once; each replica's files and their comparison go to DIR/replicas/, the lab's files are of"
                    + " all replicas merged.")
    boolean allReplicas;

    @Option(names = "--pod-selector", paramLabel = "SELECTOR",
            description = "With --via kubectl --all-replicas: find each node's debug pod by this label selector"
                    + " (e.g. app=debug-profiler) instead of by --pod as a name prefix.")
    String podSelector;

    @Mixin
    RulesFlag rules;

    @Mixin
    OutputDirFlag outputDir;

    @Mixin
    MetricsFlags metrics;

    @Override
    public Integer call() throws Exception {
        if (load < 0) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "--load must be 0 or more");
        }
        int frequency = recording.frequency();
        try {
            ProfileRun.checkPprofSource(pprof); // anything else ended in an "internal error"
        } catch (IllegalArgumentException e) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, e.getMessage());
        }
        if (allReplicas && pprof == null && target.via != io.github.stackfold.perf.ExecTarget.Via.KUBECTL) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, ProfileRun.ALL_REPLICAS_USAGE);
        }
        target.checkPidOrProcess();
        long pid = target.pid == null ? 0 : target.pid;
        ProfileRun.Options o;
        try {
            o = new ProfileRun.Options(target.process, pid, recording.duration, frequency, target.target(),
                    load, target.kubectl, compareIdle, pprof, outputDir.dir, rules.explicitRules(), allReplicas, podSelector);
        } catch (IllegalArgumentException e) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, e.getMessage());
        }
        ProfileRun run = new ProfileRun().metrics(metrics.source(target.kubectl), flame.stdin());
        try {
            return LabRuns.run(flame, "profile", run::stop, run::stopped, say -> run.run(o, say));
        } catch (io.github.stackfold.perf.NoTargetException e) {
            if (pprof == null && !allReplicas && pid == 0 && target.via != io.github.stackfold.perf.ExecTarget.Via.KUBECTL
                    && String.valueOf(e.getMessage()).startsWith("no process named '")) {
                // where else the apiserver can be profiled from, as the lab does it
                throw new FlameCli.CliExit(ExitCodes.NO_TARGET, e.getMessage() + " here: run flame profile on a control-plane"
                        + " node (as root), or from elsewhere use --via kubectl -n kube-system (perf in the debug pod of"
                        + " manifests/debug-profiler.yaml) or --pprof (the apiserver's pprof endpoint through kubectl get --raw);"
                        + " --pid N records a process by its PID");
            }
            throw e;
        }
    }
}
