package io.github.stackfold.perf;

import io.github.stackfold.flamegraph.StackfoldException;

import java.util.List;

/**
 * The process to record was not found, several processes matched the name, or it exited before or
 * during the recording.
 */
public class NoTargetException extends StackfoldException {
    private static final long serialVersionUID = 1L;

    private final transient List<FoundProcess> candidates;

    public NoTargetException(String message) {
        this(message, List.of());
    }

    public NoTargetException(String message, List<FoundProcess> candidates) {
        super(message);
        this.candidates = List.copyOf(candidates);
    }

    /** The matching processes when the name was ambiguous, otherwise empty. */
    public List<FoundProcess> candidates() {
        return candidates;
    }
}
