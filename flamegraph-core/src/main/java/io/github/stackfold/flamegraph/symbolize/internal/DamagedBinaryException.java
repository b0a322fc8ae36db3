package io.github.stackfold.flamegraph.symbolize.internal;

/**
 * A binary that cannot be used to name frames: not ELF, not Go, or with a table that does not hold
 * together. The message says what was wrong, without the file name (the caller adds it).
 */
public final class DamagedBinaryException extends Exception {
    private static final long serialVersionUID = 1L;

    public DamagedBinaryException(String message) {
        super(message, null, false, false);
    }
}
