package io.github.stackfold.flamegraph;

/**
 * Input that is not in the expected format: the message names the source, and the line and byte
 * offset where known (line 0 / offset -1 when the whole input is rejected, such as a binary file).
 */
public class BadInputException extends StackfoldException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long line;
    private final long offset;

    public BadInputException(String source, long line, long offset, String what) {
        super(format(source, line, what));
        this.source = source;
        this.line = line;
        this.offset = offset;
    }

    public BadInputException(String source, String what) {
        this(source, 0, -1, what);
    }

    private static String format(String source, long line, String what) {
        return line > 0 ? source + ":" + line + ": " + what : source + ": " + what;
    }

    /** The file name, {@code "<stdin>"}, or another name the caller gave the input. */
    public String source() {
        return source;
    }

    /** 1-based line number, or 0 when the error is not about one line. */
    public long line() {
        return line;
    }

    /** 0-based byte offset of the line's start, or -1 when unknown. */
    public long offset() {
        return offset;
    }
}
