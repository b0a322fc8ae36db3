package io.github.stackfold.flamegraph;

/**
 * The heap ran out while an input was read: says which input and how far reading got, so that a
 * caller can tell the user how much there was and to give the JVM more. The reader has let go of
 * what it held before this is thrown. Example message:
 *
 * <pre>
 * out of memory reading week.folded.gz after 41,943,040 lines (3,211,776 distinct stacks)
 * </pre>
 */
public class NotEnoughMemoryException extends StackfoldException {
    private static final long serialVersionUID = 1L;
    private final String source;

    /**
     * @param source the input's name
     * @param progress how far reading got, e.g. "41,943,040 lines (3,211,776 distinct stacks)"
     */
    public NotEnoughMemoryException(String source, String progress, OutOfMemoryError cause) {
        super("out of memory reading " + source + " after " + progress, cause);
        this.source = source;
    }

    /** The input's name. */
    public String source() {
        return source;
    }

    /** "N lines (M distinct stacks)" with thousands separators. */
    public static String lines(long lines, long distinctStacks) {
        return String.format("%,d lines (%,d distinct stacks)", lines, distinctStacks);
    }
}
