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
 *
 * @param before the first profile's report (idle, say)
 * @param after the second profile's report (under load, say)
 * @param categories every category in rule order, then {@link #UNCLASSIFIED}
 * @param grewMost the functions whose self share grew, surest growth first (by {@link ShareChange#z()} of
 *        {@link FunctionChange#self()}, then by size); only those that grew
 */
public record Comparison(Report before, Report after, List<CategoryChange> categories, List<FunctionChange> grewMost) {
    public Comparison {
        categories = List.copyOf(categories);
        grewMost = List.copyOf(grewMost);
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
            cats.add(new CategoryChange(b.name(), new ShareChange(b.exclusive(), a.exclusive(), n1, n2),
                    new ShareChange(b.inclusive(), a.inclusive(), n1, n2)));
        }
        for (Report.CategoryShare a : after.categories()) {
            if (before.category(a.name()).isEmpty()) {
                cats.add(new CategoryChange(a.name(), new ShareChange(0, a.exclusive(), n1, n2),
                        new ShareChange(0, a.inclusive(), n1, n2)));
            }
        }
        ShareChange unclassified = new ShareChange(before.unclassified(), after.unclassified(), n1, n2);
        cats.add(new CategoryChange(UNCLASSIFIED, unclassified, unclassified));
        TreeSet<String> names = new TreeSet<>(before.functions());
        names.addAll(after.functions());
        // ranked by how sure the growth is (z), not by its size: +3 pp from 40 samples is less news than +2 pp from 4000
        List<FunctionChange> grew = names.stream()
                .map(n -> change(before, after, n))
                .filter(f -> f.self().delta() > 0)
                .sorted(Comparator.comparingDouble((FunctionChange f) -> f.self().z()).reversed()
                        .thenComparing(Comparator.comparingDouble((FunctionChange f) -> f.self().delta()).reversed())
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
            w.add(String.format(Locale.ROOT, "%s has only %d samples: too few for small changes (a 5%% share is "
                    + "\u00b1%.1f pp at 95%%): only the changes not marked ~ stand; record longer or at a higher frequency", side, n,
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
        long n1 = before.samples();
        long n2 = after.samples();
        return new FunctionChange(name, new ShareChange(before.selfShare(name), after.selfShare(name), n1, n2),
                new ShareChange(before.inclusiveShare(name), after.inclusiveShare(name), n1, n2));
    }

    public Optional<CategoryChange> category(String name) {
        return categories.stream().filter(c -> c.name().equals(name)).findFirst();
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
            Report.writeObjects(g, "categories", categories, (w, c) -> {
                w.writeStringField("name", c.name());
                writeChange(w, "exclusive", c.exclusive(), true, true);
                writeChange(w, "inclusive", c.inclusive(), true, true);
            });
            Report.writeObjects(g, "grewMost", grewMost, (w, f) -> {
                w.writeStringField("name", f.name());
                writeChange(w, "self", f.self(), false, true);
                writeChange(w, "inclusive", f.inclusive(), false, false);
            });
            g.writeEndObject();
        }
        out.write('\n');
        out.flush();
    }

    /**
     * The fields {@code <share>Before}, {@code After} and {@code Delta}; with {@code sideMargins} the margins
     * {@code BeforeMargin} and {@code AfterMargin}; with {@code noise} {@code DeltaMargin}, {@code Z} and
     * {@code InNoise}.
     */
    private static void writeChange(JsonGenerator g, String share, ShareChange s, boolean sideMargins, boolean noise)
            throws IOException {
        g.writeNumberField(share + "Before", s.before());
        g.writeNumberField(share + "After", s.after());
        g.writeNumberField(share + "Delta", s.delta());
        if (sideMargins) {
            Report.number(g, share + "BeforeMargin", Margins.share(s.before(), s.samplesBefore()));
            Report.number(g, share + "AfterMargin", Margins.share(s.after(), s.samplesAfter()));
        }
        if (noise) {
            Report.number(g, share + "DeltaMargin", s.deltaMargin());
            Report.number(g, share + "Z", s.z());
            g.writeBooleanField(share + "InNoise", s.inNoise());
        }
    }

    /**
     * A side: its total, samples and meta, and as {@link Report#toJson()} says it, {@code unnamed.share},
     * {@code unnamed.cannotTell} and, when it cannot tell, the verdict and remedy: its category shares
     * are then lower bounds, not measurements.
     */
    private static void side(JsonGenerator g, String name, Report r) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeNumberField("total", r.total());
        g.writeNumberField("samples", r.samples());
        Report.writeMeta(g, r.meta());
        g.writeObjectFieldStart("unnamed");
        g.writeNumberField("share", r.unnamedShare());
        g.writeBooleanField("cannotTell", r.cannotTell());
        if (r.cannotTell()) {
            g.writeStringField("verdict", r.verdict());
            g.writeStringField("remedy", r.remedy());
        }
        g.writeEndObject();
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
        // a side with too many unnamed frames: its category shares are lower bounds, not measurements of 0.0%
        boolean tell = !before.cannotTell() && !after.cannotTell();
        for (Report side : List.of(before, after)) {
            if (side.cannotTell()) {
                sb.append(side == before ? "before: " : "after: ").append(side.verdict()).append("; ").append(side.remedy())
                        .append('\n');
            }
        }
        sb.append(String.format(Locale.ROOT, "%nShares with their 95%% margins; a change marked ~ is inside the noise "
                + "(|z| < 1.96).%n"));
        sb.append(String.format(Locale.ROOT, "%-20s %-40s %s%n", "category", "exclusive before / after / change",
                "inclusive before / after / change"));
        for (CategoryChange c : categories) {
            sb.append(String.format(Locale.ROOT, "%-20s %-40s %s%n", c.name(),
                    tell ? c.exclusive().toText() : untold(c.exclusive(), c.name()),
                    tell ? c.inclusive().toText() : untold(c.inclusive(), c.name())));
        }
        sb.append(String.format(Locale.ROOT, "%nFunctions that grew most, surest first (self share before -> after)%n"));
        if (grewMost.isEmpty()) {
            sb.append("  none\n");
        }
        // short Go names, as in flame analyze's text and the flame graph (the JSON keeps full ones)
        java.util.Set<String> names = new java.util.HashSet<>(before.functions());
        names.addAll(after.functions());
        java.util.function.UnaryOperator<String> named = io.github.stackfold.flamegraph.FrameNames.forReports(names);
        for (FunctionChange f : grewMost) {
            ShareChange self = f.self();
            sb.append(String.format(Locale.ROOT, "  %-16s z=%5.2f  %7s -> %7s  %s%n", self.changeText(), self.z(),
                    Report.pct(self.before()), Report.pct(self.after()), named.apply(f.name())));
        }
        return sb.toString();
    }

    /** Whether both sides can tell their category shares ({@link Report#cannotTell()} is false for each). */
    public boolean bothTell() {
        return !before.cannotTell() && !after.cannotTell();
    }

    /**
     * A category's shares and change when a side cannot tell ({@link Report#cannotTell()}): each side as
     * its report shows it ({@code cannot tell}, a lower bound {@code >=12.5%}, the unclassified share as an
     * upper bound), and no change.
     */
    private String untold(ShareChange s, String category) {
        boolean unclassified = category.equals(UNCLASSIFIED);
        String b = unclassified ? before.unclassifiedShown() : before.shownWithMargin(s.before());
        String a = unclassified ? after.unclassifiedShown() : after.shownWithMargin(s.after());
        return String.format(Locale.ROOT, "%-12s %-12s %s", b, a, "cannot tell");
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

    /**
     * One share (a fraction of 1) before and after, and the sample counts each comes from.
     *
     * @param before the share in {@link Comparison#before()}
     * @param after the share in {@link Comparison#after()}
     * @param samplesBefore the samples of {@link Comparison#before()}
     * @param samplesAfter the samples of {@link Comparison#after()}
     */
    public record ShareChange(double before, double after, long samplesBefore, long samplesAfter) {
        /** After minus before. */
        public double delta() {
            return after - before;
        }

        /** The 95 % margin of {@link #delta()} (see {@link Margins#delta}). */
        public double deltaMargin() {
            return Margins.delta(before, samplesBefore, after, samplesAfter);
        }

        /** How sure the change is, in standard errors (see {@link Margins#z}). */
        public double z() {
            return Margins.z(before, samplesBefore, after, samplesAfter);
        }

        /** Whether the change is inside the noise (|z| &lt; 1.96). */
        public boolean inNoise() {
            return Margins.inNoise(before, samplesBefore, after, samplesAfter);
        }

        /** The change and its margin, {@code ~} when inside the noise: {@code +3.0pp ±4.1 ~}. */
        public String changeText() {
            return change(before, samplesBefore, after, samplesAfter);
        }

        /** Both shares with their margins, and the change: {@code 2.0% ±2.7    5.0% ±3.0    +3.0pp ±4.1 ~}. */
        public String toText() {
            return String.format(Locale.ROOT, "%-12s %-12s %s", withMargin(before, samplesBefore),
                    withMargin(after, samplesAfter), changeText());
        }
    }

    /**
     * How a category's shares changed.
     *
     * @param exclusive the share of samples the category counts as theirs (see {@link Report.CategoryShare})
     * @param inclusive the share of samples with the category anywhere on the stack
     */
    public record CategoryChange(String name, ShareChange exclusive, ShareChange inclusive) {
    }

    /**
     * How a function's shares changed.
     *
     * @param self the share of samples the function is the leaf of (the ranking of {@link Comparison#grewMost()})
     * @param inclusive the share of samples with the function anywhere on the stack
     */
    public record FunctionChange(String name, ShareChange self, ShareChange inclusive) {
    }
}
