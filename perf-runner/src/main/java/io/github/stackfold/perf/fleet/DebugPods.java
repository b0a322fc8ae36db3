package io.github.stackfold.perf.fleet;

import io.github.stackfold.flamegraph.BadInputException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The privileged, {@code hostPID} debug pods that perf runs in, one per node (a DaemonSet such as
 * {@code manifests/debug-profiler-daemonset.yaml}), and which of them shares a node with each
 * apiserver replica. Listed with
 *
 * <pre>
 * kubectl get pods [-n NS] [-l SELECTOR] -o json
 * </pre>
 *
 * of whose answer (a {@code PodList}) this reads each pod's {@code metadata.name},
 * {@code metadata.namespace}, {@code metadata.deletionTimestamp}, {@code spec.nodeName},
 * {@code status.phase}, {@code status.hostIP} and {@code status.hostIPs[].ip}. A pod is a debug pod
 * when it is {@code Running}, not being deleted, and matches the label selector, or, without one,
 * its name starts with the prefix (the DaemonSet's pods are {@code debug-profiler-xxxxx}).
 *
 * <p>A replica's node: its EndpointSlice's {@code nodeName} when it has one; otherwise (the
 * {@code kubernetes} Service's slices usually name no node) the node whose IP is the replica's
 * address, as kube-apiserver runs on the host network: the pod whose {@code hostIP} is that address.
 * Listing needs RBAC {@code list} on {@code pods} in the namespace, running perf {@code create} on
 * {@code pods/exec}.
 *
 * @param pods   the debug pods found
 * @param wanted what was looked for, for messages: {@code pods named debug-profiler*} or
 *               {@code pods with labels app=x}
 */
public record DebugPods(List<Pod> pods, String wanted) {
    /** A debug pod and the node it runs on. */
    public record Pod(String name, String namespace, String node, List<String> hostIps) {
        public Pod {
            hostIps = List.copyOf(hostIps);
        }
    }

    public DebugPods {
        pods = List.copyOf(pods);
    }

    /** The debug pod on the node of {@code replica}, if there is one (the first by name when there are several). */
    public Optional<Pod> on(Replica replica) {
        return pods.stream()
                .filter(p -> replica.node().isEmpty() ? p.hostIps().contains(replica.address()) : p.node().equals(replica.node()))
                .min(Comparator.comparing(Pod::name));
    }

    /**
     * The arguments after the kubectl command that list the candidate pods: {@code get pods [-n NS]
     * [-l SELECTOR] -o json}; {@code namespace} and {@code selector} may be null.
     */
    public static List<String> listArgs(String namespace, String selector) {
        List<String> a = new ArrayList<>(List.of("get", "pods"));
        if (namespace != null) {
            a.addAll(List.of("-n", namespace));
        }
        if (selector != null) {
            a.addAll(List.of("-l", selector));
        }
        a.addAll(List.of("-o", "json"));
        return a;
    }

    /**
     * Lists the debug pods with {@code kubectl}: those matching {@code selector} when it is not null,
     * else those whose name starts with {@code prefix}.
     */
    public static DebugPods list(List<String> kubectl, String namespace, String prefix, String selector,
            Duration timeout) throws IOException {
        List<String> argv = new ArrayList<>(kubectl);
        argv.addAll(listArgs(namespace, selector));
        String source = String.join(" ", argv);
        byte[] stdout = KubectlGet.run(argv, timeout,
                "finding the debug pods needs RBAC 'list' on pods" + (namespace == null ? "" : " in namespace " + namespace));
        return parse(stdout, source, prefix, selector);
    }

    /**
     * The debug pods in a {@code PodList}; {@code source} names the input in errors; the pods are
     * those whose name starts with {@code prefix}, or all listed when {@code selector} is not null
     * (kubectl selected them).
     */
    public static DebugPods parse(byte[] json, String source, String prefix, String selector) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new BadInputException(source, "expected a PodList as JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject() || !root.path("items").isArray()) {
            throw new BadInputException(source, "expected a PodList as JSON (an object with 'items')");
        }
        List<Pod> out = new ArrayList<>();
        for (JsonNode item : root.get("items")) {
            String name = item.path("metadata").path("name").asText("");
            if (name.isEmpty() || selector == null && !name.startsWith(prefix)
                    || !"Running".equals(item.path("status").path("phase").asText())
                    || item.path("metadata").hasNonNull("deletionTimestamp")) {
                continue;
            }
            List<String> ips = new ArrayList<>();
            String hostIp = item.path("status").path("hostIP").asText("");
            if (!hostIp.isEmpty()) {
                ips.add(hostIp);
            }
            for (JsonNode ip : item.path("status").path("hostIPs")) {
                String a = ip.path("ip").asText("");
                if (!a.isEmpty() && !ips.contains(a)) {
                    ips.add(a);
                }
            }
            out.add(new Pod(name, item.path("metadata").path("namespace").asText(""),
                    item.path("spec").path("nodeName").asText(""), ips));
        }
        return new DebugPods(out, selector == null ? "pods named " + prefix + "*" : "pods with labels " + selector);
    }
}
