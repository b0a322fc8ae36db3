package io.github.stackfold.flamegraph;

/** A profile that holds no samples where some were needed (flamegraph.pl's "No stack counts found"). */
public class NoSamplesException extends StackfoldException {
    private static final long serialVersionUID = 1L;

    public NoSamplesException(String message) {
        super(message);
    }
}
