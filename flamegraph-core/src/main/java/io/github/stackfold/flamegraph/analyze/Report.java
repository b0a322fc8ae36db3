package io.github.stackfold.flamegraph.analyze;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.github.stackfold.flamegraph.folded.ProfileMeta;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.function.UnaryOperator;

/**
 * What {@link Analyzer} found in one profile: the answers to "what is hot" and "where does the CPU
 * go". Every share is a fraction of the profile's total weight (0..1). Names are text (the raw bytes
 * of the profile decoded as UTF-8) with vendor prefixes removed when the rules say so.
 *
 * <p>The lists hold the top N the analyzer was asked for; {@link #selfShare} and
 * {@link #inclusiveShare} answer for any function. {@link #toJson} and {@link #toText} render the
 * report; the library never prints it.
 *
 * <p>Immutable and thread-safe.
 */
public final class Report {
    private final String rules;
    private final long total;
    private final long samples;
    private final List<CategoryShare> categories;
    private final double unclassified;
    private final List<FunctionShare> topSelf;
    private final List<FunctionShare> topInclusive;
    private final List<PathShare> hotPaths;
    private final List<ApiCallShare> apiCalls;
    private final double apiCallsTotal;
    private final Map<String, Long> selfWeights;
    private final Map<String, Long> inclusiveWeights;
    private final ProfileMeta meta;
    private final double unnamed;
    private final Map<String, Double> anywhere;
    private final Map<String, Double> markers;
    private final double apiCallsFromLabels;

    /**
     * Frames whose presence anywhere on a stack the answers ({@link Answers}) need, by name: the
     * authentication and authorization filters of the handler chain (everything under them, the rest
     * of the chain included), the TLS handshake and its parts, LIST served from etcd, watch fan-out.
     * Matched as prefixes of the normalized frame names (vendor prefixes removed).
     */
    public static final List<Marker> MARKERS = List.of(
            new Marker("authentication-filter", List.of("k8s.io/apiserver/pkg/endpoints/filters.WithAuthentication",
                    "k8s.io/apiserver/pkg/endpoints/filters.withAuthentication")),
            new Marker("authorization-filter", List.of("k8s.io/apiserver/pkg/endpoints/filters.WithAuthorization")),
            new Marker("tls-handshake", List.of("crypto/tls.(*Conn).serverHandshake", "crypto/tls.(*Conn).clientHandshake")),
            new Marker("tls-client-certificates", List.of("crypto/tls.(*Conn).processCertsFromClient",
                    "crypto/tls.(*serverHandshakeState).processCertsFromClient",
                    "crypto/tls.(*serverHandshakeStateTLS13).readClientCertificate")),
            new Marker("rsa", List.of("crypto/rsa.", "crypto/internal/fips140/rsa.")),
            new Marker("list-from-etcd", List.of("k8s.io/apiserver/pkg/storage/etcd3.(*store).GetList")),
            new Marker("etcd-update", List.of("k8s.io/apiserver/pkg/storage/etcd3.(*store).GuaranteedUpdate")),
            new Marker("etcd-get", List.of("k8s.io/apiserver/pkg/storage/etcd3.(*store).Get.", "k8s.io/apiserver/pkg/storage/etcd3.(*store).Get",
                    "k8s.io/apiserver/pkg/storage/etcd3.(*clientV3KVLatencyTracker).Get")),
            new Marker("etcd-watch", List.of("k8s.io/apiserver/pkg/storage/etcd3.(*watchChan)")),
            new Marker("watch-fan-out", List.of("k8s.io/apiserver/pkg/storage/cacher.(*cacheWatcher)",
                    "k8s.io/apiserver/pkg/storage/cacher.(*Cacher).dispatchEvent")));

    /** A named set of frame-name prefixes. */
    public record Marker(String name, List<String> prefixes) {
    }

    /**
     * The share of samples with a frame of the category anywhere on the stack, the work those frames
     * call included (the inclusive share stops at wrapper frames; this does not).
     */
    public double anywhereShare(String category) {
        return anywhere.getOrDefault(category, 0.0);
    }

    /** The share of samples with a frame of the {@link #MARKERS marker} anywhere on the stack. */
    public double markerShare(String marker) {
        return markers.getOrDefault(marker, 0.0);
    }
    /** The greatest common divisor of a plain folded file's counts (0 when the profile said what its weights are). */
    private final long countGcd;
    /**
     * A folded file's counts whose common divisor is at least this are taken as perf periods, not samples
     * ({@link #periodsNote}); its samples (and the margins) are then the total over that divisor.
     */
    static final long PERIOD_GCD = 100_000;
    private final Map<String, Double> unnamedByBinary;

    /**
     * Above this share of samples with unnamed frames, category, verb and resource shares are not
     * stated ("cannot tell"): 10 %.
     */
    public static final double CANNOT_TELL = 0.10;

    Report(String rules, long total, long samples, List<CategoryShare> categories, double unclassified,
            List<FunctionShare> topSelf, List<FunctionShare> topInclusive, List<PathShare> hotPaths,
            List<ApiCallShare> apiCalls, double apiCallsTotal, Map<String, Long> selfWeights,
            Map<String, Long> inclusiveWeights, ProfileMeta meta, double unnamed, Map<String, Double> unnamedByBinary, long countGcd,
            Map<String, Double> anywhere, Map<String, Double> markers, double apiCallsFromLabels) {
        this.apiCallsFromLabels = apiCallsFromLabels;
        this.anywhere = Collections.unmodifiableMap(new java.util.LinkedHashMap<>(anywhere));
        this.markers = Collections.unmodifiableMap(new java.util.LinkedHashMap<>(markers));
        this.countGcd = countGcd;
        this.meta = meta;
        this.unnamed = unnamed;
        this.unnamedByBinary = Collections.unmodifiableMap(new java.util.LinkedHashMap<>(unnamedByBinary));
        this.rules = rules;
        this.total = total;
        this.samples = samples;
        this.categories = List.copyOf(categories);
        this.unclassified = unclassified;
        this.topSelf = List.copyOf(topSelf);
        this.topInclusive = List.copyOf(topInclusive);
        this.hotPaths = List.copyOf(hotPaths);
        this.apiCalls = List.copyOf(apiCalls);
        this.apiCallsTotal = apiCallsTotal;
        this.selfWeights = Collections.unmodifiableMap(selfWeights);
        this.inclusiveWeights = Collections.unmodifiableMap(inclusiveWeights);
    }

    /** The name of the rule set used. */
    public String rules() {
        return rules;
    }

    /** The total weight (samples for perf and folded input, nanoseconds for a pprof CPU profile). */
    public long total() {
        return total;
    }

    /**
     * The number of samples: equal to {@link #total()} when the input had no separate count, or the
     * total over the counts' common divisor when they are probably perf periods ({@link #periodsNote()}).
     */
    public long samples() {
        return samples;
    }

    /**
     * The share of samples with an unnamed frame ({@code [unknown]}, {@code [kube-apiserver]}, a raw
     * address; an {@code [unknown]} under named frames is the unwinder's junk and does not count, see
     * {@link Analyzer#unnamedWeights}): what the category rules cannot see.
     */
    public double unnamedShare() {
        return unnamed;
    }

    /** {@link #unnamedShare()} per binary of the leaf-most unnamed frame, heaviest first ("unknown" when none is named). */
    public Map<String, Double> unnamedByBinary() {
        return unnamedByBinary;
    }

    /** Whether so much CPU is in unnamed frames ({@link #CANNOT_TELL}) that category, verb and resource shares cannot be told. */
    public boolean cannotTell() {
        return unnamed > CANNOT_TELL;
    }

    /**
     * The verdict for a person, e.g. {@code cannot tell: 100.0% of CPU is in unnamed kube-apiserver frames};
     * empty when the profile is named well enough.
     */
    public String verdict() {
        if (!cannotTell()) {
            return "";
        }
        return "cannot tell: " + pct(unnamed) + " of CPU is in unnamed " + binaries() + " frames";
    }

    /** The binaries with unnamed frames, heaviest first: {@code kube-apiserver} or {@code kube-apiserver and unknown}. */
    private String binaries() {
        List<String> names = new ArrayList<>(unnamedByBinary.keySet());
        if (names.size() > 3) {
            names = names.subList(0, 3);
        }
        return names.size() <= 1 ? String.join("", names)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    /** How to name the frames: the commands, for the main binary with unnamed frames. */
    public String remedy() {
        String bin = unnamedByBinary.keySet().stream().filter(b -> !b.equals("unknown") && !b.startsWith("kernel"))
                .findFirst().orElse("BINARY");
        return "name them: 'flame profile' (or 'flame record') names Go frames while recording, from the binary's "
                + ".gopclntab; for a perf.data (or perf script text) you already have, with the same release's binary: "
                + remedyCommand() + " (or 'flame collapse --binary ./" + bin + " perf.data > named.folded');"
                + " folded stacks and flame graphs keep no addresses, so start from the recording";
    }

    /**
     * The command of the {@link #remedy}, quoted: {@code 'flame analyze --binary ./kube-apiserver perf.data'}
     * (the binary's file name is the unnamed frames' module; the user puts their paths in).
     */
    public String remedyCommand() {
        return "'" + remedyCommand("analyze") + "'";
    }

    /**
     * The {@link #remedyCommand()} for another flame command, unquoted: {@code flame flamegraph --binary
     * ./kube-apiserver perf.data}.
     */
    public String remedyCommand(String command) {
        String bin = unnamedByBinary.keySet().stream().filter(b -> !b.equals("unknown") && !b.startsWith("kernel"))
                .findFirst().orElse("BINARY");
        return "flame " + command + " --binary ./" + bin + " perf.data";
    }

    /**
     * Whether unnamed frames of this binary (a key of {@link #unnamedByBinary()}) are a program's that
     * {@code --binary} can name: not {@code unknown}, the kernel, vdso or vsyscall, a shared library
     * ({@code .so}), a JIT's {@code perf-PID.map}, anon, heap or stack, nor {@code perf} (the recorder's
     * samples of itself, which a system-wide recording holds).
     */
    public static boolean isProgram(String binary) {
        return !(binary.equals("unknown") || binary.startsWith("kernel") || binary.equals("vdso") || binary.equals("vsyscall")
                || binary.contains(".so") || binary.startsWith("perf-") || binary.equals("perf") || binary.equals("anon")
                || binary.equals("heap") || binary.equals("stack"));
    }

    /** The share of samples charged to unnamed frames of programs ({@link #isProgram}). */
    public double unnamedProgramShare() {
        return unnamedByBinary.entrySet().stream().filter(e -> isProgram(e.getKey())).mapToDouble(Map.Entry::getValue).sum();
    }

    /**
     * The verdict for a flame graph's subtitle, with the {@link #remedyCommand(String) command} that names
     * the frames: {@code cannot tell: 100.0% of CPU is in unnamed kube-apiserver frames; name them: flame
     * flamegraph --binary ./kube-apiserver perf.data}. Stated when the profile {@link #cannotTell()} because
     * of a program's unnamed frames ({@link #unnamedProgramShare()} above {@link #CANNOT_TELL}), which the
     * command can name; empty otherwise (a JIT's map, shared libraries or perf's own frames are not named
     * by a binary, and a flame graph of them stays as flamegraph.pl draws it).
     */
    public String graphVerdict(String command) {
        if (!cannotTell() || unnamedProgramShare() <= CANNOT_TELL) {
            return "";
        }
        String bin = unnamedByBinary.keySet().stream().filter(Report::isProgram).findFirst().orElseThrow();
        return verdict() + "; name them: flame " + command + " --binary ./" + bin + " perf.data";
    }

    /** What the weights mean: samples, unit, CPU time, duration (see {@link ProfileMeta}). */
    public ProfileMeta meta() {
        return meta;
    }

    /** The CPU time a share of this profile stands for, in nanoseconds; NaN when the CPU time is unknown. */
    public double cpuNanos(double share) {
        return meta.hasCpu() ? share * meta.cpuNanos() : Double.NaN;
    }

    /**
     * The 95 % margin of a share estimated from this profile's samples (normal approximation of the
     * binomial: 1.96 &middot; &radic;(p(1-p)/n)); NaN with no samples. A share of 5 % from 199 samples
     * is &plusmn;3.0 pp.
     */
    public double margin(double share) {
        return Margins.share(share, samples);
    }

    /** Every category of the rules, in rule order. */
    public List<CategoryShare> categories() {
        return categories;
    }

    /** The category named so, if the rules have it. */
    public Optional<CategoryShare> category(String name) {
        return categories.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The share of samples without any counting classified frame (the rest of the exclusive shares). */
    public double unclassified() {
        return unclassified;
    }

    /** The top functions by self share (the share of samples they are the leaf of), heaviest first. */
    public List<FunctionShare> topSelf() {
        return topSelf;
    }

    /** The top functions by inclusive share (samples with them anywhere on the stack), heaviest first. */
    public List<FunctionShare> topInclusive() {
        return topInclusive;
    }

    /** The heaviest whole stacks (root first, frames joined by {@code ;}), equal stacks merged. */
    public List<PathShare> hotPaths() {
        return hotPaths;
    }

    /** Cost per API verb and resource, heaviest first. */
    public List<ApiCallShare> apiCalls() {
        return apiCalls;
    }

    /** The share of samples inside any API call handler. */
    public double apiCallsTotal() {
        return apiCallsTotal;
    }

    /**
     * The share of samples whose API call (verb or resource) was read from pprof labels
     * ({@link Analyzer#VERB_LABEL}) rather than from stack frames; 0 for a profile without them.
     */
    public double apiCallsFromLabels() {
        return apiCallsFromLabels;
    }

    /** A function's self share, 0 when it never is a leaf. */
    public double selfShare(String function) {
        return share(selfWeights.getOrDefault(function, 0L));
    }

    /** A function's inclusive share (each sample counted once however often it recurses), 0 when absent. */
    public double inclusiveShare(String function) {
        return share(inclusiveWeights.getOrDefault(function, 0L));
    }

    /** Every function name that appears in the profile. */
    public Set<String> functions() {
        return inclusiveWeights.keySet();
    }

    private double share(long weight) {
        return total == 0 ? 0 : (double) weight / total;
    }

    /**
     * The report as JSON: {@code rules}, {@code total}, {@code samples}, {@code categories}
     * ({@code name}, {@code exclusive}, {@code inclusive}), {@code unclassified}, {@code topSelf} and
     * {@code topInclusive} ({@code name}, {@code share}), {@code hotPaths} ({@code stack},
     * {@code share}), {@code apiCallsTotal} and {@code apiCalls} ({@code verb}, {@code resource},
     * {@code share}). Shares are fractions of 1.
     */
    public void writeJson(OutputStream out) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("rules", rules);
            g.writeNumberField("total", total);
            g.writeNumberField("samples", samples);
            writeMeta(g, meta);
            writeObjects(g, "categories", categories, (w, c) -> {
                w.writeStringField("name", c.name());
                w.writeNumberField("exclusive", c.exclusive());
                number(w, "exclusiveMargin", Margins.share(c.exclusive(), samples));
                w.writeNumberField("inclusive", c.inclusive());
                number(w, "inclusiveMargin", Margins.share(c.inclusive(), samples));
            });
            g.writeNumberField("unclassified", unclassified);
            g.writeObjectFieldStart("unnamed");
            g.writeNumberField("share", unnamed);
            g.writeObjectFieldStart("byBinary");
            for (Map.Entry<String, Double> e : unnamedByBinary.entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeBooleanField("cannotTell", cannotTell());
            if (cannotTell()) {
                g.writeStringField("verdict", verdict());
                g.writeStringField("remedy", remedy());
            }
            g.writeEndObject();
            writeShares(g, "topSelf", topSelf, (w, f) -> w.writeStringField("name", f.name()), FunctionShare::share);
            writeShares(g, "topInclusive", topInclusive, (w, f) -> w.writeStringField("name", f.name()),
                    FunctionShare::share);
            writeShares(g, "hotPaths", hotPaths, (w, p) -> w.writeStringField("stack", p.stack()), PathShare::share);
            g.writeNumberField("apiCallsTotal", apiCallsTotal);
            g.writeNumberField("apiCallsFromLabels", apiCallsFromLabels);
            writeShares(g, "apiCalls", apiCalls, (w, a) -> {
                w.writeStringField("verb", a.verb());
                w.writeStringField("resource", a.resource());
            }, ApiCallShare::share);
            // the text's answers, line for line, so that the JSON says what the text says
            g.writeArrayFieldStart("answers");
            List<List<String>> sections = Answers.of(this, null).sections();
            for (int i = 0; i < sections.size(); i++) {
                g.writeStartObject();
                g.writeStringField("question", Answers.titles().get(i));
                g.writeArrayFieldStart("lines");
                for (String line : sections.get(i)) {
                    g.writeString(line);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        out.write('\n');
        out.flush();
    }

    /**
     * The metadata fields: {@code weightUnit} ({@code samples}, {@code cpu-nanoseconds}, {@code events}),
     * {@code event}, {@code period} (0: not constant), {@code cpuSeconds}, {@code durationSeconds},
     * {@code cores} (null when unknown).
     */
    static void writeMeta(JsonGenerator g, ProfileMeta meta) throws IOException {
        g.writeStringField("weightUnit", meta.weight().key());
        g.writeStringField("event", meta.event());
        g.writeNumberField("period", meta.period());
        number(g, "cpuSeconds", meta.cpuSeconds());
        number(g, "durationSeconds", meta.durationSeconds());
        number(g, "cores", meta.cores());
    }

    static void number(JsonGenerator g, String field, double v) throws IOException {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, v);
        }
    }

    /** Writes the fields of the JSON object of one entry of a list. */
    interface JsonFields<T> {
        void write(JsonGenerator g, T entry) throws IOException;
    }

    /** The array {@code field}: an object per entry of {@code list}, with the fields {@code fields} writes. */
    static <T> void writeObjects(JsonGenerator g, String field, List<T> list, JsonFields<T> fields) throws IOException {
        g.writeArrayFieldStart(field);
        for (T entry : list) {
            g.writeStartObject();
            fields.write(g, entry);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** The array {@code field}: per entry of {@code list} the fields {@code naming} writes, its {@code share} and {@code margin}. */
    private <T> void writeShares(JsonGenerator g, String field, List<T> list, JsonFields<T> naming,
            ToDoubleFunction<T> share) throws IOException {
        writeObjects(g, field, list, (w, entry) -> {
            naming.write(w, entry);
            double s = share.applyAsDouble(entry);
            w.writeNumberField("share", s);
            number(w, "margin", Margins.share(s, samples));
        });
    }

    /** {@link #writeJson} as a string. */
    public String toJson() {
        return JsonText.of(this::writeJson);
    }

    /** A short report for a person: the same content as the JSON, shares in percent. */
    public String toText() {
        return toText(null);
    }

    /**
     * {@link #toText()} with the apiserver's request counts of the profiling window (may be null) for
     * the answer on API calls (see {@link Answers#withRequests}).
     */
    public String toText(RequestMetrics requests) {
        StringBuilder sb = new StringBuilder();
        sb.append(meta.describe(total)).append('\n');
        sb.append(String.format(Locale.ROOT, "weights in %s (total %d), rules %s%n", meta.unitText(), total, rules));
        String periods = periodsNote();
        if (!periods.isEmpty()) {
            sb.append("note: ").append(periods).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "unnamed frames: %s of samples%s%n", pct(unnamed), byBinaryText()));
        if (cannotTell()) {
            sb.append(verdict()).append(":\n  category, verb and resource shares would read 0.0% for work that may sit in those frames;\n  ")
                    .append(remedy()).append('\n');
        }
        if (meta.weight() == ProfileMeta.Weight.EVENTS && meta.period() == 0) {
            // shares of event counts (cycles) whose periods vary per sample: not shares of samples, and the
            // samples' margin treats each as weighing the same, which they do not
            sb.append(String.format(Locale.ROOT, "%nShares below are of all %,d %s (not of the %,d samples: their periods"
                    + " vary), \u00b1 the 95%% margin (Wilson interval) of %,d equal samples: too narrow when a few"
                    + " samples carry most of the events%n", total, meta.unitText(), samples, samples));
        } else {
            sb.append(String.format(Locale.ROOT, "%nShares below are of %s, \u00b1 the 95%% margin (Wilson interval)%n",
                    samples == 1 ? "the one sample" : String.format(Locale.ROOT, "all %,d samples", samples)
                            + (periods.isEmpty() ? "" : " (the counts read as periods, see the note)")));
        }
        sb.append(String.format(Locale.ROOT, "%nCPU by category           exclusive     inclusive%n"));
        for (CategoryShare c : categories) {
            sb.append(String.format(Locale.ROOT, "  %-20s %12s  %12s%n", c.name(), shownWithMargin(c.exclusive()),
                    shownWithMargin(c.inclusive())));
        }
        sb.append(String.format(Locale.ROOT, "  %-20s %12s%n", "(unclassified)", unclassifiedShown()));
        // short Go names, as in flame graphs
        UnaryOperator<String> named = io.github.stackfold.flamegraph.FrameNames.forReports(functions());
        sb.append(String.format(Locale.ROOT, "%nTop %d functions by self share%n", topSelf.size()));
        for (FunctionShare f : topSelf) {
            sb.append(String.format(Locale.ROOT, "  %12s  %s%n", withMargin(f.share()), named.apply(f.name())));
        }
        sb.append(String.format(Locale.ROOT, "%nTop %d functions by inclusive share%n", topInclusive.size()));
        for (FunctionShare f : topInclusive) {
            sb.append(String.format(Locale.ROOT, "  %12s  %s%n", withMargin(f.share()), named.apply(f.name())));
        }
        sb.append(String.format(Locale.ROOT, "%nHottest paths (leaf first)%n"));
        for (PathShare p : hotPaths) {
            sb.append(String.format(Locale.ROOT, "  %12s  %s%n", withMargin(p.share()), shortPath(named.apply(p.stack()))));
        }
        sb.append(String.format(Locale.ROOT, "%nAPI calls (%s of all samples inside an API handler)%n", pct(apiCallsTotal).trim()));
        if (apiCalls.isEmpty()) {
            sb.append(cannotTell() ? "  " + verdict() + "\n" : "  none seen in the stacks\n");
        }
        boolean unknown = false;
        for (ApiCallShare a : apiCalls) {
            sb.append(String.format(Locale.ROOT, "  %12s  %-16s %s%n", withMargin(a.share()), a.verb(), a.resource()));
            unknown |= a.resource().equals("?");
        }
        if (unknown) {
            sb.append("  ? = the resource is not named by any frame below the verb's handler (no method of a typed API object on the stack)\n");
        }
        sb.append('\n').append(Answers.of(this, null).withRequests(requests).toText());
        return sb.toString();
    }

    /** {@link #shown} with the 95 % margin when the share stands: {@code 4.5% ±2.9}. */
    public String shownWithMargin(double share) {
        return cannotTell() ? shown(share) : withMargin(share);
    }

    /**
     * The unclassified share as the text shows it: with its margin, or when the profile
     * {@link #cannotTell()}, {@code <=100.0%}: an upper bound, since work in unnamed frames may belong to a
     * category (as each category's share is then a lower bound).
     */
    public String unclassifiedShown() {
        return cannotTell() ? "<=" + pct(unclassified) : withMargin(unclassified);
    }

    /** A share of all samples with its 95 % margin: {@code 4.5% ±2.9} (no margin when the sample count is unknown). */
    public String withMargin(double share) {
        return Comparison.withMargin(share, samples);
    }

    /**
     * A category share as the text shows it: {@code 12.5%}; when the profile {@link #cannotTell()},
     * {@code cannot tell} for 0 and {@code >=12.5%} (a lower bound) otherwise.
     */
    public String shown(double share) {
        if (!cannotTell()) {
            return pct(share);
        }
        return share == 0 ? "cannot tell" : ">=" + pct(share);
    }

    /**
     * For a folded file from elsewhere whose counts all are multiples of a large number: that they may
     * be perf's cpu-clock periods in nanoseconds rather than samples (stackcollapse-perf.pl sums the
     * periods when perf script prints them), e.g. "every count is a multiple of 10,101,010 ... 217
     * samples of 10.10 ms (99 Hz)". Empty otherwise.
     */
    public String periodsNote() {
        if (countGcd < PERIOD_GCD) {
            return "";
        }
        return String.format(Locale.ROOT, "every count is a multiple of %,d: these are probably perf periods "
                + "(nanoseconds for cpu-clock), not samples; if so, %,d samples of %.2f ms (%.0f Hz), %s CPU",
                countGcd, total / countGcd, countGcd / 1e6, 1e9 / countGcd, ProfileMeta.cpu(total));
    }

    private String byBinaryText() {
        if (unnamedByBinary.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (");
        int i = 0;
        for (Map.Entry<String, Double> e : unnamedByBinary.entrySet()) {
            sb.append(i++ == 0 ? "" : ", ").append(e.getKey()).append(' ').append(pct(e.getValue()));
        }
        return sb.append(')').toString();
    }

    /** Percent with one decimal, e.g. {@code 12.5%}. */
    static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    /** A stack shown leaf first, at most 6 frames, the rest elided. */
    static String shortPath(String stack) {
        List<String> frames = new ArrayList<>(List.of(stack.split(";", -1)));
        Collections.reverse(frames);
        int keep = 6;
        if (frames.size() <= keep) {
            return String.join(" <- ", frames);
        }
        return String.join(" <- ", frames.subList(0, keep)) + " <- ... (" + (frames.size() - keep) + " more)";
    }

    /** A category's exclusive and inclusive share. */
    public record CategoryShare(String name, double exclusive, double inclusive) {
    }

    /** A function and its share. */
    public record FunctionShare(String name, double share) {
    }

    /** A whole stack (root first, frames joined by {@code ;}) and its share. */
    public record PathShare(String stack, double share) {
    }

    /** An API verb, the resource (or {@code "?"} when no frame names it) and the share. */
    public record ApiCallShare(String verb, String resource, double share) {
    }
}
