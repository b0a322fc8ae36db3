package io.github.stackfold.perf.fleet;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.perf.NoTargetException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Lists the kube-apiserver replicas behind the {@code kubernetes} Service from its EndpointSlices:
 *
 * <pre>
 * kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes -o json
 * </pre>
 *
 * What is read of the answer (an {@code EndpointSliceList}), with a three-replica control plane:
 *
 * <pre>
 * {"kind": "EndpointSliceList", "items": [{
 *    "addressType": "IPv4",
 *    "endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": true}},
 *                  {"addresses": ["10.0.0.2"], "conditions": {"ready": true}},
 *                  {"addresses": ["10.0.0.3"], "conditions": {"ready": false}}],
 *    "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]}
 * </pre>
 *
 * Every address of every endpoint not marked {@code ready: false} is a replica (a missing condition
 * counts as ready, as the API defines it), at the slice's port named {@code https} (or its only
 * port). A dual-stack cluster lists each apiserver twice, in an IPv4 and an IPv6 slice: the IPv4
 * slices are used when there are any. Listing needs RBAC {@code list} on {@code endpointslices}
 * ({@code discovery.k8s.io}) in namespace {@code default}.
 */
public final class Endpoints {
    /** The arguments after the kubectl command that list the Service's EndpointSlices. */
    public static final List<String> LIST_ARGS = List.of("get", "endpointslices", "-n", "default",
            "-l", "kubernetes.io/service-name=kubernetes", "-o", "json");

    private Endpoints() {
    }

    /** Runs {@code kubectl ... get endpointslices ...} and returns the ready replicas, in the order listed. */
    public static List<Replica> list(List<String> kubectl, Duration timeout) throws IOException {
        List<String> argv = new ArrayList<>(kubectl);
        argv.addAll(LIST_ARGS);
        String source = String.join(" ", argv);
        byte[] stdout = KubectlGet.run(argv, timeout,
                "listing the replicas needs RBAC 'list' on endpointslices.discovery.k8s.io in namespace default");
        List<Replica> replicas = parse(stdout, source);
        if (replicas.isEmpty()) {
            throw new NoTargetException(source + ": the kubernetes Service has no ready endpoint");
        }
        return replicas;
    }

    /**
     * The ready replicas in an {@code EndpointSliceList} (or a single {@code EndpointSlice});
     * {@code source} names the input in errors.
     */
    public static List<Replica> parse(byte[] json, String source) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException(source, "expected an EndpointSliceList as JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadInputException(source, "expected an EndpointSliceList as JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException(source, "expected an EndpointSliceList as JSON, got no JSON object");
        }
        List<JsonNode> slices = new ArrayList<>();
        if (root.has("items")) {
            root.get("items").forEach(slices::add);
        } else if ("EndpointSlice".equals(root.path("kind").asText())) {
            slices.add(root);
        } else {
            throw new BadInputException(source, "expected an EndpointSliceList (with 'items'), got kind '"
                    + root.path("kind").asText() + "'");
        }
        boolean anyIpv4 = slices.stream().anyMatch(s -> "IPv4".equals(s.path("addressType").asText()));
        Set<Replica> out = new LinkedHashSet<>();
        for (JsonNode slice : slices) {
            if (anyIpv4 && !"IPv4".equals(slice.path("addressType").asText())) {
                continue;
            }
            int port = port(slice, source);
            for (JsonNode ep : slice.path("endpoints")) {
                if (ep.path("conditions").path("ready").isBoolean() && !ep.path("conditions").path("ready").asBoolean()) {
                    continue;
                }
                String node = ep.path("nodeName").asText("");
                for (JsonNode a : ep.path("addresses")) {
                    out.add(new Replica(a.asText(), port, node));
                }
            }
        }
        return List.copyOf(out);
    }

    private static int port(JsonNode slice, String source) {
        JsonNode ports = slice.path("ports");
        JsonNode chosen = null;
        for (JsonNode p : ports) {
            if ("https".equals(p.path("name").asText()) || ports.size() == 1) {
                chosen = p;
            }
        }
        if (chosen == null || !chosen.path("port").canConvertToInt() || chosen.path("port").asInt() < 1) {
            throw new BadInputException(source, "expected the EndpointSlice '" + slice.path("metadata").path("name").asText()
                    + "' to have a port named https (or one port), got " + ports);
        }
        return chosen.path("port").asInt();
    }
}
