package io.github.stackfold.flamegraph.export;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.html.TimedProfile;
import io.github.stackfold.flamegraph.pprof.PprofProfile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;

/**
 * Stacks with one or more typed values each: what the export writers ({@link PprofWriter},
 * {@link SpeedscopeWriter}, {@link #folded}) write. Values are pprof's sample types, {@code type/unit}:
 *
 * <pre>
 * samples/count           how many samples had the stack (folded input: its counts)
 * cpu/nanoseconds         perf's cpu-clock or task-clock periods, or a pprof CPU profile
 * cycles/count            another perf event: its periods
 * </pre>
 *
 * {@link #threadsInFirstFrame()} says whether each stack's first frame names its process or thread
 * (as {@code perf script} stacks folded by the collapser do: {@code java;...}, {@code java-4711/4712;...}).
 * Immutable.
 */
public final class ExportProfile {
    /** A pprof value type: {@code samples/count}, {@code cpu/nanoseconds}, ... */
    public record ValueType(String type, String unit) {
        public static final ValueType SAMPLES = new ValueType("samples", "count");
        public static final ValueType CPU_NANOS = new ValueType("cpu", "nanoseconds");

        public ValueType {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(unit, "unit");
        }

        /**
         * {@code type/unit} as pprof prints it; a lone {@code cpu} is {@code cpu/nanoseconds}, another lone
         * {@code type} has unit {@code count}.
         */
        public static ValueType parse(String s) {
            if (s.equals("cpu")) {
                return CPU_NANOS;
            }
            int slash = s.indexOf('/');
            return slash < 0 ? new ValueType(s, "count") : new ValueType(s.substring(0, slash), s.substring(slash + 1));
        }

        @Override
        public String toString() {
            return type + "/" + unit;
        }
    }

    /** Which value {@link #folded} and {@link SpeedscopeWriter} take. */
    public enum Value {
        /** The sample counts ({@code samples/count}); the only value when there is no other. */
        SAMPLES,
        /** The weight: the last value that is not a sample count (periods, nanoseconds); the counts when there is none. */
        WEIGHT
    }

    /**
     * What the input says about the profile as a whole, which pprof keeps in its header fields: only
     * what the input knows, nothing guessed.
     *
     * @param periodType    what one period counts ({@code cpu/nanoseconds}, {@code cycles/count}); null when unknown
     * @param period        the period of every sample (pprof: 10,000,000 ns at 100 Hz; perf.data recorded with
     *                      {@code -c N}: N; perf script text whose samples all print the same period: that one);
     *                      0 when unknown or when it varies (a perf.data recorded at a frequency, {@code -F})
     * @param timeNanos     when the profile was taken, nanoseconds since the epoch; 0 when unknown (perf's
     *                      sample times count from boot, not from the epoch)
     * @param durationNanos how long the profile covers: pprof's {@code duration_nanos}, a stackfold folded
     *                      file's header, or perf's first to last sample (as {@link io.github.stackfold.flamegraph.folded.ProfileMeta}
     *                      counts it); 0 when unknown
     * @param binary        the profiled program: a pprof profile's main mapping file
     *                      ({@code /usr/local/bin/kube-apiserver}), or the process of every sample of a perf
     *                      recording (its name as the first frame has it); empty when unknown or several
     */
    public record Header(ValueType periodType, long period, long timeNanos, long durationNanos, String binary) {
        /** Nothing known. */
        public static final Header UNKNOWN = new Header(null, 0, 0, 0, "");

        public Header {
            binary = binary == null ? "" : binary;
            period = Math.max(0, period);
            timeNanos = Math.max(0, timeNanos);
            durationNanos = Math.max(0, durationNanos);
        }

        /** A pprof profile's header fields as it has them. */
        public static Header of(PprofProfile p) {
            return new Header(p.periodType().isEmpty() ? null : ValueType.parse(p.periodType()), p.period(),
                    p.timeNanos(), p.durationNanos(), p.mainMapping());
        }

        /**
         * The header of several profiles taken as one: the period type, period and binary when every
         * profile has the same; the earliest time when every profile knows its own; the duration unknown
         * (the profiles may overlap, as replicas do, or follow each other: see ProfileMeta.merge).
         */
        static Header merge(List<Header> hs) {
            Header first = hs.get(0);
            ValueType periodType = first.periodType;
            long period = first.period;
            String binary = first.binary;
            long time = first.timeNanos;
            for (Header h : hs) {
                periodType = Objects.equals(periodType, h.periodType) ? periodType : null;
                period = period == h.period ? period : 0;
                binary = binary.equals(h.binary) ? binary : "";
                time = time == 0 || h.timeNanos == 0 ? 0 : Math.min(time, h.timeNanos);
            }
            return new Header(periodType, periodType == null ? 0 : period, time, hs.size() == 1 ? first.durationNanos : 0,
                    binary);
        }
    }

    private final FoldedProfile stacks;
    private final List<ValueType> types;
    private final long[][] values;
    private final boolean threadsInFirstFrame;
    private final Header header;

    private ExportProfile(FoldedProfile stacks, List<ValueType> types, long[][] values, boolean threadsInFirstFrame) {
        this(stacks, types, values, threadsInFirstFrame, Header.UNKNOWN);
    }

    private ExportProfile(FoldedProfile stacks, List<ValueType> types, long[][] values, boolean threadsInFirstFrame,
            Header header) {
        this.stacks = stacks;
        this.types = Collections.unmodifiableList(new ArrayList<>(types));
        this.values = values;
        this.threadsInFirstFrame = threadsInFirstFrame;
        this.header = Objects.requireNonNull(header, "header");
    }

    /** This profile with another {@link Header}. */
    public ExportProfile withHeader(Header h) {
        return new ExportProfile(stacks, types, values, threadsInFirstFrame, h);
    }

    /** What the input said about the profile as a whole ({@link Header#UNKNOWN} when nothing). */
    public Header header() {
        return header;
    }

    /** Folded stacks with their counts as one value of the given type, and the duration their meta knows. */
    public static ExportProfile of(FoldedProfile p, ValueType type) {
        long[] v = new long[p.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = p.count(i);
        }
        return new ExportProfile(p, List.of(type), new long[][] {v}, false,
                new Header(null, 0, 0, p.meta().durationNanos(), ""));
    }

    /** Folded stacks counted in samples. */
    public static ExportProfile of(FoldedProfile p) {
        return of(p, ValueType.SAMPLES);
    }

    /**
     * Stacks counted twice, in samples and in CPU nanoseconds (a pprof CPU profile read for each of
     * its two sample types); a stack missing from one has 0 there.
     */
    public static ExportProfile of(FoldedProfile samples, FoldedProfile cpuNanos) {
        FoldedProfile.Builder all = FoldedProfile.builder();
        samples.forEach((s, c) -> all.add(s, 0));
        cpuNanos.forEach((s, c) -> all.add(s, 0));
        FoldedProfile stacks = all.build();
        long[] a = new long[stacks.size()];
        long[] b = new long[stacks.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = samples.count(stacks.stack(i));
            b[i] = cpuNanos.count(stacks.stack(i));
        }
        return new ExportProfile(stacks, List.of(ValueType.SAMPLES, ValueType.CPU_NANOS), new long[][] {a, b}, false);
    }

    /** A pprof profile's stacks, valued in its sample type, with its {@link Header}. */
    public static ExportProfile of(PprofProfile p) {
        return of(p.folded(), ValueType.parse(p.sampleType())).withHeader(Header.of(p));
    }

    /**
     * perf samples: {@code samples/count} and the summed periods, typed by the event
     * ({@code cpu/nanoseconds} for cpu-clock and task-clock, {@code EVENT/count} otherwise); only the
     * counts when perf printed neither event nor period. The first frame of each stack is its process
     * (or thread).
     */
    public static ExportProfile of(TimedProfile t) {
        FoldedProfile p = t.profile();
        long[] weights = new long[p.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = p.count(i);
        }
        long[] counts = t.sampleCounts();
        long duration = 0;
        if (t.hasTimes() && t.samples() > 1) {
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (int i = 0; i < t.samples(); i++) {
                first = Math.min(first, t.micros(i));
                last = Math.max(last, t.micros(i));
            }
            duration = (last - first) * 1000;
        }
        String process = oneProcess(p);
        if (t.event().isEmpty() && java.util.Arrays.equals(counts, weights)) {
            // perf script printed neither event nor period (-F without them): the weights are the counts
            return new ExportProfile(p, List.of(ValueType.SAMPLES), new long[][] {counts}, true,
                    new Header(null, 0, 0, duration, process));
        }
        long period = t.samples() > 0 ? t.weight(0) : 0;
        for (int i = 1; i < t.samples() && period != 0; i++) {
            period = t.weight(i) == period ? period : 0; // perf -F: every sample has its own period
        }
        if (period == 1) {
            period = 0; // perf script printed no period: each sample was counted 1
        }
        ValueType type = eventType(t.event());
        return new ExportProfile(p, List.of(ValueType.SAMPLES, type), new long[][] {counts, weights}, true,
                new Header(type, period, 0, duration, process));
    }

    /**
     * The process every stack's first frame names (perf stacks start with it: {@code sh}, {@code java-4711}),
     * or empty when they name several (or there are none). Only for stacks that start with their process.
     */
    public static String oneProcess(FoldedProfile p) {
        String one = null;
        for (int i = 0; i < p.size(); i++) {
            String s = p.stack(i);
            int semi = s.indexOf(';');
            String first = FoldedProfile.decode(semi < 0 ? s : s.substring(0, semi));
            if (one == null) {
                one = first;
            } else if (!one.equals(first)) {
                return "";
            }
        }
        return one == null ? "" : one;
    }

    /**
     * A perf.data recording folded ({@code PerfDataCollapser.Result}): like perf script text
     * ({@link #of(TimedProfile)}), {@code samples/count} from {@code samples} and the periods of
     * {@code weights} typed by its {@link FoldedProfile#meta() meta}'s event ({@code cpu/nanoseconds}
     * for cpu-clock and task-clock, {@code cycles/count} for cycles); only the counts when the weights
     * are samples. Both hold the same stacks, whose first frame is the process. The {@link Header}: the
     * event's type, the duration from the meta, the process when there is one, and the period when
     * {@code period} (perf's {@code -c N} of the event, 0 for {@code -F} or unknown) is given.
     */
    public static ExportProfile ofPerf(FoldedProfile weights, FoldedProfile samples, long period) {
        long[] w = new long[weights.size()];
        long[] counts = new long[weights.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights.count(i);
            counts[i] = samples.count(weights.stack(i));
        }
        String process = oneProcess(weights);
        long duration = weights.meta().durationNanos();
        if (weights.meta().weight() == io.github.stackfold.flamegraph.folded.ProfileMeta.Weight.SAMPLES) {
            // the samples carry no period (perf -c N leaves it out): the period is the attribute's, if fixed
            boolean known = period > 0 && !weights.meta().event().isEmpty();
            return new ExportProfile(weights, List.of(ValueType.SAMPLES), new long[][] {counts}, true,
                    new Header(known ? eventType(weights.meta().event()) : null, known ? period : 0, 0, duration, process));
        }
        ValueType type = eventType(weights.meta().event());
        return new ExportProfile(weights, List.of(ValueType.SAMPLES, type), new long[][] {counts, w}, true,
                new Header(type, period, 0, duration, process));
    }

    /**
     * Several profiles as one: each stack's values summed, per value type. Only the types every profile
     * has are kept (a folded file, counted in samples, merged with a pprof CPU profile keeps
     * {@code samples/count}; two CPU profiles keep their nanoseconds too), in the first profile's
     * order; empty when they have none in common. The first frames name processes when they do in
     * every profile. The header is {@link Header#merge}'s.
     */
    public static java.util.Optional<ExportProfile> merge(List<ExportProfile> profiles) {
        List<ValueType> common = new ArrayList<>(profiles.get(0).types);
        boolean threads = true;
        for (ExportProfile p : profiles) {
            common.retainAll(p.types);
            threads &= p.threadsInFirstFrame;
        }
        if (common.isEmpty()) {
            return java.util.Optional.empty();
        }
        FoldedProfile.Builder all = FoldedProfile.builder();
        for (ExportProfile p : profiles) {
            for (int i = 0; i < p.size(); i++) {
                all.add(p.stack(i), 0);
            }
        }
        FoldedProfile stacks = all.build();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < stacks.size(); i++) {
            index.put(stacks.stack(i), i);
        }
        long[][] values = new long[common.size()][stacks.size()];
        for (ExportProfile p : profiles) {
            for (int t = 0; t < common.size(); t++) {
                int k = p.types.indexOf(common.get(t));
                for (int i = 0; i < p.size(); i++) {
                    values[t][index.get(p.stack(i))] += p.values[k][i];
                }
            }
        }
        List<Header> headers = new ArrayList<>();
        for (ExportProfile p : profiles) {
            headers.add(p.header);
        }
        return java.util.Optional.of(new ExportProfile(stacks, common, values, threads, Header.merge(headers)));
    }

    static ValueType eventType(String event) {
        String e = event.toLowerCase(Locale.ROOT);
        int colon = e.indexOf(':');
        if (colon >= 0) {
            e = e.substring(0, colon); // cpu-clock:uhH
        }
        if (e.equals("cpu-clock") || e.equals("task-clock")) {
            return ValueType.CPU_NANOS;
        }
        return new ValueType(e.isEmpty() ? "events" : e, "count");
    }

    public int size() {
        return stacks.size();
    }

    /** Stack i, a raw string (see {@link FoldedProfile}), in byte order. */
    public String stack(int i) {
        return stacks.stack(i);
    }

    public List<ValueType> types() {
        return types;
    }

    public long value(int type, int i) {
        return values[type][i];
    }

    public long total(int type) {
        long t = 0;
        for (long v : values[type]) {
            t += v;
        }
        return t;
    }

    public boolean threadsInFirstFrame() {
        return threadsInFirstFrame;
    }

    /** The index in {@link #types()} of a {@link Value}. */
    public int index(Value v) {
        int samples = types.indexOf(ValueType.SAMPLES);
        if (v == Value.SAMPLES) {
            return samples >= 0 ? samples : 0;
        }
        for (int i = types.size() - 1; i >= 0; i--) {
            if (i != samples) {
                return i;
            }
        }
        return 0;
    }

    /** The stacks valued by one of the values, as folded stacks (stacks whose value is 0 are left out). */
    public FoldedProfile folded(Value v) {
        int k = index(v);
        FoldedProfile.Builder b = FoldedProfile.builder();
        for (int i = 0; i < size(); i++) {
            if (values[k][i] != 0) {
                b.add(stack(i), values[k][i]);
            }
        }
        return b.build();
    }
}
