package io.github.stackfold.perf.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Which debug pod runs beside each apiserver replica, from a PodList as {@code kubectl get pods -o json} prints it. */
class DebugPodsTest {
    private static final String PODS = """
            {"apiVersion": "v1", "kind": "List", "items": [
              {"metadata": {"name": "debug-profiler-7xk2p", "namespace": "kube-system"},
               "spec": {"nodeName": "cp-1"}, "status": {"phase": "Running", "hostIP": "10.0.0.1",
               "hostIPs": [{"ip": "10.0.0.1"}, {"ip": "fd00::1"}]}},
              {"metadata": {"name": "debug-profiler-9qz4m", "namespace": "kube-system", "deletionTimestamp": "2026-12-07T10:00:00Z"},
               "spec": {"nodeName": "cp-2"}, "status": {"phase": "Running", "hostIP": "10.0.0.2"}},
              {"metadata": {"name": "debug-profiler-b8d4c", "namespace": "kube-system"},
               "spec": {"nodeName": "cp-3"}, "status": {"phase": "Pending", "hostIP": "10.0.0.3"}},
              {"metadata": {"name": "etcd-cp-2", "namespace": "kube-system"},
               "spec": {"nodeName": "cp-2"}, "status": {"phase": "Running", "hostIP": "10.0.0.2"}}
            ]}
            """;

    private static DebugPods parse(String prefix, String selector) {
        return DebugPods.parse(PODS.getBytes(StandardCharsets.UTF_8), "pods.json", prefix, selector);
    }

    @Test
    void aReplicaWithoutANodeNameIsMatchedByItsAddressAsTheNodesHostIp() {
        DebugPods pods = parse("debug-profiler", null);
        assertThat(pods.pods()).extracting(DebugPods.Pod::name).containsExactly("debug-profiler-7xk2p");
        assertThat(pods.on(new Replica("10.0.0.1", 6443, ""))).map(DebugPods.Pod::name).contains("debug-profiler-7xk2p");
        assertThat(pods.on(new Replica("fd00::1", 6443, ""))).isPresent();
        assertThat(pods.on(new Replica("10.0.0.9", 6443, "cp-1"))).as("a node name wins over the address").isPresent();
        assertThat(pods.on(new Replica("10.0.0.1", 6443, "cp-9"))).isEmpty();
    }

    @Test
    void aPodBeingDeletedOrNotRunningOrOfAnotherNameIsNoDebugPod() {
        DebugPods pods = parse("debug-profiler", null);
        assertThat(pods.on(new Replica("10.0.0.2", 6443, "cp-2"))).as("being deleted; etcd-cp-2 is another pod").isEmpty();
        assertThat(pods.on(new Replica("10.0.0.3", 6443, "cp-3"))).as("pending").isEmpty();
        assertThat(pods.wanted()).isEqualTo("pods named debug-profiler*");
    }

    @Test
    void withASelectorKubectlChoseThePodsAndTheNameDoesNotMatter() {
        DebugPods pods = parse("debug-profiler", "app=profiler");
        assertThat(pods.pods()).extracting(DebugPods.Pod::name).containsExactly("debug-profiler-7xk2p", "etcd-cp-2");
        assertThat(pods.wanted()).isEqualTo("pods with labels app=profiler");
        assertThat(DebugPods.listArgs("kube-system", "app=profiler"))
                .containsExactly("get", "pods", "-n", "kube-system", "-l", "app=profiler", "-o", "json");
        assertThat(DebugPods.listArgs(null, null)).containsExactly("get", "pods", "-o", "json");
    }

    @Test
    void notAPodListIsBadInputNamingTheSource() {
        assertThatThrownBy(() -> DebugPods.parse("{\"kind\":\"Status\"}".getBytes(StandardCharsets.UTF_8), "kubectl get pods",
                "debug-profiler", null)).isInstanceOf(BadInputException.class).hasMessageContaining("kubectl get pods")
                .hasMessageContaining("expected a PodList");
    }
}
