package io.github.stackfold.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where perf (and the few helper commands the recorder needs: {@code mktemp}, {@code rm}, {@code cat})
 * run. A target only prefixes argument lists; it never builds a shell string:
 *
 * <pre>
 * local    perf record ...
 * nsenter  nsenter --target 1 --mount --uts --ipc --net --pid -- perf record ...
 * kubectl  kubectl exec -n NS POD -c C -- perf record ...
 * </pre>
 *
 * {@code nsenter} is how a privileged {@code hostPID} debug pod reaches the host's perf; {@code kubectl}
 * runs the same commands inside such a pod from outside the cluster. Instances are immutable.
 */
public final class ExecTarget {
    /** How commands reach the profiled machine. */
    public enum Via {
        LOCAL, NSENTER, KUBECTL
    }

    private static final ExecTarget LOCAL = new ExecTarget(Via.LOCAL, List.of(), 0, null, null, null);

    private final Via via;
    private final List<String> prefix;
    private final long nsenterTarget;
    private final String pod;
    private final String namespace;
    private final String container;

    private ExecTarget(Via via, List<String> prefix, long nsenterTarget, String pod, String namespace,
            String container) {
        this.via = via;
        this.prefix = List.copyOf(prefix);
        this.nsenterTarget = nsenterTarget;
        this.pod = pod;
        this.namespace = namespace;
        this.container = container;
    }

    /** Commands run as they are, in this machine's namespaces. */
    public static ExecTarget local() {
        return LOCAL;
    }

    /** Commands run in the mount, UTS, IPC, network and PID namespaces of PID 1 (the host, from a hostPID pod). */
    public static ExecTarget nsenter() {
        return nsenter(1);
    }

    /** Commands run in the mount, UTS, IPC, network and PID namespaces of process {@code targetPid}. */
    public static ExecTarget nsenter(long targetPid) {
        if (targetPid <= 0) {
            throw new IllegalArgumentException("nsenter target must be a PID > 0, got " + targetPid);
        }
        return new ExecTarget(Via.NSENTER, List.of("nsenter", "--target", Long.toString(targetPid),
                "--mount", "--uts", "--ipc", "--net", "--pid", "--"), targetPid, null, null, null);
    }

    /**
     * Commands run inside a pod through {@code kubectl exec}; {@code namespace} and {@code container}
     * may be null (kubectl's defaults: the current namespace, the pod's default container).
     */
    public static ExecTarget kubectl(String pod, String namespace, String container) {
        return kubectl(List.of("kubectl"), pod, namespace, container);
    }

    /**
     * Commands run inside a pod through {@code KUBECTL... exec}, where {@code kubectl} is the kubectl
     * command, e.g. {@code [/usr/local/bin/kubectl]} or {@code [kubectl, --context, prod]}.
     */
    public static ExecTarget kubectl(List<String> kubectl, String pod, String namespace, String container) {
        Objects.requireNonNull(pod, "pod");
        if (kubectl.isEmpty()) {
            throw new IllegalArgumentException("the kubectl command is empty");
        }
        if (pod.isEmpty() || pod.startsWith("-")) {
            throw new IllegalArgumentException("not a pod name: '" + pod + "'");
        }
        List<String> p = new ArrayList<>(kubectl);
        p.add("exec");
        if (namespace != null) {
            p.add("-n");
            p.add(namespace);
        }
        p.add(pod);
        if (container != null) {
            p.add("-c");
            p.add(container);
        }
        p.add("--");
        return new ExecTarget(Via.KUBECTL, p, 0, pod, namespace, container);
    }

    /** The command {@code argv} as run on this target: the prefix followed by {@code argv}. */
    public List<String> command(List<String> argv) {
        if (prefix.isEmpty()) {
            return List.copyOf(argv);
        }
        List<String> out = new ArrayList<>(prefix.size() + argv.size());
        out.addAll(prefix);
        out.addAll(argv);
        return List.copyOf(out);
    }

    /** The command {@code argv} as run on this target. */
    public List<String> command(String... argv) {
        return command(List.of(argv));
    }

    public Via via() {
        return via;
    }

    /** The local program this target runs first ({@code nsenter}, {@code kubectl}), or null for local. */
    public String launcher() {
        return prefix.isEmpty() ? null : prefix.get(0);
    }

    /** The nsenter target PID, or 0 when this is not an nsenter target. */
    public long nsenterTarget() {
        return nsenterTarget;
    }

    /** The pod, or null when this is not a kubectl target. */
    public String pod() {
        return pod;
    }

    /** The kubectl namespace, or null. */
    public String namespace() {
        return namespace;
    }

    /** The kubectl container, or null. */
    public String container() {
        return container;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExecTarget && ((ExecTarget) o).via == via && ((ExecTarget) o).prefix.equals(prefix);
    }

    @Override
    public int hashCode() {
        return via.hashCode() * 31 + prefix.hashCode();
    }

    /** A short description for messages, e.g. {@code local}, {@code nsenter --target 1}, {@code kubectl pod ns/p}. */
    @Override
    public String toString() {
        switch (via) {
            case NSENTER:
                return "nsenter --target " + nsenterTarget;
            case KUBECTL:
                return "kubectl pod " + (namespace == null ? "" : namespace + "/") + pod
                        + (container == null ? "" : " container " + container);
            default:
                return "local";
        }
    }
}
