package io.github.stackfold.perf.push;

import io.github.stackfold.flamegraph.StackfoldException;

import java.nio.file.Path;
import java.util.List;

/**
 * A profile could not be pushed: the receiver refused it (a 4xx, or an OTLP partial success that
 * rejected it) or stayed unreachable or failing (5xx, connection errors) through every retry. The
 * profile was kept on disk; the message names the file, and {@link #kept()} lists it.
 */
public class PushFailedException extends StackfoldException {
    private static final long serialVersionUID = 1L;

    private final transient List<Path> kept;
    private final boolean refused;

    public PushFailedException(String message, List<Path> kept, boolean refused) {
        super(message);
        this.kept = List.copyOf(kept);
        this.refused = refused;
    }

    /** The files holding the profiles that were not pushed. */
    public List<Path> kept() {
        return kept;
    }

    /** True when the receiver refused (4xx), false when it could not be reached or kept failing. */
    public boolean refused() {
        return refused;
    }
}
