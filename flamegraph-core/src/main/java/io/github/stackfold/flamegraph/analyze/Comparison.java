package io.github.stackfold.flamegraph.analyze;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.github.stackfold.flamegraph.folded.ProfileMeta;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Two analyzed profiles side by side (such as idle and under load): each category's shares before
 * and after, and how each function's self and inclusive share changed. Shares are fractions of each
 * profile's own total, so profiles of different lengths compare; a delta is after minus before, in
 * fractions of 1 (0.05 is five percentage points).
 *
 * <p>Immutable and thread-safe. Made by {@link Analyzer#compare} or {@link #of}.
 */
public final class Comparison {
    private final Report before;
    private final Report after;
    private final List<CategoryChange> categories;
    private final List<FunctionChange> grew;

    private Comparison(Report before, Report after, List<CategoryChange> categories, List<FunctionChange> grew) {
        this.before = before;
        this.after = after;
        this.categories = List.copyOf(categories);
        this.grew = List.copyOf(grew);
    }

    /**
     * Compares two reports made with the same rules.
     *
     * @param top how many functions {@link #grewMost()} lists
     */
    public static Comparison of(Report before, Report after, int top) {
        long n1 = before.samples();
        long n2 = after.samples();
        List<CategoryChange> cats = new ArrayList<>();
        for (Report.CategoryShare b : before.categories()) {
            Report.CategoryShare a = after.category(b.name()).orElse(new Report.CategoryShare(b.name(), 0, 0));
            cats.add(new CategoryChange(b.name(), b.exclusive(), a.exclusive(), b.inclusive(), a.inclusive(), n1, n2));
        }
        for (Report.CategoryShare a : after.categories()) {
            if (before.category(a.name()).isEmpty()) {
                cats.add(new CategoryChange(a.name(), 0, a.exclusive(), 0, a.inclusive(), n1, n2));
            }
        }
        cats.add(new CategoryChange(UNCLASSIFIED, before.unclassified(), after.unclassified(),
                before.unclassified(), after.unclassified(), n1, n2));
        TreeSet<String> names = new TreeSet<>(before.functions());
        names.addAll(after.functions());
        // ranked by how sure the growth is (z), not by its size: +3 pp from 40 samples is less news than +2 pp from 4000
        List<FunctionChange> grew = names.stream()
                .map(n -> change(before, after, n))
                .filter(f -> f.selfDelta() > 0)
                .sorted(Comparator.comparingDouble(FunctionChange::selfZ).reversed()
                        .thenComparing(Comparator.comparingDouble(FunctionChange::selfDelta).reversed())
                        .thenComparing(FunctionChange::name))
                .limit(top)
                .toList();
        return new Comparison(before, after, cats, grew);
    }

    /**
     * Plain warnings for a person: a side with fewer than {@link Margins#TOO_FEW} samples, whose shares
     * are then too uncertain to conclude anything from. Empty when both sides have enough.
     */
    public List<String> warnings() {
        List<String> w = new ArrayList<>();
        warnFew(w, "before", before.samples());
        warnFew(w, "after", after.samples());
        return w;
    }

    private static void warnFew(List<String> w, String side, long n) {
        if (n < Margins.TOO_FEW) {
            w.add(String.format(Locale.ROOT, "%s has only %d samples: too few to conclude anything (a 5%% share is "
                    + "\u00b1%.1f pp at 95%%); record longer or at a higher frequency", side, n,
                    100 * Margins.share(0.05, Math.max(1, n))));
        }
    }

    /** CPU time before and after, e.g. {@code CPU: 1.72 s -> 1.99 s (+0.27 s)}; null when either side's is unknown. */
    public String cpuChange() {
        ProfileMeta b = before.meta();
        ProfileMeta a = after.meta();
        if (!b.hasCpu() || !a.hasCpu()) {
            return null;
        }
        String s = "CPU: " + ProfileMeta.cpu(b.cpuNanos()) + " -> " + ProfileMeta.cpu(a.cpuNanos());
        double d = a.cpuNanos() - b.cpuNanos();
        s += " (" + (d >= 0 ? "+" : "-") + ProfileMeta.cpu(Math.abs(d)) + ")";
        if (b.durationNanos() > 0 && a.durationNanos() > 0) {
            s += String.format(Locale.ROOT, ", %.2f -> %.2f cores", b.cores(), a.cores());
        }
        return s;
    }

    /** The name of the pseudo-category of samples no rule classifies. */
    public static final String UNCLASSIFIED = "(unclassified)";

    private static FunctionChange change(Report before, Report after, String name) {
        return new FunctionChange(name, before.selfShare(name), after.selfShare(name),
                before.inclusiveShare(name), after.inclusiveShare(name), before.samples(), after.samples());
    }

    public Report before() {
        return before;
    }

    public Report after() {
        return after;
    }

    /** Every category in rule order, then {@link #UNCLASSIFIED}. */
    public List<CategoryChange> categories() {
        return categories;
    }

    public Optional<CategoryChange> category(String name) {
        return categories.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /**
     * The functions whose self share grew, surest growth first (by {@link FunctionChange#selfZ()}, then by
     * size); only those that grew.
     */
    public List<FunctionChange> grewMost() {
        return grew;
    }

    /** Any function's change (all zero when it is in neither profile). */
    public FunctionChange function(String name) {
        return change(before, after, name);
    }

    /** The comparison as JSON: {@code before} and {@code after} totals, {@code categories}, {@code grewMost}. */
    public void writeJson(OutputStream out) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("rules", after.rules());
            side(g, "before", before);
            side(g, "after", after);
            g.writeArrayFieldStart("warnings");
            for (String w : warnings()) {
                g.writeString(w);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("categories");
            for (CategoryChange c : categories) {
                g.writeStartObject();
                g.writeStringField("name", c.name());
                g.writeNumberField("exclusiveBefore", c.exclusiveBefore());
                g.writeNumberField("exclusiveAfter", c.exclusiveAfter());
                g.writeNumberField("exclusiveDelta", c.exclusiveDelta());
                Report.number(g, "exclusiveBeforeMargin", Margins.share(c.exclusiveBefore(), c.samplesBefore()));
                Report.number(g, "exclusiveAfterMargin", Margins.share(c.exclusiveAfter(), c.samplesAfter()));
                Report.number(g, "exclusiveDeltaMargin", c.exclusiveDeltaMargin());
                Report.number(g, "exclusiveZ", c.exclusiveZ());
                g.writeBooleanField("exclusiveInNoise", c.exclusiveInNoise());
                g.writeNumberField("inclusiveBefore", c.inclusiveBefore());
                g.writeNumberField("inclusiveAfter", c.inclusiveAfter());
                g.writeNumberField("inclusiveDelta", c.inclusiveDelta());
                Report.number(g, "inclusiveDeltaMargin", c.inclusiveDeltaMargin());
                Report.number(g, "inclusiveZ", c.inclusiveZ());
                g.writeBooleanField("inclusiveInNoise", c.inclusiveInNoise());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("grewMost");
            for (FunctionChange f : grew) {
                g.writeStartObject();
                g.writeStringField("name", f.name());
                g.writeNumberField("selfBefore", f.selfBefore());
                g.writeNumberField("selfAfter", f.selfAfter());
                g.writeNumberField("selfDelta", f.selfDelta());
                Report.number(g, "selfDeltaMargin", f.selfDeltaMargin());
                Report.number(g, "selfZ", f.selfZ());
                g.writeBooleanField("selfInNoise", f.selfInNoise());
                g.writeNumberField("inclusiveBefore", f.inclusiveBefore());
                g.writeNumberField("inclusiveAfter", f.inclusiveAfter());
                g.writeNumberField("inclusiveDelta", f.inclusiveDelta());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        out.write('\n');
        out.flush();
    }

    private static void side(JsonGenerator g, String name, Report r) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeNumberField("total", r.total());
        g.writeNumberField("samples", r.samples());
        Report.writeMeta(g, r.meta());
        g.writeEndObject();
    }

    public String toJson() {
        return JsonText.of(this::writeJson);
    }

    /**
     * The category table and the functions that grew most, for a person. Every share carries its 95 %
     * margin ({@code 5.0% ±3.0}), every change its margin and {@code ~} when it is inside the noise:
     *
     * <pre>
     * authentication        2.0% ±2.7    5.0% ±3.0    +3.0pp ±4.1 ~
     * </pre>
     */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("before: ").append(before.meta().withSamples(before.samples()).describe(before.total())).append('\n');
        sb.append("after:  ").append(after.meta().withSamples(after.samples()).describe(after.total())).append('\n');
        String cpu = cpuChange();
        if (cpu != null) {
            sb.append(cpu).append('\n');
        }
        sb.append("rules ").append(after.rules()).append('\n');
        for (String w : warnings()) {
            sb.append("warning: ").append(w).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%nShares with their 95%% margins; a change marked ~ is inside the noise "
                + "(|z| < 1.96).%n"));
        sb.append(String.format(Locale.ROOT, "%-20s %-40s %s%n", "category", "exclusive before / after / change",
                "inclusive before / after / change"));
        for (CategoryChange c : categories) {
            sb.append(String.format(Locale.ROOT, "%-20s %-40s %s%n", c.name(),
                    triple(c.exclusiveBefore(), c.samplesBefore(), c.exclusiveAfter(), c.samplesAfter()),
                    triple(c.inclusiveBefore(), c.samplesBefore(), c.inclusiveAfter(), c.samplesAfter())));
        }
        sb.append(String.format(Locale.ROOT, "%nFunctions that grew most, surest first (self share before -> after)%n"));
        if (grew.isEmpty()) {
            sb.append("  none\n");
        }
        for (FunctionChange f : grew) {
            sb.append(String.format(Locale.ROOT, "  %-16s z=%5.2f  %7s -> %7s  %s%n",
                    change(f.selfBefore(), f.samplesBefore(), f.selfAfter(), f.samplesAfter()), f.selfZ(),
                    Report.pct(f.selfBefore()), Report.pct(f.selfAfter()), f.name()));
        }
        return sb.toString();
    }

    /** {@code 2.0% ±2.7    5.0% ±3.0    +3.0pp ±4.1 ~}. */
    private static String triple(double p1, long n1, double p2, long n2) {
        return String.format(Locale.ROOT, "%-12s %-12s %s", withMargin(p1, n1), withMargin(p2, n2), change(p1, n1, p2, n2));
    }

    /** A share and its margin: {@code 5.0% ±3.0}. */
    public static String withMargin(double p, long n) {
        double m = Margins.share(p, n);
        return Report.pct(p) + (Double.isNaN(m) ? "" : String.format(Locale.ROOT, " \u00b1%.1f", m * 100));
    }

    /** A change and its margin, {@code ~} when inside the noise: {@code +3.0pp ±4.1 ~}. */
    public static String change(double p1, long n1, double p2, long n2) {
        double m = Margins.delta(p1, n1, p2, n2);
        String s = String.format(Locale.ROOT, "%+.1fpp", (p2 - p1) * 100);
        s += Double.isNaN(m) ? "" : String.format(Locale.ROOT, " \u00b1%.1f", m * 100);
        return Margins.inNoise(p1, n1, p2, n2) ? s + " ~" : s;
    }

    /** A category's shares before and after, and the sample counts they come from. */
    public record CategoryChange(String name, double exclusiveBefore, double exclusiveAfter,
            double inclusiveBefore, double inclusiveAfter, long samplesBefore, long samplesAfter) {
        public double exclusiveDelta() {
            return exclusiveAfter - exclusiveBefore;
        }

        public double inclusiveDelta() {
            return inclusiveAfter - inclusiveBefore;
        }

        /** The 95 % margin of {@link #exclusiveDelta()} (see {@link Margins#delta}). */
        public double exclusiveDeltaMargin() {
            return Margins.delta(exclusiveBefore, samplesBefore, exclusiveAfter, samplesAfter);
        }

        public double inclusiveDeltaMargin() {
            return Margins.delta(inclusiveBefore, samplesBefore, inclusiveAfter, samplesAfter);
        }

        public double exclusiveZ() {
            return Margins.z(exclusiveBefore, samplesBefore, exclusiveAfter, samplesAfter);
        }

        public double inclusiveZ() {
            return Margins.z(inclusiveBefore, samplesBefore, inclusiveAfter, samplesAfter);
        }

        /** Whether the exclusive change is inside the noise (|z| &lt; 1.96). */
        public boolean exclusiveInNoise() {
            return Margins.inNoise(exclusiveBefore, samplesBefore, exclusiveAfter, samplesAfter);
        }

        public boolean inclusiveInNoise() {
            return Margins.inNoise(inclusiveBefore, samplesBefore, inclusiveAfter, samplesAfter);
        }
    }

    /** A function's self and inclusive shares before and after, and the sample counts they come from. */
    public record FunctionChange(String name, double selfBefore, double selfAfter, double inclusiveBefore,
            double inclusiveAfter, long samplesBefore, long samplesAfter) {
        public double selfDelta() {
            return selfAfter - selfBefore;
        }

        public double inclusiveDelta() {
            return inclusiveAfter - inclusiveBefore;
        }

        public double selfDeltaMargin() {
            return Margins.delta(selfBefore, samplesBefore, selfAfter, samplesAfter);
        }

        /** How sure the self share's change is, in standard errors (the ranking of {@link Comparison#grewMost()}). */
        public double selfZ() {
            return Margins.z(selfBefore, samplesBefore, selfAfter, samplesAfter);
        }

        public boolean selfInNoise() {
            return Margins.inNoise(selfBefore, samplesBefore, selfAfter, samplesAfter);
        }
    }
}
