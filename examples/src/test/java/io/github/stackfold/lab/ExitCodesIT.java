package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's exit codes and messages, end to end with flame.jar as its own process: nsenter without
 * the right to enter the host's namespaces (a real non-root user, through setpriv) is exit 4 "not
 * permitted to enter ..."; a cluster kubectl cannot reach is exit 5 and reads like an unreachable
 * pprof server.
 */
class ExitCodesIT {
    @TempDir
    Path dir;

    @Test
    void nsenterWithoutPermissionIsExitFourNotPermittedToEnter() throws Exception {
        Shared.requireThat("root".equals(System.getProperty("user.name")), "needs root to switch to the user nobody with setpriv");
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv is not installed (util-linux)");
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/nsenter")), "nsenter is not installed (util-linux)");
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", FlameProcess.jar().toString(),
                    "profile", "--via", "nsenter", "--pid", Long.toString(sleeper.pid()), "--duration", "1s",
                    "--output-dir", "/tmp/stackfold-nobody-" + ProcessHandle.current().pid()));
            FlameProcess.Result r = FlameProcess.runCommand(cmd, Map.of(), 120);
            assertThat(r.code()).as(r.stderr()).isEqualTo(4);
            assertThat(r.stderr().strip()).startsWith("flame: not permitted to enter the namespaces of PID 1 (nsenter: ")
                    .contains("Permission denied").contains("nsenter needs CAP_SYS_ADMIN and CAP_SYS_PTRACE")
                    .doesNotContain("\n").doesNotContain("Exception");
        } finally {
            sleeper.destroy();
        }
    }

    @Test
    void anUnreachableClusterReadsLikeAnUnreachablePprofServer() throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/kubectl")), "kubectl is not installed at /usr/bin/kubectl");
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n"
                + "clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
                + "contexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n"
                + "users:\n- name: u\n  user: {token: x}\n");
        Map<String, String> env = Map.of("KUBECONFIG", kubeconfig.toString());
        String unreachable = "cannot connect to the cluster's API server 127.0.0.1:1 (connection refused: is the cluster up"
                + " and the kubeconfig's server right?)";
        FlameProcess.Result viaKubectl = FlameProcess.run(List.of("profile", "--via", "kubectl", "--pod", "debug-profiler",
                "--duration", "1s", "--output-dir", dir.resolve("a").toString()), env, 120);
        FlameProcess.Result pprofKubectl = FlameProcess.run(List.of("profile", "--pprof", "--duration", "1s",
                "--output-dir", dir.resolve("b").toString()), env, 120);
        FlameProcess.Result pprofUrl = FlameProcess.run(List.of("profile", "--pprof", "http://127.0.0.1:1/debug/pprof/profile",
                "--duration", "1s", "--output-dir", dir.resolve("c").toString()), env, 120);
        for (FlameProcess.Result r : List.of(viaKubectl, pprofKubectl)) {
            assertThat(r.code()).as(r.stderr()).isEqualTo(5);
            String last = r.stderr().strip().lines().reduce((a, b) -> b).orElse("");
            assertThat(last).startsWith("flame: ").endsWith(unreachable);
        }
        assertThat(pprofUrl.code()).isEqualTo(5);
        assertThat(pprofUrl.stderr()).contains(": cannot connect (connection refused: is the server up");
    }
}
