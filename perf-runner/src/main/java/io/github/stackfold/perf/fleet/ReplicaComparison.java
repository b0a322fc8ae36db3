package io.github.stackfold.perf.fleet;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Report;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * The replicas of a control plane side by side: how much CPU each used (which one is hot, and by how
 * much over the mean: watch or request imbalance shows here), and the analysis categories and
 * functions whose shares differ most between them. Shares are fractions of each replica's own
 * total, as the {@link Analyzer} counts them; a spread is the largest share minus the smallest.
 * Made by {@link FleetProfiles#compare(Analyzer)}. As text ({@link #toText()}):
 *
 * <pre>
 * 3 replicas, cpu/nanoseconds; hot: 10.0.0.2:6443 with 45.0% of the fleet's total, 1.35x the mean
 * replica                version      total          share
 * 10.0.0.1:6443          v1.31.0      12.40 s        30.0%
 * ...
 * categories that differ most (exclusive share of each replica's total)
 * watch                  10.0%  31.2%  9.8%   spread 21.4 pp
 * functions that differ most (self share)
 * ...
 * </pre>
 */
public final class ReplicaComparison {
    /** One replica's total and its share of the fleet's. */
    public record Load(String instance, String version, long total, double share) {
    }

    /** A category or function and its share in each replica (by instance, in replica order). */
    public record Spread(String name, Map<String, Double> shares) {
        public Spread {
            shares = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(shares));
        }

        /** The largest share minus the smallest. */
        public double spread() {
            double max = shares.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            double min = shares.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
            return max - min;
        }
    }

    private final String sampleType;
    private final List<Load> loads;
    private final List<Spread> categories;
    private final List<Spread> functions;

    private ReplicaComparison(String sampleType, List<Load> loads, List<Spread> categories, List<Spread> functions) {
        this.sampleType = sampleType;
        this.loads = List.copyOf(loads);
        this.categories = List.copyOf(categories);
        this.functions = List.copyOf(functions);
    }

    static ReplicaComparison of(List<ReplicaProfile> profiles, Analyzer analyzer) {
        long fleet = profiles.stream().mapToLong(p -> p.profile().folded().total()).sum();
        List<Load> loads = new ArrayList<>();
        Map<String, Report> reports = new LinkedHashMap<>();
        for (ReplicaProfile p : profiles) {
            long total = p.profile().folded().total();
            loads.add(new Load(p.replica().instance(), p.version(), total, fleet == 0 ? 0 : (double) total / fleet));
            if (total > 0) {
                reports.put(p.replica().instance(), analyzer.analyze(p.profile().folded()));
            }
        }
        TreeSet<String> categoryNames = new TreeSet<>();
        TreeSet<String> functionNames = new TreeSet<>();
        for (Report r : reports.values()) {
            r.categories().forEach(c -> categoryNames.add(c.name()));
            functionNames.addAll(r.functions());
        }
        List<Spread> cats = new ArrayList<>();
        for (String name : categoryNames) {
            Map<String, Double> shares = new LinkedHashMap<>();
            reports.forEach((instance, r) -> shares.put(instance,
                    r.category(name).map(Report.CategoryShare::exclusive).orElse(0.0)));
            cats.add(new Spread(name, shares));
        }
        Map<String, Double> unclassified = new LinkedHashMap<>();
        reports.forEach((instance, r) -> unclassified.put(instance, r.unclassified()));
        cats.add(new Spread("(unclassified)", unclassified));
        List<Spread> fns = new ArrayList<>();
        for (String name : functionNames) {
            Map<String, Double> shares = new LinkedHashMap<>();
            reports.forEach((instance, r) -> shares.put(instance, r.selfShare(name)));
            fns.add(new Spread(name, shares));
        }
        Comparator<Spread> widest = Comparator.comparingDouble(Spread::spread).reversed().thenComparing(Spread::name);
        cats.sort(widest);
        fns.sort(widest);
        int top = analyzer.options().top();
        return new ReplicaComparison(profiles.isEmpty() ? "" : profiles.get(0).profile().sampleType(), loads, cats,
                fns.subList(0, Math.min(top, fns.size())));
    }

    /** The sample type of the totals, e.g. {@code cpu/nanoseconds}. */
    public String sampleType() {
        return sampleType;
    }

    /** Each replica's total and share, in replica order. */
    public List<Load> loads() {
        return loads;
    }

    /** The replica with the largest total. */
    public Load hot() {
        return loads.stream().max(Comparator.comparingLong(Load::total)).orElseThrow();
    }

    /** The hot replica's total over the mean total: 1.0 when all are even. */
    public double imbalance() {
        double mean = loads.stream().mapToLong(Load::total).average().orElse(0);
        return mean == 0 ? 1.0 : hot().total() / mean;
    }

    /** Every category (and {@code (unclassified)}), the widest spread first. */
    public List<Spread> categories() {
        return categories;
    }

    /** The functions whose self shares differ most, the widest spread first (the analyzer's top N). */
    public List<Spread> functions() {
        return functions;
    }

    /** The comparison as text, as in the class comment. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        Load hot = hot();
        sb.append(String.format(Locale.ROOT, "%d replicas, %s; hot: %s with %.1f%% of the fleet's total, %.2fx the mean%n",
                loads.size(), sampleType, hot.instance(), hot.share() * 100, imbalance()));
        sb.append(String.format(Locale.ROOT, "%-24s %-12s %14s %8s%n", "replica", "version", "total", "share"));
        for (Load l : loads) {
            sb.append(String.format(Locale.ROOT, "%-24s %-12s %14s %7.1f%%%n", l.instance(),
                    l.version().isEmpty() ? "?" : l.version(), amount(l.total()), l.share() * 100));
        }
        sb.append("categories that differ most (exclusive share of each replica's total)\n");
        spreads(sb, categories.subList(0, Math.min(10, categories.size())));
        sb.append("functions that differ most (self share)\n");
        spreads(sb, functions);
        return sb.toString();
    }

    private String amount(long total) {
        if (sampleType.endsWith("/nanoseconds")) {
            return String.format(Locale.ROOT, "%.2f s", total / 1e9);
        }
        return Long.toString(total);
    }

    private static void spreads(StringBuilder sb, List<Spread> list) {
        for (Spread s : list) {
            sb.append(String.format(Locale.ROOT, "%-40s", s.name()));
            s.shares().values().forEach(v -> sb.append(String.format(Locale.ROOT, " %6.1f%%", v * 100)));
            sb.append(String.format(Locale.ROOT, "   spread %.1f pp%n", s.spread() * 100));
        }
    }

    /**
     * The comparison as JSON: {@code sampleType}, {@code hot} (instance), {@code imbalance},
     * {@code replicas} ({@code instance}, {@code version}, {@code total}, {@code share}), and
     * {@code categories} and {@code functions} ({@code name}, {@code spread}, {@code shares}: instance
     * to share). Shares are fractions of 1.
     */
    public void writeJson(OutputStream out) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("sampleType", sampleType);
            g.writeStringField("hot", hot().instance());
            g.writeNumberField("imbalance", imbalance());
            g.writeArrayFieldStart("replicas");
            for (Load l : loads) {
                g.writeStartObject();
                g.writeStringField("instance", l.instance());
                g.writeStringField("version", l.version());
                g.writeNumberField("total", l.total());
                g.writeNumberField("share", l.share());
                g.writeEndObject();
            }
            g.writeEndArray();
            writeSpreads(g, "categories", categories);
            writeSpreads(g, "functions", functions);
            g.writeEndObject();
        }
    }

    private static void writeSpreads(JsonGenerator g, String field, List<Spread> list) throws IOException {
        g.writeArrayFieldStart(field);
        for (Spread s : list) {
            g.writeStartObject();
            g.writeStringField("name", s.name());
            g.writeNumberField("spread", s.spread());
            g.writeObjectFieldStart("shares");
            for (Map.Entry<String, Double> e : s.shares().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
