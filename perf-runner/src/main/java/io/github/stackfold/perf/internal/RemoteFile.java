package io.github.stackfold.perf.internal;

import io.github.stackfold.flamegraph.symbolize.PartialBinary;
import io.github.stackfold.perf.ExecTarget;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Byte ranges of a file on a target, read through its commands: {@code dd} with byte offsets, and where
 * the target has no such {@code dd} (a minimal image), {@code tail -c +N | head -c M} under {@code sh}
 * (the path and numbers passed as arguments, never as shell text).
 */
public final class RemoteFile implements PartialBinary.Ranges {
    private final ExecTarget target;
    private final String path;
    private final Duration timeout;
    private boolean noDd;

    public RemoteFile(ExecTarget target, String path, Duration timeout) {
        this.target = target;
        this.path = path;
        this.timeout = timeout;
    }

    @Override
    public byte[] read(long offset, int length) throws IOException {
        if (!noDd) {
            Child.Result r = run(List.of("dd", "if=" + path, "bs=65536", "skip=" + offset, "count=" + length,
                    "iflag=skip_bytes,count_bytes", "status=none"));
            if (r.exitCode() == 0) {
                return r.stdout();
            }
            noDd = true; // no dd, or one without byte offsets (busybox): try the other way once
        }
        Child.Result r = run(List.of("sh", "-c", "tail -c +\"$1\" -- \"$2\" | head -c \"$3\"", "sh",
                Long.toString(offset + 1), path, Integer.toString(length)));
        // a pipeline's status is head's: a tail that failed shows as short output and a message
        String why = r.stderrText().strip();
        if (r.exitCode() != 0 || r.stdout().length < length && !why.isEmpty()) {
            throw new IOException("cannot read " + length + " bytes at offset " + offset + " of " + path + " through "
                    + target + " with dd or tail|head" + (r.exitCode() != 0 ? " (exit " + r.exitCode() + ")" : "") + ": "
                    + (why.isEmpty() ? "no message" : why.lines().findFirst().orElse("")));
        }
        return r.stdout();
    }

    private Child.Result run(List<String> argv) throws IOException {
        try {
            return Child.runInTime(target.command(argv), timeout);
        } catch (RuntimeException e) { // over its deadline (NoTargetException)
            throw new IOException(e.getMessage());
        }
    }
}
