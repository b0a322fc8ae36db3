package io.github.stackfold.flamegraph.analyze;

import io.github.stackfold.flamegraph.BadInputException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The API requests a kube-apiserver served in a profiling window, from its {@code /metrics} (the
 * Prometheus text exposition format, version 0.0.4): the deltas of
 * {@code apiserver_request_total{verb,resource}} and {@code apiserver_response_sizes_sum{verb,resource}}
 * between two snapshots, summed over every other label (code, component, group, version, scope, dry_run).
 * One snapshot alone is its delta from zero (the counters since the server started). A resource with a
 * subresource is {@code resource/subresource} ({@code pods/log}).
 *
 * <p>The verbs are those of the metrics (LIST, GET, WATCH, POST, PUT, PATCH, APPLY, DELETE, CONNECT);
 * {@link #verbOfHandler} maps the handler verbs of the stacks ({@code list}, {@code create}, ...) onto them.
 * APPLY is counted as PATCH and WATCHLIST as WATCH, as their handlers are the same.
 *
 * <p>Parsing is strict: a line that is neither blank, a comment nor a sample
 * ({@code name{label="value",...} value [timestamp]}) is a {@link BadInputException} naming the source,
 * the line and what was expected there. A counter that went down between the snapshots (the server
 * restarted) counts from zero. Immutable.
 */
public final class RequestMetrics {
    /** The request counter. */
    public static final String REQUESTS = "apiserver_request_total";
    /** The sum of the response sizes, in bytes. */
    public static final String RESPONSE_BYTES = "apiserver_response_sizes_sum";

    /** One snapshot: the series of the two metrics, by verb and resource, summed over the other labels. */
    public static final class Snapshot {
        private final String source;
        private final Map<Key, Double> requests;
        private final Map<Key, Double> bytes;

        private Snapshot(String source, Map<Key, Double> requests, Map<Key, Double> bytes) {
            this.source = source;
            this.requests = requests;
            this.bytes = bytes;
        }

        /** Where the snapshot was read from. */
        public String source() {
            return source;
        }
    }

    /** Verb (as the metrics name it, APPLY folded into PATCH) and resource. */
    private record Key(String verb, String resource) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = verb.compareTo(o.verb);
            return c != 0 ? c : resource.compareTo(o.resource);
        }
    }

    /** The requests of one verb and resource in the window, and their response bytes (NaN when not exported). */
    public record Requests(String verb, String resource, double count, double responseBytes) {
    }

    private final String source;
    private final List<Requests> requests;

    private RequestMetrics(String source, List<Requests> requests) {
        this.source = source;
        this.requests = List.copyOf(requests);
    }

    /** Where the numbers came from: the snapshot, or the two joined by {@code ..}. */
    public String source() {
        return source;
    }

    /** Every verb and resource with requests in the window, by verb then resource. */
    public List<Requests> requests() {
        return requests;
    }

    /** The requests of one (metrics) verb, by resource. */
    public List<Requests> ofVerb(String verb) {
        return requests.stream().filter(r -> r.verb().equals(verb)).toList();
    }

    /** The request count of one verb, all resources. */
    public double count(String verb) {
        return ofVerb(verb).stream().mapToDouble(Requests::count).sum();
    }

    /** The total request count. */
    public double total() {
        return requests.stream().mapToDouble(Requests::count).sum();
    }

    /** The requests in one snapshot (counted from zero). */
    public static RequestMetrics of(Snapshot only) {
        return between(null, only);
    }

    /**
     * The requests between two snapshots of the same server: {@code end - begin} per series
     * ({@code begin} may be null: from zero). A series that went down counts from zero (a restart).
     */
    public static RequestMetrics between(Snapshot begin, Snapshot end) {
        Objects.requireNonNull(end, "end");
        Map<Key, double[]> d = new TreeMap<>();
        end.requests.forEach((k, v) -> {
            double before = begin == null ? 0 : begin.requests.getOrDefault(k, 0.0);
            double delta = v >= before ? v - before : v;
            if (delta > 0) {
                d.put(k, new double[] {delta, Double.NaN});
            }
        });
        d.forEach((k, a) -> {
            Double b = end.bytes.get(k);
            if (b != null) {
                double before = begin == null ? 0 : begin.bytes.getOrDefault(k, 0.0);
                a[1] = b >= before ? b - before : b;
            }
        });
        List<Requests> out = new ArrayList<>();
        d.forEach((k, a) -> out.add(new Requests(k.verb(), k.resource(), a[0], a[1])));
        return new RequestMetrics(begin == null ? end.source : begin.source + " .. " + end.source, out);
    }

    /**
     * The metrics verb whose requests a stack verb's handler serves: list LIST, get GET, watch WATCH,
     * create POST, update PUT, patch PATCH (and APPLY), delete and deletecollection DELETE, connect
     * CONNECT; null for any other name.
     */
    public static String verbOfHandler(String handlerVerb) {
        return switch (handlerVerb.toLowerCase(Locale.ROOT)) {
            case "list" -> "LIST";
            case "get" -> "GET";
            case "watch", "watchlist" -> "WATCH";
            case "create", "post" -> "POST";
            case "update", "put" -> "PUT";
            case "patch", "apply" -> "PATCH";
            case "delete", "deletecollection" -> "DELETE";
            case "connect" -> "CONNECT";
            default -> null;
        };
    }

    /**
     * Parses one snapshot of {@code /metrics}.
     *
     * @throws BadInputException naming {@code source}, the line and what was expected, on a line of no
     *                           exposition-format shape, or when there is no {@value #REQUESTS} at all
     */
    public static Snapshot parse(InputStream in, String source) throws IOException {
        Map<Key, Double> requests = new LinkedHashMap<>();
        Map<Key, Double> bytes = new LinkedHashMap<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        long n = 0;
        boolean sawRequests = false;
        while ((line = r.readLine()) != null) {
            n++;
            Line p = new Line(line, source, n);
            p.skipBlanks();
            if (p.end()) {
                continue;
            }
            if (p.peek() == '#') {
                p.comment();
                continue;
            }
            String name = p.metricName();
            Map<String, String> labels = p.labels();
            p.requireBlank("after the metric name and labels");
            double value = p.value();
            if (!p.end()) {
                p.requireBlank("after the value");
                if (!p.end()) {
                    p.timestamp();
                }
            }
            boolean req = name.equals(REQUESTS);
            if (req || name.equals(RESPONSE_BYTES)) {
                sawRequests |= req;
                String verb = labels.get("verb");
                String resource = labels.get("resource");
                if (verb == null || resource == null) {
                    throw new BadInputException(source, n, -1, name + " without a " + (verb == null ? "verb" : "resource")
                            + " label: expected the kube-apiserver's " + name + "{verb=\"...\",resource=\"...\",...}");
                }
                if (Double.isNaN(value) || value < 0) {
                    throw new BadInputException(source, n, -1, name + " has the value " + value
                            + ": expected a counter (a number of 0 or more)");
                }
                String sub = labels.getOrDefault("subresource", "");
                Key k = new Key(metricsVerb(verb), resource.isEmpty() ? "(none)" : sub.isEmpty() ? resource : resource + "/" + sub);
                (req ? requests : bytes).merge(k, value, Double::sum);
            }
        }
        if (!sawRequests) {
            throw new BadInputException(source, "no " + REQUESTS + " series: expected the kube-apiserver's /metrics "
                    + "(Prometheus text format)" + (n == 0 ? ", got an empty input" : ""));
        }
        return new Snapshot(source, requests, bytes);
    }

    /** APPLY is a PATCH and WATCHLIST a WATCH for the handlers; other verbs as they are, upper case. */
    private static String metricsVerb(String verb) {
        String v = verb.toUpperCase(Locale.ROOT);
        return switch (v) {
            case "APPLY" -> "PATCH";
            case "WATCHLIST" -> "WATCH";
            default -> v;
        };
    }

    /** One line of the exposition format and a position in it. */
    private static final class Line {
        private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
        private final String s;
        private final String source;
        private final long line;
        private int i;

        Line(String s, String source, long line) {
            this.s = s;
            this.source = source;
            this.line = line;
        }

        boolean end() {
            return i >= s.length();
        }

        char peek() {
            return s.charAt(i);
        }

        void skipBlanks() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
        }

        BadInputException bad(String expected) {
            String found = end() ? "the end of the line" : "'" + printable(s.substring(i, Math.min(s.length(), i + 12))) + "'";
            return new BadInputException(source, line, -1, "expected " + expected + " at column " + (i + 1) + ", found "
                    + found + " (Prometheus text format: name{label=\"value\",...} value [timestamp])");
        }

        /** {@code # HELP name text}, {@code # TYPE name type}, or any other comment. */
        void comment() {
            i++; // '#'
            skipBlanks();
            int start = i;
            while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
                i++;
            }
            String word = s.substring(start, i);
            if (!word.equals("HELP") && !word.equals("TYPE")) {
                return;
            }
            requireBlank("after # " + word);
            metricName();
            if (word.equals("TYPE")) {
                requireBlank("after the metric name");
                String type = s.substring(i).strip();
                if (!TYPES.contains(type)) {
                    throw bad("a metric type (counter, gauge, histogram, summary or untyped)");
                }
            }
        }

        String metricName() {
            int start = i;
            while (i < s.length()) {
                char c = s.charAt(i);
                boolean ok = c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                        || (i > start && c >= '0' && c <= '9');
                if (!ok) {
                    break;
                }
                i++;
            }
            if (i == start) {
                throw bad("a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
            }
            return s.substring(start, i);
        }

        Map<String, String> labels() {
            if (end() || peek() != '{') {
                return Map.of();
            }
            i++;
            Map<String, String> labels = new LinkedHashMap<>();
            while (true) {
                skipBlanks();
                if (end()) {
                    throw bad("a label name or '}'");
                }
                if (peek() == '}') {
                    i++;
                    return labels;
                }
                int start = i;
                while (i < s.length()) {
                    char c = s.charAt(i);
                    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > start && c >= '0' && c <= '9'))) {
                        break;
                    }
                    i++;
                }
                if (i == start) {
                    throw bad("a label name or '}'");
                }
                String name = s.substring(start, i);
                skipBlanks();
                if (end() || peek() != '=') {
                    throw bad("'=' after the label name '" + name + "'");
                }
                i++;
                skipBlanks();
                if (end() || peek() != '"') {
                    throw bad("'\"' opening the value of label '" + name + "'");
                }
                i++;
                StringBuilder v = new StringBuilder();
                while (true) {
                    if (end()) {
                        throw bad("'\"' closing the value of label '" + name + "'");
                    }
                    char c = s.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        if (end()) {
                            throw bad("an escaped character (\\\\, \\\" or \\n)");
                        }
                        char e = s.charAt(i++);
                        if (e == 'n') {
                            v.append('\n');
                        } else if (e == '\\' || e == '"') {
                            v.append(e);
                        } else {
                            i -= 2;
                            throw bad("an escape \\\\, \\\" or \\n");
                        }
                    } else {
                        v.append(c);
                    }
                }
                labels.put(name, v.toString());
                skipBlanks();
                if (!end() && peek() == ',') {
                    i++;
                } else if (end() || peek() != '}') {
                    throw bad("',' or '}' after the value of label '" + name + "'");
                }
            }
        }

        void requireBlank(String where) {
            if (end() || (peek() != ' ' && peek() != '\t')) {
                throw bad("a blank " + where);
            }
            skipBlanks();
        }

        String token() {
            int start = i;
            while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
                i++;
            }
            return s.substring(start, i);
        }

        double value() {
            int at = i;
            String t = token();
            switch (t) {
                case "NaN":
                    return Double.NaN;
                case "+Inf":
                case "Inf":
                    return Double.POSITIVE_INFINITY;
                case "-Inf":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
            try {
                if (!t.isEmpty() && (Character.isDigit(t.charAt(t.length() - 1)) || t.charAt(t.length() - 1) == '.')) {
                    return Double.parseDouble(t);
                }
            } catch (NumberFormatException e) {
                // below
            }
            i = at;
            throw bad("a number (the sample's value)");
        }

        void timestamp() {
            int at = i;
            String t = token();
            skipBlanks();
            if (t.isEmpty() || !t.matches("-?[0-9]+") || !end()) {
                i = at;
                throw bad("a timestamp in milliseconds (an integer) or the end of the line");
            }
        }

        private static String printable(String t) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < t.length(); k++) {
                char c = t.charAt(k);
                sb.append(c < 0x20 || c == 0x7f ? '?' : c);
            }
            return sb.toString();
        }
    }

    /**
     * Shares the CPU of each verb out over its resources in proportion to their requests: a resource's
     * estimated share = the verb's CPU share (from the stacks: its handlers' frames, or pprof labels) &times;
     * the resource's requests / the verb's requests. Its margin is the verb share's 95 % margin scaled by
     * the same fraction (the counts are exact; what is estimated is the CPU per request, assumed equal
     * across the resources of a verb). Heaviest first; a verb with requests but no CPU sample gets its
     * resources at 0.
     *
     * @param verbShares CPU share per metrics verb ({@link #verbOfHandler} of the stacks' verbs, summed)
     */
    public List<Estimate> estimate(Map<String, Double> verbShares, long samples) {
        List<Estimate> out = new ArrayList<>();
        Map<String, Double> counts = new TreeMap<>();
        for (Requests r : requests) {
            counts.merge(r.verb(), r.count(), Double::sum);
        }
        for (Requests r : requests) {
            double verbShare = verbShares.getOrDefault(r.verb(), 0.0);
            double fraction = r.count() / counts.get(r.verb());
            double m = Margins.share(verbShare, samples);
            out.add(new Estimate(r, verbShare * fraction, Double.isNaN(m) ? Double.NaN : m * fraction, verbShare,
                    counts.get(r.verb())));
        }
        out.sort(Collections.reverseOrder(java.util.Comparator.comparingDouble(Estimate::share)
                .thenComparing(e -> e.requests().count())));
        return out;
    }

    /**
     * {@link #estimate(Map, long)} with each verb's CPU share taken from a report's API calls (stack
     * verbs mapped by {@link #verbOfHandler}, summed).
     */
    public List<Estimate> estimate(Report report) {
        return estimate(verbShares(report), report.samples());
    }

    /** The CPU share per metrics verb of a report's API calls. */
    public static Map<String, Double> verbShares(Report report) {
        Map<String, Double> shares = new TreeMap<>();
        for (Report.ApiCallShare a : report.apiCalls()) {
            String v = verbOfHandler(a.verb());
            if (v != null) {
                shares.merge(v, a.share(), Double::sum);
            }
        }
        return shares;
    }

    /** The rule {@link #estimate} follows, in a sentence. */
    public static final String RULE = "each verb's CPU share (its handler frames or request labels) shared out over that verb's"
            + " resources in proportion to their requests in the window (" + REQUESTS + " deltas): the same CPU per request"
            + " within a verb; the margin is the verb share's, scaled alike";

    /**
     * The estimates for a report as JSON: {@code source}, {@code rule}, {@code requests} (the total) and
     * {@code estimates} ({@code verb}, {@code resource}, {@code requests}, {@code responseBytes} when
     * exported, {@code share}, {@code margin}), heaviest first.
     */
    public String toJson(Report report) {
        return JsonText.of(out -> {
            try (com.fasterxml.jackson.core.JsonGenerator g = new com.fasterxml.jackson.core.JsonFactory()
                    .createGenerator(out, com.fasterxml.jackson.core.JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeStringField("source", source);
                g.writeStringField("rule", RULE);
                g.writeNumberField("requests", total());
                g.writeArrayFieldStart("estimates");
                for (Estimate e : estimate(report)) {
                    g.writeStartObject();
                    g.writeStringField("verb", e.requests().verb());
                    g.writeStringField("resource", e.requests().resource());
                    g.writeNumberField("requests", e.requests().count());
                    Report.number(g, "responseBytes", e.requests().responseBytes());
                    g.writeNumberField("share", e.share());
                    Report.number(g, "margin", e.margin());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
        });
    }

    /**
     * A resource's estimated CPU share.
     *
     * @param requests      the resource's requests and response bytes
     * @param share         the estimated share of all samples
     * @param margin        its 95 % margin (see {@link #estimate})
     * @param verbShare     the CPU share of the whole verb, measured
     * @param verbRequests  the requests of the whole verb
     */
    public record Estimate(Requests requests, double share, double margin, double verbShare, double verbRequests) {
    }
}
