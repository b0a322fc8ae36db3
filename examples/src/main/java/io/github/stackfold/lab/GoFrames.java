package io.github.stackfold.lab;

import io.github.stackfold.flamegraph.symbolize.BinaryLocator;
import io.github.stackfold.flamegraph.symbolize.GoSymbolizer;
import io.github.stackfold.perf.ExecTarget;
import io.github.stackfold.perf.RecordOptions;

/**
 * Names stripped Go frames (kube-apiserver's, etcd's) in the lab's recordings with gosym's
 * {@link GoSymbolizer}, reading the binary through {@code /proc/PID/root} so one inside a container
 * works from the host, and at the path perf recorded once a target on this machine's root has exited. Not for kubectl targets: the binary is then in the pod, and the recorder's own
 * Go naming fetches the parts it needs through kubectl exec ({@link RecordOptions#binaryCache()}).
 */
final class GoFrames {
    private GoFrames() {
    }

    static RecordOptions enable(RecordOptions o) {
        if (o.symbolizer() != null || o.target().via() == ExecTarget.Via.KUBECTL) {
            return o;
        }
        // through /proc while the target runs, at the path perf recorded once it has exited (the
        // recorder makes the symbolizer as it finds the process, so what that needs is read in time)
        return o.toBuilder().symbolizer(p -> GoSymbolizer.builder()
                .locator(BinaryLocator.processOrModulePath(java.nio.file.Path.of("/proc"), p.pid())).build()).build();
    }
}
