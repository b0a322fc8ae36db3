package io.github.stackfold.perf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.perf.NoTargetException;
import io.github.stackfold.perf.pprof.PprofFetcher;
import io.github.stackfold.testing.Shared;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** An unreachable cluster reads like an unreachable pprof server: where, why, and what to check. */
class KubectlStderrTest {
    @Test
    void kubectlsWordingsOfAnUnreachableCluster() {
        assertThat(KubectlStderr.unreachable(List.of(
                "E1207 13:05:00.000000 123 memcache.go:265] couldn't get current server API group list: Get \"https://127.0.0.1:6443/api\": dial tcp 127.0.0.1:6443: connect: connection refused",
                "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?")))
                .isEqualTo("cannot connect to the cluster's API server 127.0.0.1:6443 (connection refused: is the cluster up and the kubeconfig's server right?)");
        assertThat(KubectlStderr.unreachable(List.of("Unable to connect to the server: dial tcp 10.0.0.2:6443: i/o timeout")))
                .isEqualTo("cannot connect to the cluster's API server 10.0.0.2:6443 (i/o timeout: is the cluster up and the kubeconfig's server right?)");
        assertThat(KubectlStderr.unreachable(List.of("Unable to connect to the server: dial tcp: lookup api.example on 10.0.0.10:53: no such host")))
                .isEqualTo("cannot connect to the cluster's API server api.example (no such host: is the cluster up and the kubeconfig's server right?)");
        assertThat(KubectlStderr.unreachable(List.of("Error from server (Forbidden): pods is forbidden"))).isNull();
    }

    @Test
    void theRealKubectlAgainstAClosedPortIsNoTargetWithThatMessage(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/kubectl")), "kubectl is not installed at /usr/bin/kubectl");
        // a kubeconfig with a token: without credentials kubectl would ask for a user name
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n"
                + "clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
                + "contexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n"
                + "users:\n- name: u\n  user: {token: x}\n");
        PprofFetcher f = PprofFetcher.builder().kubectl(List.of("/usr/bin/kubectl", "--kubeconfig", kubeconfig.toString(),
                "--request-timeout", "5s")).seconds(1).build();
        assertThatThrownBy(f::fetch).isInstanceOf(NoTargetException.class)
                .hasMessageEndingWith(": cannot connect to the cluster's API server 127.0.0.1:1 (connection refused: is the cluster up"
                        + " and the kubeconfig's server right?)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("memcache.go"));
    }
}
