package io.github.stackfold.perf;

import io.github.stackfold.flamegraph.StackfoldException;

/** perf (or a helper command on the target) failed for a reason none of the other types name; the message quotes it. */
public class PerfFailedException extends StackfoldException {
    private static final long serialVersionUID = 1L;

    public PerfFailedException(String message) {
        super(message);
    }
}
