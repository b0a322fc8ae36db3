package io.github.stackfold.perf;

import io.github.stackfold.flamegraph.StackfoldException;

/** A program the recording needs ({@code perf}, {@code nsenter}, {@code kubectl}) is not installed where it must run. */
public class ToolMissingException extends StackfoldException {
    private static final long serialVersionUID = 1L;

    private final String tool;

    public ToolMissingException(String tool, String message) {
        super(message);
        this.tool = tool;
    }

    /** The missing program's name. */
    public String tool() {
        return tool;
    }
}
