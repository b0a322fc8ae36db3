package io.github.stackfold.perf;

/**
 * The one place where this library's immutable option objects ({@link RecordOptions}, the pprof
 * fetcher, the push sinks' options) keep their values: each holds a private copy of the builder that
 * made it, and {@link #toBuilder()} hands out another copy to change. A builder's fields are all
 * immutable values (paths, durations, unmodifiable lists), so the shallow copy that
 * {@link Values#copy()} makes is a full one; no class lists its fields a second time to copy them.
 *
 * @param <B> the builder type
 */
public abstract class Settings<B extends Settings.Values<B>> {
    /** The values, a private copy of the builder that made this object. */
    protected final B values;

    protected Settings(B builder) {
        this.values = builder.copy();
    }

    /** A builder holding these settings, to change some. */
    public B toBuilder() {
        return values.copy();
    }

    /**
     * The base of a settings builder: its fields must be immutable values.
     *
     * @param <B> the builder type itself
     */
    public abstract static class Values<B extends Values<B>> implements Cloneable {
        protected Values() {
        }

        /** {@code value} when it lies in {@code [min, max]}; otherwise "WHAT must be between MIN and MAX, got V". */
        protected static int between(int value, int min, int max, String what) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", got " + value);
            }
            return value;
        }

        /** {@code d} when it is longer than zero; otherwise "WHAT must be positive, got D". */
        protected static java.time.Duration positive(java.time.Duration d, String what) {
            java.util.Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }

        /** {@code text} stripped, or null when it is null or blank (an optional setting left out). */
        protected static String strippedOrNull(String text) {
            return text == null || text.isBlank() ? null : text.strip();
        }

        /** A copy of these values, for an immutable object to keep or a caller to change. */
        @SuppressWarnings("unchecked")
        final B copy() {
            try {
                return (B) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
