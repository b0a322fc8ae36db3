package io.github.stackfold.flamegraph.folded;

import java.util.Locale;
import java.util.Objects;

/**
 * What the weights of a {@link FoldedProfile} mean, carried with it so that every output can say
 * "199 samples, 1.99 s CPU" instead of "1,990,000,000 samples": the number of samples, the unit of a
 * weight, the event, the period when it is constant, the CPU time the samples stand for and the
 * profile's own duration.
 *
 * <table>
 * <caption>what each producer fills in</caption>
 * <tr><th>producer</th><th>weight</th><th>samples</th><th>period</th><th>CPU</th><th>duration</th></tr>
 * <tr><td>pprof CPU profile</td><td>{@link Weight#CPU_NANOSECONDS}</td><td>sum of {@code samples/count}</td>
 *   <td>{@code period} (10,000,000 ns at 100 Hz)</td><td>the total weight</td><td>{@code duration_nanos}</td></tr>
 * <tr><td>perf script, cpu-clock / task-clock</td><td>{@link Weight#CPU_NANOSECONDS} (the periods)</td>
 *   <td>samples folded</td><td>0 (varies)</td><td>the total weight</td><td>from the recorder</td></tr>
 * <tr><td>perf script, another event</td><td>{@link Weight#EVENTS}</td><td>samples folded</td><td>0</td>
 *   <td>unknown</td><td>from the recorder</td></tr>
 * <tr><td>stackfold's own folded files</td><td>{@link Weight#SAMPLES}</td><td>the header's</td>
 *   <td>the header's</td><td>the header's</td><td>the header's</td></tr>
 * <tr><td>a folded file from elsewhere</td><td>{@link Weight#SAMPLES}</td><td>the total weight</td>
 *   <td>0</td><td>unknown</td><td>unknown</td></tr>
 * </table>
 *
 * <p><b>The header line.</b> Folded files that stackfold writes ({@code record}, {@code profile},
 * {@code demo}) hold one count per sample and start with a comment that says the rest:
 *
 * <pre>
 * # stackfold: samples=1159 counts=samples event=cpu-clock cpu_ns=11707070590 period=0 duration_ns=12000812000 (a comment; folded readers skip it)
 * apiserver;runtime.goexit.abi0;... 3
 * </pre>
 *
 * The line ends in a word, not a number, so flamegraph.pl's line pattern ({@code STACK WS COUNT}) does
 * not match it and the line is skipped, like any malformed line; {@link FoldedProfile#read} and the
 * renderer's reader recognise it on the first line and take the metadata from it. Keys may come in any
 * order; unknown keys are ignored, so later versions may add some.
 *
 * @param samples       the number of samples, -1 when unknown
 * @param weight        what one unit of a folded count is
 * @param event         the sampled event ({@code cpu-clock}, {@code cycles}, pprof's {@code cpu}); empty when unknown
 * @param period        weight units per sample when every sample has the same (pprof: 10,000,000 ns); 0 otherwise
 * @param cpuNanos      the CPU time all samples stand for, in nanoseconds; -1 when the event is no CPU clock
 * @param durationNanos how long the profile covers (wall clock), in nanoseconds; 0 when unknown
 */
public record ProfileMeta(long samples, Weight weight, String event, long period, long cpuNanos, long durationNanos) {
    /** The marker the header line starts with. */
    public static final String HEADER_PREFIX = "# stackfold:";
    private static final String HEADER_END = " (a comment; folded readers skip it)";

    /** What one unit of a folded count is. */
    public enum Weight {
        /** One count is one sample. */
        SAMPLES("samples"),
        /** One count is a nanosecond of CPU time (pprof CPU profiles, perf cpu-clock/task-clock periods). */
        CPU_NANOSECONDS("cpu-nanoseconds"),
        /** One count is one occurrence of the sampled event (perf's period of cycles, instructions, ...). */
        EVENTS("events");

        private final String key;

        Weight(String key) {
            this.key = key;
        }

        /** The name in the header line and in JSON. */
        public String key() {
            return key;
        }

        static Weight ofKey(String key) {
            for (Weight w : values()) {
                if (w.key.equals(key)) {
                    return w;
                }
            }
            return null;
        }
    }

    public ProfileMeta {
        Objects.requireNonNull(weight, "weight");
        event = event == null ? "" : event;
    }

    /** Plain counts: each count a sample, nothing else known (a folded file from elsewhere). */
    public static ProfileMeta counts(long samples) {
        return new ProfileMeta(samples, Weight.SAMPLES, "", 0, -1, 0);
    }

    /** True when nothing is known beyond "counts are samples": outputs then look as they always did. */
    public boolean plain() {
        return weight == Weight.SAMPLES && event.isEmpty() && period == 0 && cpuNanos < 0 && durationNanos <= 0;
    }

    /** Whether an event's periods are CPU nanoseconds (perf's software clocks). */
    public static boolean isCpuClock(String event) {
        return event != null && (event.equals("cpu-clock") || event.equals("task-clock")
                || event.startsWith("cpu-clock:") || event.startsWith("task-clock:"));
    }

    /**
     * The metadata of two profiles' samples taken together, when their counts are in the same unit
     * (the same weight, event and period): samples and CPU time add up (unknown when either is); the
     * duration is unknown (the two may overlap, as replicas do, or follow each other). Null when the
     * units differ: the counts cannot be added as one quantity.
     */
    public static ProfileMeta merge(ProfileMeta a, ProfileMeta b) {
        if (!sameUnit(a, b)) {
            return null;
        }
        long samples = a.samples < 0 || b.samples < 0 ? -1 : a.samples + b.samples;
        long cpu = a.cpuNanos < 0 || b.cpuNanos < 0 ? -1 : a.cpuNanos + b.cpuNanos;
        return new ProfileMeta(samples, a.weight, a.event, a.period, cpu, 0);
    }

    /**
     * Whether two profiles' counts are one quantity (the same weight, event and period), so that
     * {@link #merge} can add them; null stands for plain counts ({@link #counts}), as a folded file
     * from elsewhere has.
     */
    public static boolean sameUnit(ProfileMeta a, ProfileMeta b) {
        ProfileMeta x = a == null ? counts(0) : a;
        ProfileMeta y = b == null ? counts(0) : b;
        return x.weight == y.weight && x.event.equals(y.event) && x.period == y.period;
    }

    /** This metadata with another duration. */
    public ProfileMeta withDuration(long nanos) {
        return new ProfileMeta(samples, weight, event, period, cpuNanos, nanos);
    }

    /** This metadata with another sample count. */
    public ProfileMeta withSamples(long n) {
        return new ProfileMeta(n, weight, event, period, cpuNanos, durationNanos);
    }

    /** Whether the CPU time is known. */
    public boolean hasCpu() {
        return cpuNanos >= 0;
    }

    /** The CPU time in seconds, NaN when unknown. */
    public double cpuSeconds() {
        return cpuNanos < 0 ? Double.NaN : cpuNanos / 1e9;
    }

    /** The duration in seconds, NaN when unknown. */
    public double durationSeconds() {
        return durationNanos <= 0 ? Double.NaN : durationNanos / 1e9;
    }

    /** CPU used per second of the profile (1.0 = one core busy), NaN when either is unknown. */
    public double cores() {
        return cpuNanos < 0 || durationNanos <= 0 ? Double.NaN : (double) cpuNanos / durationNanos;
    }

    /** The CPU nanoseconds one sample stands for on average, NaN when unknown. */
    public double cpuNanosPerSample() {
        return cpuNanos < 0 || samples <= 0 ? Double.NaN : (double) cpuNanos / samples;
    }

    /**
     * The samples a part of the profile stands for: {@code weight} of a profile whose weights add up to
     * {@code total}. Exact for counts and for a constant period; otherwise the proportional share
     * of the sample count, rounded.
     */
    public double samplesIn(double weightPart, double total) {
        if (weight == Weight.SAMPLES) {
            return weightPart;
        }
        if (period > 0) {
            return weightPart / period;
        }
        return samples < 0 || total <= 0 ? Double.NaN : Math.rint(weightPart * samples / total);
    }

    /** The CPU nanoseconds a part of the profile (see {@link #samplesIn}) stands for, NaN when unknown. */
    public double cpuNanosIn(double weightPart, double total) {
        if (cpuNanos < 0 || total <= 0) {
            return Double.NaN;
        }
        return weight == Weight.CPU_NANOSECONDS ? weightPart : cpuNanos * weightPart / total;
    }

    /**
     * The profile with one count per sample, when that is exact: counts already are samples, or every
     * weight is a multiple of the constant period (a pprof CPU profile). Otherwise the profile as it is.
     */
    public static FoldedProfile asCounts(FoldedProfile profile) {
        ProfileMeta m = profile.meta();
        if (m.weight == Weight.SAMPLES || m.period <= 0) {
            return profile;
        }
        FoldedProfile.Builder b = FoldedProfile.builder();
        for (int i = 0; i < profile.size(); i++) {
            long c = profile.count(i);
            if (c % m.period != 0) {
                return profile;
            }
            b.add(profile.stack(i), c / m.period);
        }
        long n = profile.total() / m.period;
        long cpu = m.cpuNanos >= 0 ? m.cpuNanos : (m.weight == Weight.CPU_NANOSECONDS ? profile.total() : -1);
        return b.build().withMeta(new ProfileMeta(m.samples >= 0 ? m.samples : n, Weight.SAMPLES, m.event, m.period,
                cpu, m.durationNanos));
    }

    /**
     * What perf's samples weigh, from what a reader of perf's output counted: the periods are CPU
     * nanoseconds for the software clocks ({@code cpu-clock}, {@code task-clock}) and event counts
     * otherwise ({@code cycles}); when every period was 1 (perf printed none) or
     * {@code countSamples} weighs each sample 1, the counts are samples.
     *
     * @param samples       the samples read
     * @param periods       the sum of their periods (each sample without one counted 1)
     * @param event         the event's name, empty when unknown
     * @param countSamples  whether the folded counts are samples rather than periods
     * @param durationNanos from the first to the last sample, 0 when unknown
     */
    public static ProfileMeta ofPerf(long samples, long periods, String event, boolean countSamples, long durationNanos) {
        boolean clock = isCpuClock(event) && periods != samples; // periods of 1: perf printed none
        long cpu = clock ? periods : -1;
        long d = Math.max(0, durationNanos);
        if (countSamples || periods == samples) {
            return new ProfileMeta(samples, Weight.SAMPLES, event, 0, cpu, d);
        }
        return new ProfileMeta(samples, clock ? Weight.CPU_NANOSECONDS : Weight.EVENTS, event, 0, cpu, d);
    }

    /**
     * A short statement for a person, e.g. {@code 199 samples, 1.99 s CPU in 30.06 s (0.07 cores)} or
     * {@code 46 samples (plain counts; CPU time unknown)}.
     */
    public String describe() {
        return describe(-1);
    }

    /**
     * {@link #describe()} for a profile whose weights add up to {@code total}: where the weights are
     * event counts, their sum is said too, e.g.
     * {@code 157 samples, 373,058,756 cycles in 0.52 s; CPU time unknown (weights are cycles events)}.
     */
    public String describe(long total) {
        StringBuilder sb = new StringBuilder();
        sb.append(samples < 0 ? "? samples (count unknown)"
                : String.format(Locale.ROOT, samples == 1 ? "%,d sample" : "%,d samples", samples));
        boolean eventsSaid = false;
        if (hasCpu()) {
            sb.append(", ").append(cpu(cpuNanos)).append(" CPU");
        } else if (weight == Weight.EVENTS && total >= 0) {
            sb.append(String.format(Locale.ROOT, ", %,d %s", total, eventUnit()));
            eventsSaid = eventUnit().equals(event);
        }
        if (durationNanos > 0) {
            sb.append(String.format(Locale.ROOT, " in %.2f s", durationSeconds()));
        }
        if (hasCpu() && durationNanos > 0) {
            sb.append(String.format(Locale.ROOT, " (%.2f cores)", cores()));
        }
        if (!event.isEmpty() && !eventsSaid) {
            sb.append(", event ").append(event);
        }
        if (!hasCpu()) {
            sb.append(weight == Weight.EVENTS ? "; weights are event counts, CPU time unknown"
                    : "; CPU time unknown (counts are samples)");
        }
        return sb.toString();
    }

    /** What one event weight counts: the event without its modifiers ({@code cycles} of {@code cycles:P}), or {@code events}. */
    public String eventUnit() {
        int colon = event.indexOf(':');
        String base = colon > 0 ? event.substring(0, colon) : event;
        return base.isEmpty() ? "events" : base;
    }

    /** The unit of a weight in words: {@code samples}, {@code CPU nanoseconds} or {@code cycles events}. */
    public String unitText() {
        return switch (weight) {
            case SAMPLES -> "samples";
            case CPU_NANOSECONDS -> "CPU nanoseconds";
            case EVENTS -> (event.isEmpty() ? "" : event + " ") + "events";
        };
    }

    /** CPU time for a person: {@code 1.99 s}, {@code 80 ms}, {@code 0.25 ms}. */
    public static String cpu(double nanos) {
        if (Double.isNaN(nanos)) {
            return "?";
        }
        double ms = nanos / 1e6;
        if (ms >= 1000) {
            return String.format(Locale.ROOT, "%.2f s", ms / 1000);
        }
        if (ms >= 10) {
            return String.format(Locale.ROOT, "%.0f ms", ms);
        }
        return String.format(Locale.ROOT, "%.2f ms", ms);
    }

    /** The header line (without its line break); see the class comment. */
    public String header() {
        return HEADER_PREFIX + " samples=" + samples + " counts=" + weight.key + " event=" + (event.isEmpty() ? "-" : event.replace(' ', '_'))
                + " cpu_ns=" + cpuNanos + " period=" + period + " duration_ns=" + durationNanos + HEADER_END;
    }

    /** Whether the line {@code b[from, to)} (raw bytes) starts as a header line, for readers of bytes. */
    public static boolean isHeader(byte[] b, int from, int to) {
        if (to - from < HEADER_PREFIX.length()) {
            return false;
        }
        for (int i = 0; i < HEADER_PREFIX.length(); i++) {
            if (b[from + i] != HEADER_PREFIX.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The metadata of a header line, or null when {@code line} is none. */
    public static ProfileMeta parseHeader(String line) {
        if (line == null || !line.startsWith(HEADER_PREFIX)) {
            return null;
        }
        long samples = -1;
        Weight w = Weight.SAMPLES;
        String event = "";
        long period = 0;
        long cpu = -1;
        long duration = 0;
        for (String kv : line.substring(HEADER_PREFIX.length()).trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String k = kv.substring(0, eq);
            String v = kv.substring(eq + 1);
            try {
                switch (k) {
                    case "samples" -> samples = Long.parseLong(v);
                    case "counts" -> w = Objects.requireNonNullElse(Weight.ofKey(v), Weight.SAMPLES);
                    case "event" -> event = v.equals("-") ? "" : v;
                    case "period" -> period = Long.parseLong(v);
                    case "cpu_ns" -> cpu = Long.parseLong(v);
                    case "duration_ns" -> duration = Long.parseLong(v);
                    default -> {
                        // a key of a later version
                    }
                }
            } catch (NumberFormatException e) {
                // a value this version cannot read: left unknown
            }
        }
        return new ProfileMeta(samples, w, event, period, cpu, duration);
    }
}
