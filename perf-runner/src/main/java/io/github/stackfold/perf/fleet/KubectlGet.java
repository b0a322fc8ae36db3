package io.github.stackfold.perf.fleet;

import io.github.stackfold.perf.NoTargetException;
import io.github.stackfold.perf.NotPermittedException;
import io.github.stackfold.perf.ToolMissingException;
import io.github.stackfold.perf.internal.Child;
import io.github.stackfold.perf.internal.KubectlStderr;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** One {@code kubectl get ...} of the fleet code: its standard output, or the one-line failure a user reads. */
final class KubectlGet {
    private KubectlGet() {
    }

    /**
     * Runs {@code argv} within {@code timeout}; a refusal by RBAC names {@code rbacNeeded}, e.g.
     * {@code "listing the replicas needs RBAC 'list' on endpointslices..."}.
     */
    static byte[] run(List<String> argv, Duration timeout, String rbacNeeded) throws IOException {
        String source = String.join(" ", argv);
        Child.Result r;
        try {
            r = Child.run(argv, timeout);
        } catch (Child.LaunchException e) {
            throw new ToolMissingException(argv.get(0), e.notFound()
                    ? argv.get(0) + " is not installed or not on the PATH (https://kubernetes.io/docs/tasks/tools/)"
                    : e.getMessage());
        }
        if (r.timedOut()) {
            throw new NoTargetException(source + ": no answer within " + timeout.toSeconds() + " s");
        }
        if (r.exitCode() != 0) {
            String err = r.stderrText().strip();
            String why = err.isEmpty() ? "exit code " + r.exitCode() : err;
            if (err.contains("Forbidden") || err.contains("forbidden")) {
                throw new NotPermittedException(source + " failed: " + why + " (" + rbacNeeded + ")");
            }
            String unreachable = KubectlStderr.unreachable(r.stderr());
            if (unreachable != null) {
                throw new NoTargetException(source + ": " + unreachable);
            }
            throw new NoTargetException(source + " failed: " + why);
        }
        return r.stdout();
    }
}
