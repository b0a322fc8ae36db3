package io.github.stackfold.flamegraph.diff;

/**
 * How two profiles are compared, difffolded.pl's options. Made by {@link #builder()} or {@link #defaults()}.
 *
 * @param normalize {@code -n}: scale the first profile's counts to the second's total; default off
 * @param stripHex {@code -s}: replace hex numbers {@code 0x...} in stacks by {@code 0x...}, so that stacks
 *     that differ only in addresses match; default off
 */
public record DiffOptions(boolean normalize, boolean stripHex) {
    /** No normalisation, addresses kept. */
    public static DiffOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private boolean normalize;
        private boolean stripHex;

        private Builder() {
        }

        /** {@code -n}: scale the first profile's counts to the second's total (default off). */
        public Builder normalize(boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        /** {@code -s}: strip hex addresses so stacks that differ only in addresses match (default off). */
        public Builder stripHex(boolean stripHex) {
            this.stripHex = stripHex;
            return this;
        }

        public DiffOptions build() {
            return new DiffOptions(normalize, stripHex);
        }
    }
}
