package io.github.stackfold.cli;

import io.github.stackfold.perf.ExecTarget;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Which process perf records and where perf runs ({@code @Mixin} of record and profile): here, in
 * another process's namespaces ({@code --via nsenter}) or in a debug pod ({@code --via kubectl}).
 */
final class TargetFlags {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--pid", paramLabel = "N",
            description = "The PID to record (as perf sees it on the target), instead of finding the process by name.")
    Long pid;

    @Option(names = "--process", paramLabel = "NAME", defaultValue = "kube-apiserver",
            description = "Find the process by name (default: ${DEFAULT-VALUE}); several matches are an error"
                    + " that lists them.")
    String process;

    @Option(names = "--via", paramLabel = "HOW", defaultValue = "local",
            description = "Where perf runs: local, nsenter or kubectl (default: ${DEFAULT-VALUE}).")
    ExecTarget.Via via;

    @Option(names = "--nsenter-target", paramLabel = "PID", defaultValue = "1",
            description = "With --via nsenter: whose namespaces perf runs in (default: ${DEFAULT-VALUE}, the host"
                    + " from a hostPID pod).")
    long nsenterTarget;

    @Option(names = "--pod", paramLabel = "POD", defaultValue = "debug-profiler",
            description = "With --via kubectl: the privileged, hostPID debug pod (default: ${DEFAULT-VALUE}).")
    String pod;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "With --via kubectl: the pod's namespace.")
    String namespace;

    @Option(names = {"-c", "--container"}, paramLabel = "NAME", description = "With --via kubectl: the container in the pod.")
    String container;

    @Option(names = "--kubectl", paramLabel = "PROGRAM", defaultValue = "kubectl",
            description = "The kubectl to run for --via kubectl (and in flame profile for --load, --pprof kubectl and"
                    + " --all-replicas) (default: ${DEFAULT-VALUE}).")
    String kubectl;

    /** Whether {@code --pid} and {@code --process} were both given (they exclude each other). */
    void checkPidOrProcess() {
        if (pid != null && given("--process")) {
            throw usage("--pid and --process exclude each other");
        }
    }

    /** Where perf runs, checked against the flags that only make sense with {@code --via kubectl}. */
    ExecTarget target() {
        if (via != ExecTarget.Via.KUBECTL && (given("--pod") || namespace != null || container != null)) {
            throw usage("--pod, --namespace and --container need --via kubectl");
        }
        try {
            return switch (via) {
                case NSENTER -> ExecTarget.nsenter(nsenterTarget);
                case KUBECTL -> ExecTarget.kubectl(java.util.List.of(kubectl), pod, namespace, container);
                default -> ExecTarget.local();
            };
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private boolean given(String option) {
        return mixee.commandLine().getParseResult().hasMatchedOption(option);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(mixee.commandLine(), message);
    }
}
