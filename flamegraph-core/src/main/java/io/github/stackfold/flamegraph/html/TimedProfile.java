package io.github.stackfold.flamegraph.html;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.internal.FrameNamer;
import io.github.stackfold.flamegraph.parse.ByteView;
import io.github.stackfold.flamegraph.parse.PerfScriptParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Folded stacks that also know when each sample was taken: the input of the time heatmap of
 * {@link HtmlRenderer}. Each sample is a stack, a time in microseconds and a weight; {@link #profile()}
 * is the same samples folded (weights of equal stacks added), as {@code flame collapse} folds them.
 *
 * <p>{@link #readPerfScript} reads {@code perf script} text, whose event lines carry the time before
 * the period and event name:
 *
 * <pre>
 * java 12688 [002] 6544038.708352: 10309278 cpu-clock:     time 6544038.708352 s
 * swapper     0 [012] 2281339.604067:   20834821 cycles:
 * java 25607 4794564.109216: 1 cycles:                     (no cpu field)
 * </pre>
 *
 * A sample whose event line has no time (perf script run with {@code -F} without {@code time}) makes
 * the whole input untimed: {@link #hasTimes()} is then false. Stacks are folded by the collapser's
 * rules (process name, frame naming of {@link CollapseOptions}, the first event name as filter, the
 * period as weight), in a pass of its own so that the collapser's hot loop stays as it is.
 * Immutable.
 */
public final class TimedProfile {
    private final FoldedProfile profile;
    private final int[] stackOf;
    private final long[] micros;
    private final long[] weights;
    private final boolean hasTimes;
    private final String event;

    /** The samples of {@code b}, their stacks folded. */
    private TimedProfile(Builder b) {
        Map<String, Long> sums = new HashMap<>();
        for (int i = 0; i < b.stacks.size(); i++) {
            sums.merge(b.stacks.get(i), b.weights[i], Long::sum);
        }
        profile = FoldedProfile.of(sums);
        Map<String, Integer> index = new HashMap<>(profile.size() * 2);
        for (int i = 0; i < profile.size(); i++) {
            index.put(profile.stack(i), i);
        }
        int n = b.stacks.size();
        stackOf = new int[n];
        for (int i = 0; i < n; i++) {
            stackOf[i] = index.get(b.stacks.get(i));
        }
        micros = Arrays.copyOf(b.micros, n);
        weights = Arrays.copyOf(b.weights, n);
        hasTimes = b.hasTimes && n > 0;
        event = b.event;
    }

    /** The samples folded. */
    public FoldedProfile profile() {
        return profile;
    }

    /** The event the samples are of ({@code cpu-clock}, say); empty when unknown. */
    public String event() {
        return event;
    }

    /** The number of samples of each stack of {@link #profile()} (the profile's weights are periods). */
    public long[] sampleCounts() {
        long[] c = new long[profile.size()];
        for (int s : stackOf) {
            c[s]++;
        }
        return c;
    }

    /** Whether every sample had a time. */
    public boolean hasTimes() {
        return hasTimes;
    }

    public int samples() {
        return stackOf.length;
    }

    /** The index in {@link #profile()} of sample i's stack. */
    public int stackIndex(int i) {
        return stackOf[i];
    }

    /** Sample i's time in microseconds (as perf prints it: since boot, say). */
    public long micros(int i) {
        return micros[i];
    }

    public long weight(int i) {
        return weights[i];
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects samples; not thread-safe. */
    public static final class Builder {
        private final List<String> stacks = new ArrayList<>();
        private long[] micros = new long[64];
        private long[] weights = new long[64];
        private boolean hasTimes = true;
        private String event = "";

        private Builder() {
        }

        /** The event the samples are of; default empty (unknown). */
        public Builder event(String event) {
            this.event = Objects.requireNonNull(event, "event");
            return this;
        }

        /** Adds a sample of a raw stack (see {@link FoldedProfile}) at a time, in microseconds. */
        public Builder add(String rawStack, long micros, long weight) {
            Objects.requireNonNull(rawStack, "rawStack");
            if (weight < 0) {
                throw new IllegalArgumentException("negative weight " + weight);
            }
            int n = stacks.size();
            if (n == this.micros.length) {
                this.micros = Arrays.copyOf(this.micros, n * 2);
                this.weights = Arrays.copyOf(this.weights, n * 2);
            }
            stacks.add(rawStack);
            this.micros[n] = micros;
            this.weights[n] = weight;
            return this;
        }

        /** Adds a sample without a time: the profile built is untimed. */
        public Builder addUntimed(String rawStack, long weight) {
            hasTimes = false;
            return add(rawStack, 0, weight);
        }

        public TimedProfile build() {
            return new TimedProfile(this);
        }
    }

    /**
     * Reads {@code perf script} text sample by sample. Lines the parser cannot classify are skipped (the
     * collapser reports them); input with no event line at all is a {@link BadInputException}.
     */
    public static TimedProfile readPerfScript(InputStream in, String source, CollapseOptions options) throws IOException {
        FrameNamer namer = new FrameNamer(options);
        Builder b = builder();
        byte[] filter = options.eventFilter() == null ? null : options.eventFilter().getBytes(StandardCharsets.ISO_8859_1);
        boolean open = false;
        boolean sawEvent = false;
        String pname = null;
        boolean java = false;
        long period = 1;
        long time = -1;
        List<List<String>> lines = new ArrayList<>();
        Map<String, List<String>> named = new HashMap<>();
        try (PerfScriptParser p = PerfScriptParser.of(in, source)) {
            PerfScriptParser.Kind k;
            while ((k = p.next()) != PerfScriptParser.Kind.END) {
                switch (k) {
                    case EVENT: {
                        sawEvent = true;
                        open = false;
                        lines.clear();
                        if (p.hasEvent()) {
                            ByteView ev = p.event();
                            if (filter == null) {
                                filter = ev.toByteArray();
                            } else if (!ev.contentEquals(filter)) {
                                break;
                            }
                        }
                        period = 1;
                        if (p.hasPeriod()) {
                            String d = p.period().toString();
                            if (!d.equals("0")) {
                                period = parsePeriod(d);
                            }
                        }
                        pname = processName(p, options);
                        java = pname.startsWith("java");
                        time = eventMicros(p.line(), p.comm().length());
                        open = true;
                        break;
                    }
                    case FRAME:
                        if (open) {
                            String key = (java ? "j" : "n") + p.address() + '\u0000' + p.symbol() + '\u0000' + p.module();
                            List<String> names = named.get(key);
                            if (names == null) {
                                names = namer.names(p.address().toString(), p.symbol().toString(),
                                        p.module().toString(), java);
                                named.put(key, names);
                            }
                            lines.add(names);
                        }
                        break;
                    case END_OF_SAMPLE:
                        if (open) {
                            StringBuilder sb = new StringBuilder(pname);
                            for (int l = lines.size() - 1; l >= 0; l--) {
                                for (String f : lines.get(l)) {
                                    sb.append(';').append(f);
                                }
                            }
                            if (time < 0) {
                                b.addUntimed(sb.toString(), period);
                            } else {
                                b.add(sb.toString(), time, period);
                            }
                            open = false;
                            lines.clear();
                        }
                        break;
                    default:
                        break;
                }
            }
        }
        if (filter != null) {
            b.event(new String(filter, StandardCharsets.ISO_8859_1));
        }
        if (!sawEvent) {
            throw new BadInputException(source, 0, 0, "expected perf script text with event lines such as "
                    + "'java 12688 [002] 6544038.708352: 10309278 cpu-clock:'");
        }
        return b.build();
    }

    private static long parsePeriod(String d) {
        try {
            return Long.parseLong(d);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** comm, comm-PID or comm-PID/TID with spaces as '_', as the collapser names a process. */
    private static String processName(PerfScriptParser p, CollapseOptions o) {
        StringBuilder sb = new StringBuilder(p.comm());
        boolean hasTid = p.hasTid() && !(p.tid().length() == 1 && p.tid().byteAt(0) == '0');
        if (o.pid() || o.tid()) {
            sb.append('-').append(hasTid ? p.pid().toString() : "?");
            if (o.tid()) {
                sb.append('/').append(hasTid ? p.tid() : p.pid());
            }
        }
        return sb.toString().replace(' ', '_');
    }

    /**
     * The time of an event line in microseconds: the first blank-separated token after the command
     * name that is {@code DIGITS.DIGITS:}, else the first in the whole line; -1 when there is none.
     * The second look is for a task that was exiting, which perf prints as {@code :-1    -1 [000]
     * 296.393906: 1001001 cpu-clock:}: its PID is no number, so the command name (as the collapser
     * reads it, after stackcollapse-perf.pl) runs up to the period and holds the time.
     */
    static long eventMicros(ByteView line, int commLength) {
        long t = firstTime(line, commLength);
        return t >= 0 || commLength == 0 ? t : firstTime(line, 0);
    }

    private static long firstTime(ByteView line, int from) {
        int n = line.length();
        int i = from;
        while (i < n) {
            while (i < n && isBlank(line.byteAt(i))) {
                i++;
            }
            int s = i;
            while (i < n && !isBlank(line.byteAt(i))) {
                i++;
            }
            long t = parseTime(line, s, i);
            if (t >= 0) {
                return t;
            }
        }
        return -1;
    }

    private static long parseTime(ByteView v, int s, int e) {
        if (e - s < 4 || v.byteAt(e - 1) != ':') {
            return -1;
        }
        long whole = 0;
        int i = s;
        while (i < e - 1 && isDigit(v.byteAt(i))) {
            whole = whole * 10 + (v.byteAt(i) - '0');
            i++;
        }
        if (i == s || i >= e - 1 || v.byteAt(i) != '.' || i - s > 12) {
            return -1;
        }
        i++;
        long frac = 0;
        int digits = 0;
        while (i < e - 1 && isDigit(v.byteAt(i))) {
            if (digits < 6) {
                frac = frac * 10 + (v.byteAt(i) - '0');
                digits++;
            }
            i++;
        }
        if (i != e - 1 || digits == 0) {
            return -1;
        }
        while (digits < 6) {
            frac *= 10;
            digits++;
        }
        return whole * 1_000_000 + frac;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\t';
    }
}
