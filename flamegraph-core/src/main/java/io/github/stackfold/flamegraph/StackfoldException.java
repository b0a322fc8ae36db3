package io.github.stackfold.flamegraph;

/**
 * The root of every failure this library reports on purpose. The message is one line meant for a
 * person: it names the input (file and line where there is one) and what was expected. Callers such
 * as the {@code flame} command line map the subclasses to exit codes; the library itself never prints
 * or exits.
 */
public class StackfoldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StackfoldException(String message) {
        super(message);
    }

    public StackfoldException(String message, Throwable cause) {
        super(message, cause);
    }
}
