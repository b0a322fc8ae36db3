package io.github.stackfold.perf.push;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.perf.fleet.ReplicaProfile;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A profile ready to push: its stacks, what the weights are, the time range it covers, the
 * application it belongs to and its labels. The labels of a replica's profile
 * ({@link #of(ReplicaProfile, String, Map)}) are the given ones plus {@code instance} and
 * {@code version}; a {@code cluster} label is the caller's to give.
 *
 * @param app        the application (service) name, e.g. {@code kube-apiserver}
 * @param labels     label names to values; names are {@code [A-Za-z_][A-Za-z0-9_.]*}, values hold
 *                   none of {@code { } , =} (what Pyroscope's {@code name=APP{k=v,...}} can carry)
 * @param from       when sampling started
 * @param until      when it ended
 * @param folded     the stacks, root first
 * @param sampleType the weights, {@code type/unit}: {@code cpu/nanoseconds} for a pprof CPU
 *                   profile, {@code samples/count} for perf's sample counts
 * @param sampleRate samples per second of the sampler ({@code -F} of perf, 100 for Go's CPU profiler)
 * @param pprof      the profile as served by the pprof endpoint (gzipped pprof), or null when the
 *                   profile did not come from one
 */
public record LabeledProfile(String app, Map<String, String> labels, Instant from, Instant until, FoldedProfile folded,
        String sampleType, int sampleRate, byte[] pprof) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
    private static final Pattern APP = Pattern.compile("[A-Za-z0-9_.\\-/]+");

    public LabeledProfile {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(folded, "folded");
        Objects.requireNonNull(sampleType, "sampleType");
        if (!APP.matcher(app).matches()) {
            throw new IllegalArgumentException("not an application name: '" + app + "' (letters, digits, _ . - /)");
        }
        if (sampleRate < 1) {
            throw new IllegalArgumentException("sampleRate must be at least 1 Hz, got " + sampleRate);
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        labels.forEach((k, v) -> sorted.put(checkName(k), checkValue(k, v)));
        labels = Collections.unmodifiableMap(sorted);
    }

    /**
     * A replica's profile labelled {@code instance=ADDRESS:PORT} and, when known, {@code version=v1.31.0},
     * on top of {@code labels}; the pprof body is pushed as served.
     */
    public static LabeledProfile of(ReplicaProfile p, String app, Map<String, String> labels) {
        TreeMap<String, String> all = new TreeMap<>(labels);
        all.put("instance", p.replica().instance());
        if (!p.version().isEmpty()) {
            all.put("version", p.version());
        }
        return new LabeledProfile(app, all, p.from(), p.until(), p.profile().folded(), p.profile().sampleType(),
                100, p.raw());
    }

    /** {@code KEY=VALUE} as a label, checked as the record checks it; for parsing {@code --label k=v}. */
    public static Map.Entry<String, String> label(String keyEqualsValue) {
        int eq = keyEqualsValue.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("expected a label KEY=VALUE, got '" + keyEqualsValue + "'");
        }
        String k = keyEqualsValue.substring(0, eq);
        return Map.entry(checkName(k), checkValue(k, keyEqualsValue.substring(eq + 1)));
    }

    /** The sample type's type, {@code cpu} of {@code cpu/nanoseconds}. */
    public String type() {
        int slash = sampleType.indexOf('/');
        return slash < 0 ? sampleType : sampleType.substring(0, slash);
    }

    /** The sample type's unit, {@code nanoseconds} of {@code cpu/nanoseconds} ({@code count} when none). */
    public String unit() {
        int slash = sampleType.indexOf('/');
        return slash < 0 ? "count" : sampleType.substring(slash + 1);
    }

    /** A short name for messages and file names: {@code APP instance=... from=EPOCH}. */
    public String describe() {
        return app + labels + " from " + from;
    }

    private static String checkName(String k) {
        if (!NAME.matcher(k).matches()) {
            throw new IllegalArgumentException("not a label name: '" + k + "' (letters, digits, _ and ., not first a digit)");
        }
        return k;
    }

    private static String checkValue(String k, String v) {
        Objects.requireNonNull(v, k);
        if (v.isEmpty() || v.chars().anyMatch(c -> c == '{' || c == '}' || c == ',' || c == '=' || c < 0x20)) {
            throw new IllegalArgumentException("label " + k + ": the value '" + v + "' is empty or holds one of { } , =");
        }
        return v;
    }
}
