package io.github.stackfold.flamegraph.diff;

/**
 * How two profiles are compared, difffolded.pl's options. Made by {@link #defaults()} and its {@code with} methods, or by the constructor.
 *
 * @param normalize {@code -n}: scale the first profile's counts to the second's total; default off
 * @param stripHex {@code -s}: replace hex numbers {@code 0x...} in stacks by {@code 0x...}, so that stacks
 *     that differ only in addresses match; default off
 */
public record DiffOptions(boolean normalize, boolean stripHex) {
    /** No normalisation, addresses kept. */
    public static DiffOptions defaults() {
        return new DiffOptions(false, false);
    }

    /** These options with {@code -n} on or off. */
    public DiffOptions withNormalize(boolean normalize) {
        return new DiffOptions(normalize, stripHex);
    }

    /** These options with {@code -s} on or off. */
    public DiffOptions withStripHex(boolean stripHex) {
        return new DiffOptions(normalize, stripHex);
    }
}
