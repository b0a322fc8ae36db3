package io.github.stackfold.perf.internal;

/** What a failure says about itself, for the one-line messages of this library's exceptions. */
public final class Causes {
    private Causes() {
    }

    /**
     * The message of the innermost cause of {@code t} ({@code Connection refused} rather than the
     * wrappers around it), or that cause's class name when it has no message.
     */
    public static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
