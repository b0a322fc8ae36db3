package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flame profile} where no process of the name runs here: exit 5, and where else to profile from. */
class ProfileNoTargetTest {
    @TempDir
    Path tmp;

    @Test
    void noProcessOfTheNameHereSaysWhereElseTheApiserverCanBeProfiled() {
        String name = "stackfold-none-" + ProcessHandle.current().pid(); // more than 15 bytes: no comm matches
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(new String[] {"profile", "--process", name, "--duration", "1s",
                "--output-dir", tmp.resolve("out").toString()}, new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), err);
        String e = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(e).isEqualTo(ExitCodes.NO_TARGET);
        assertThat(e).isEqualTo("flame: no process named '" + name + "' is running here: run flame profile on a"
                + " control-plane node (as root), or from elsewhere use --via kubectl -n kube-system (perf in the debug pod"
                + " of manifests/debug-profiler.yaml) or --pprof (the apiserver's pprof endpoint through kubectl get --raw);"
                + " --pid N records a process by its PID\n");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void viaKubectlRunsTheKubectlOfTheKubectlOption() throws Exception {
        for (String command : new String[] {"profile", "record"}) {
            viaKubectlRunsTheKubectlOfTheKubectlOption(command);
        }
    }

    private void viaKubectlRunsTheKubectlOfTheKubectlOption(String command) throws Exception {
        // a STUB kubectl (there is no cluster here), not on the PATH: it logs its arguments and answers
        // as kubectl does for a pod that does not exist
        Path log = tmp.resolve(command + "-calls");
        Path stub = tmp.resolve(command + "-kubectl");
        Files.writeString(stub, "#!/bin/sh\necho \"$*\" >> '" + log + "'\n"
                + "echo 'Error from server (NotFound): pods \"dbg\" not found' >&2\nexit 1\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(new String[] {command, "--via", "kubectl", "--kubectl", stub.toString(), "--pod", "dbg",
                "-n", "ops", "--duration", "1s", "--output-dir", tmp.resolve("out").toString()},
                new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), err);
        String e = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(command + ": " + e).isEqualTo(ExitCodes.NO_TARGET);
        assertThat(Files.readAllLines(log)).containsExactly("exec -n ops dbg -- perf --version");
        assertThat(e).startsWith("flame: kubectl pod ops/dbg: Error from server (NotFound): pods \"dbg\" not found: ");
    }
}
