package io.github.stackfold.flamegraph.analyze;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

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
        List<CategoryChange> cats = new ArrayList<>();
        for (Report.CategoryShare b : before.categories()) {
            Report.CategoryShare a = after.category(b.name()).orElse(new Report.CategoryShare(b.name(), 0, 0));
            cats.add(new CategoryChange(b.name(), b.exclusive(), a.exclusive(), b.inclusive(), a.inclusive()));
        }
        for (Report.CategoryShare a : after.categories()) {
            if (before.category(a.name()).isEmpty()) {
                cats.add(new CategoryChange(a.name(), 0, a.exclusive(), 0, a.inclusive()));
            }
        }
        cats.add(new CategoryChange(UNCLASSIFIED, before.unclassified(), after.unclassified(),
                before.unclassified(), after.unclassified()));
        TreeSet<String> names = new TreeSet<>(before.functions());
        names.addAll(after.functions());
        List<FunctionChange> grew = names.stream()
                .map(n -> change(before, after, n))
                .filter(f -> f.selfDelta() > 0)
                .sorted(Comparator.comparingDouble(FunctionChange::selfDelta).reversed()
                        .thenComparing(FunctionChange::name))
                .limit(top)
                .toList();
        return new Comparison(before, after, cats, grew);
    }

    /** The name of the pseudo-category of samples no rule classifies. */
    public static final String UNCLASSIFIED = "(unclassified)";

    private static FunctionChange change(Report before, Report after, String name) {
        return new FunctionChange(name, before.selfShare(name), after.selfShare(name),
                before.inclusiveShare(name), after.inclusiveShare(name));
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

    /** The functions whose self share grew the most, most first (only those that grew). */
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
            g.writeObjectFieldStart("before");
            g.writeNumberField("total", before.total());
            g.writeNumberField("samples", before.samples());
            g.writeEndObject();
            g.writeObjectFieldStart("after");
            g.writeNumberField("total", after.total());
            g.writeNumberField("samples", after.samples());
            g.writeEndObject();
            g.writeArrayFieldStart("categories");
            for (CategoryChange c : categories) {
                g.writeStartObject();
                g.writeStringField("name", c.name());
                g.writeNumberField("exclusiveBefore", c.exclusiveBefore());
                g.writeNumberField("exclusiveAfter", c.exclusiveAfter());
                g.writeNumberField("exclusiveDelta", c.exclusiveDelta());
                g.writeNumberField("inclusiveBefore", c.inclusiveBefore());
                g.writeNumberField("inclusiveAfter", c.inclusiveAfter());
                g.writeNumberField("inclusiveDelta", c.inclusiveDelta());
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

    public String toJson() {
        return JsonText.of(this::writeJson);
    }

    /** The category table and the functions that grew most, for a person. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "before: %d samples, after: %d samples, rules %s%n",
                before.samples(), after.samples(), after.rules()));
        sb.append(String.format(Locale.ROOT, "%n%-20s %27s   %27s%n", "category", "exclusive before/after/delta",
                "inclusive before/after/delta"));
        for (CategoryChange c : categories) {
            sb.append(String.format(Locale.ROOT, "%-20s %8s %8s %9s   %8s %8s %9s%n", c.name(),
                    Report.pct(c.exclusiveBefore()), Report.pct(c.exclusiveAfter()), signed(c.exclusiveDelta()),
                    Report.pct(c.inclusiveBefore()), Report.pct(c.inclusiveAfter()), signed(c.inclusiveDelta())));
        }
        sb.append(String.format(Locale.ROOT, "%nFunctions that grew most (self share before -> after)%n"));
        if (grew.isEmpty()) {
            sb.append("  none\n");
        }
        for (FunctionChange f : grew) {
            sb.append(String.format(Locale.ROOT, "  %9s  %7s -> %7s  %s%n", signed(f.selfDelta()),
                    Report.pct(f.selfBefore()), Report.pct(f.selfAfter()), f.name()));
        }
        return sb.toString();
    }

    private static String signed(double delta) {
        return String.format(Locale.ROOT, "%+.1fpp", delta * 100);
    }

    /** A category's shares before and after. */
    public record CategoryChange(String name, double exclusiveBefore, double exclusiveAfter,
            double inclusiveBefore, double inclusiveAfter) {
        public double exclusiveDelta() {
            return exclusiveAfter - exclusiveBefore;
        }

        public double inclusiveDelta() {
            return inclusiveAfter - inclusiveBefore;
        }
    }

    /** A function's self and inclusive shares before and after. */
    public record FunctionChange(String name, double selfBefore, double selfAfter, double inclusiveBefore,
            double inclusiveAfter) {
        public double selfDelta() {
            return selfAfter - selfBefore;
        }

        public double inclusiveDelta() {
            return inclusiveAfter - inclusiveBefore;
        }
    }
}
