package io.github.stackfold.flamegraph.io;

import io.github.stackfold.flamegraph.BadInputException;

/**
 * An input that is no profile (an image, a program, a directory, perf.data ...): the one refusal every
 * command gives, naming the input and what it looks like, e.g.
 * {@code picture.png: a PNG image, not a profile (expected a pprof profile, perf.data, folded stacks,
 * perf script output or a flame graph SVG)}. {@link #kind()} lets a command line add what to give instead.
 */
public class NotAProfileException extends BadInputException {
    private static final long serialVersionUID = 1L;

    /** The profile formats, as messages name them. */
    public static final String EXPECTED = "a pprof profile, perf.data, folded stacks, perf script output or a flame graph SVG";

    private final ProfileInput.Kind kind;
    private final String what;

    public NotAProfileException(String source, ProfileInput.Kind kind, String what) {
        super(source, what + ", not a profile (expected " + EXPECTED + ")");
        this.kind = kind;
        this.what = what;
    }

    /** What the input is. */
    public ProfileInput.Kind kind() {
        return kind;
    }

    /** What the input looks like: "a PNG image", "a directory". */
    public String what() {
        return what;
    }
}
