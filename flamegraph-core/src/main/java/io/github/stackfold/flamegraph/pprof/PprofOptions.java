package io.github.stackfold.flamegraph.pprof;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link PprofReader} turns a pprof profile into folded stacks. Immutable; made by
 * {@link #builder()}. Every setting and its default:
 *
 * <table>
 * <caption>settings</caption>
 * <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code sampleType}</td><td>{@code cpu}</td><td>which of the profile's values becomes the
 *   weight, by sample type name ({@code cpu}, {@code samples}, {@code alloc_space}, ...) or as
 *   {@code type/unit} ({@code cpu/nanoseconds}). A Go CPU profile has {@code samples/count} (the
 *   number of samples) and {@code cpu/nanoseconds} (CPU time, the default weight).</td></tr>
 * <tr><td>{@code tags}</td><td>none</td><td>label keys whose values become root frames, in the given
 *   order: {@code KEY=VALUE} (several values of one key joined by {@code ,}; a numeric label with a unit
 *   is {@code KEY=42 bytes}); a sample without the label gets {@code KEY=?}.</td></tr>
 * </table>
 */
public final class PprofOptions {
    private static final PprofOptions DEFAULTS = builder().build();

    private final String sampleType;
    private final List<String> tags;

    private PprofOptions(Builder b) {
        this.sampleType = b.sampleType;
        this.tags = List.copyOf(b.tags);
    }

    /** The defaults: CPU time in nanoseconds, no label frames. */
    public static PprofOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The sample type used as the weight ({@code cpu} by default). */
    public String sampleType() {
        return sampleType;
    }

    /** The label keys that become root frames, outermost first (empty by default). */
    public List<String> tags() {
        return tags;
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder().sampleType(sampleType);
        tags.forEach(b::tag);
        return b;
    }

    @Override
    public String toString() {
        return "PprofOptions[sampleType=" + sampleType + ", tags=" + tags + "]";
    }

    /** Builds {@link PprofOptions}; not thread-safe. */
    public static final class Builder {
        private String sampleType = "cpu";
        private final List<String> tags = new ArrayList<>();

        private Builder() {
        }

        /** The weight: a sample type name or {@code type/unit}; default {@code cpu}. */
        public Builder sampleType(String typeOrTypeSlashUnit) {
            Objects.requireNonNull(typeOrTypeSlashUnit, "sampleType");
            if (typeOrTypeSlashUnit.isBlank()) {
                throw new IllegalArgumentException("the sample type must not be blank");
            }
            this.sampleType = typeOrTypeSlashUnit.strip();
            return this;
        }

        /** Adds a label key whose value becomes a root frame (after those added before). */
        public Builder tag(String key) {
            Objects.requireNonNull(key, "key");
            if (key.isBlank()) {
                throw new IllegalArgumentException("a tag key must not be blank");
            }
            tags.add(key);
            return this;
        }

        public PprofOptions build() {
            return new PprofOptions(this);
        }
    }
}
