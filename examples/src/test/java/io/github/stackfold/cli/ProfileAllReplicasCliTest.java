package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame profile --all-replicas} with perf, as the CLI maps it: which flags go with it, and a
 * cluster with no debug pod beside any replica (a <b>stub</b> kubectl answering {@code get
 * endpointslices} and {@code get pods}; nothing is recorded). The recording itself is tested in
 * {@code ProfileRunReplicasPerfTest}.
 */
class ProfileAllReplicasCliTest {
    @TempDir
    Path tmp;

    static CliRun flame(String... args) {
        return CliRun.of(args);
    }

    @Test
    void withoutPprofItNeedsViaKubectlAndAProcessNameNotAPid() {
        CliRun local = flame("profile", "--all-replicas", "--duration", "1s", "--output-dir", tmp.toString());
        assertThat(local.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(local.err()).isEqualTo("flame: --all-replicas goes with --pprof or with --via kubectl (perf then records"
                + " each replica in the debug pod on its node; locally or through nsenter perf records one node's process)\n");
        CliRun pid = flame("profile", "--all-replicas", "--via", "kubectl", "--pid", "42", "--duration", "1s");
        assertThat(pid.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(pid.err()).startsWith("flame: --all-replicas with perf finds each replica by --process, not --pid");
        CliRun selector = flame("profile", "--via", "kubectl", "--pod-selector", "app=x", "--duration", "1s");
        assertThat(selector.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(selector.err()).isEqualTo("flame: --pod-selector goes with --via kubectl --all-replicas\n");
    }

    @Test
    void noDebugPodBesideAnyReplicaEndsAtOnceNamingEachNodeAndTheDaemonSet() throws Exception {
        Files.writeString(tmp.resolve("endpointslices.json"), "{\"kind\":\"List\",\"items\":[{\"kind\":\"EndpointSlice\","
                + "\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":[\"10.0.0.1\"],\"nodeName\":\"cp-1\"},"
                + "{\"addresses\":[\"10.0.0.2\"]}],\"ports\":[{\"name\":\"https\",\"port\":6443}]}]}");
        Files.writeString(tmp.resolve("pods.json"), "{\"kind\":\"List\",\"items\":[{\"metadata\":{\"name\":\"etcd-cp-1\"},"
                + "\"spec\":{\"nodeName\":\"cp-1\"},\"status\":{\"phase\":\"Running\",\"hostIP\":\"10.0.0.1\"}}]}");
        Path kubectl = tmp.resolve("kubectl");
        Files.writeString(kubectl, "#!/bin/sh\n# STUB kubectl for tests (no cluster here)\n"
                + "echo \"$*\" >> '" + tmp.resolve("kubectl-args.txt") + "'\n"
                + "case \"$2\" in endpointslices) exec cat '" + tmp.resolve("endpointslices.json") + "';;"
                + " pods) exec cat '" + tmp.resolve("pods.json") + "';; esac\n"
                + "echo \"stub kubectl: unexpected: $*\" >&2; exit 2\n");
        Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));

        CliRun r = flame("profile", "--via", "kubectl", "--all-replicas", "--kubectl", kubectl.toString(), "-n", "kube-system",
                "--duration", "1s", "--output-dir", tmp.resolve("out").toString());

        assertThat(r.code()).isEqualTo(ExitCodes.NO_TARGET);
        assertThat(r.err()).contains("flame: none of the 2 replicas has a debug pod on its node: node cp-1 (replica"
                        + " 10.0.0.1:6443) has no running debug pod (pods named debug-profiler* in namespace kube-system):"
                        + " apply the DaemonSet with 'kubectl apply -f manifests/debug-profiler-daemonset.yaml'")
                .contains("; the node with address 10.0.0.2 (replica 10.0.0.2:6443) has no running debug pod");
        assertThat(r.err().lines().filter(l -> l.startsWith("flame: none of"))).hasSize(1);
        assertThat(Files.readAllLines(tmp.resolve("kubectl-args.txt"))).containsExactly(
                "get endpointslices -n default -l kubernetes.io/service-name=kubernetes -o json",
                "get pods -n kube-system -o json");
    }
}
