package io.github.stackfold.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class ExecTargetTest {
    @Test
    void localRunsTheCommandAsItIs() {
        assertThat(ExecTarget.local().command("perf", "script", "-i", "/tmp/d/perf.data"))
                .containsExactly("perf", "script", "-i", "/tmp/d/perf.data");
        assertThat(ExecTarget.local().launcher()).isNull();
    }

    @Test
    void nsenterEntersMountUtsIpcNetAndPidNamespacesOfTheTarget() {
        assertThat(ExecTarget.nsenter().command("perf", "--version")).containsExactly("nsenter", "--target", "1",
                "--mount", "--uts", "--ipc", "--net", "--pid", "--", "perf", "--version");
        assertThat(ExecTarget.nsenter(4242).command(List.of("cat", "/proc/sys/kernel/kptr_restrict")))
                .startsWith("nsenter", "--target", "4242").endsWith("--", "cat", "/proc/sys/kernel/kptr_restrict");
        assertThat(ExecTarget.nsenter(4242)).hasToString("nsenter --target 4242");
    }

    @Test
    void kubectlExecNamesNamespacePodAndContainerOnlyWhenGiven() {
        assertThat(ExecTarget.kubectl("debug-profiler", null, null).command("perf", "--version"))
                .containsExactly("kubectl", "exec", "debug-profiler", "--", "perf", "--version");
        assertThat(ExecTarget.kubectl("debug-profiler", "kube-system", "profiler").command("ls", "/proc"))
                .containsExactly("kubectl", "exec", "-n", "kube-system", "debug-profiler", "-c", "profiler", "--",
                        "ls", "/proc");
        assertThat(ExecTarget.kubectl("p", "ns", "c")).hasToString("kubectl pod ns/p container c");
    }

    @Test
    void argumentsWithSpacesOrShellCharactersStayOneArgument() {
        List<String> cmd = ExecTarget.kubectl("p", null, null).command("pkill", "-INT", "-f", "^[^ ]*perf record .*; rm -rf /");
        assertThat(cmd).hasSize(8).endsWith("^[^ ]*perf record .*; rm -rf /");
    }

    @Test
    void badTargetsAreRejectedAtOnce() {
        assertThatThrownBy(() -> ExecTarget.nsenter(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExecTarget.kubectl("--all", null, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a pod name: '--all'");
    }
}
