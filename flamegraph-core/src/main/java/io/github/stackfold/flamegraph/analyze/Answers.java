package io.github.stackfold.flamegraph.analyze;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The answers to the four challenge questions of the kube-apiserver profiling lab, from one
 * {@link Report} (and, for question 3, a {@link Comparison} idle -&gt; under load). Every figure is
 * a measured share with its 95 % margin; nothing is said that the profile does not show. For a
 * person, as text; {@link #toMarkdown()} is the same under markdown headings.
 *
 * <pre>
 * 1. CPU on authentication and authorization
 *    authentication: own work 4.5% ±2.9; under the WithAuthentication filter 38.2% ±6.8 ...
 * 2. Most expensive API calls (verb and resource)
 * 3. Under load versus idle
 * 4. Optimisation leads
 * Hottest path, leaf first, whole: ...
 * </pre>
 *
 * <p>The rules behind each figure are stated in the text: own work is a category's frames below the
 * leaf-most handler-chain wrapper (the inclusive share of {@link Analyzer}); work under a filter or
 * wrapped by a category is every sample with that frame anywhere on its stack, which includes
 * everything it calls. A lead is given only for a category with at least {@link #LEAD_AT} of the
 * samples. When the profile {@link Report#cannotTell() cannot tell} (unnamed frames), questions 1,
 * 2 and 4 say so instead of answering.
 */
public final class Answers {
    /** A category needs at least this inclusive share for an optimisation lead: 5 %. */
    public static final double LEAD_AT = 0.05;

    private final Report r;
    private final Comparison c;
    private final RequestMetrics requests;

    private Answers(Report report, Comparison comparison, RequestMetrics requests) {
        this.r = report;
        this.c = comparison;
        this.requests = requests;
    }

    /** The answers for a report; {@code comparison} (idle -&gt; under load) may be null. */
    public static Answers of(Report report, Comparison comparison) {
        return new Answers(report, comparison, null);
    }

    /**
     * The same answers with the apiserver's request counts of the profiling window (may be null):
     * question 2 then shares each verb's CPU out over its resources (see {@link RequestMetrics#estimate}).
     */
    public Answers withRequests(RequestMetrics requestMetrics) {
        return new Answers(r, c, requestMetrics);
    }

    private String s(double share) {
        return Comparison.withMargin(share, r.samples());
    }

    /** The four answers and the hottest path, each a list of lines (no line breaks inside). */
    public List<List<String>> sections() {
        List<List<String>> out = new ArrayList<>();
        out.add(authn());
        out.add(apiCalls());
        out.add(loadVsIdle());
        out.add(leads());
        out.add(hottestPath());
        return out;
    }

    private static final String[] TITLES = {
        "1. What share of CPU is authentication/authorization?",
        "2. Which API calls are most expensive (verb and resource)?",
        "3. How does the profile change under load?",
        "4. Optimisation opportunities (from measured shares only)",
        "Hottest path (leaf first, whole)"
    };

    /** The titles of {@link #sections()}, in order: the four questions, then the hottest path. */
    public static List<String> titles() {
        return List.of(TITLES);
    }

    /** The answers as text, under the heading {@code Answers to the lab's questions}. */
    public String toText() {
        return format("Answers to the lab's questions (shares of all samples, \u00b1 95% margin)\n", "\n", "\n", "  ",
                UnaryOperator.identity());
    }

    /** The answers as markdown: a {@code ## Answers} section with one {@code ###} per question. */
    public String toMarkdown() {
        return format("## Answers\n\nShares of all samples, with their 95 % margins (Wilson interval).\n", "\n### ", "\n\n", "- ",
                Markdown::text);
    }

    /**
     * {@code head}, then per question its title between {@code beforeTitle} and {@code afterTitle} and its
     * answers, each a line of {@code bullet} and the answer as {@code line} writes it.
     */
    private String format(String head, String beforeTitle, String afterTitle, String bullet, UnaryOperator<String> line) {
        StringBuilder sb = new StringBuilder(head);
        List<List<String>> secs = sections();
        for (int i = 0; i < secs.size(); i++) {
            sb.append(beforeTitle).append(TITLES[i]).append(afterTitle);
            for (String l : secs.get(i)) {
                sb.append(bullet).append(line.apply(l)).append('\n');
            }
        }
        return sb.toString();
    }

    private List<String> authn() {
        List<String> l = new ArrayList<>();
        if (r.cannotTell()) {
            l.add(r.verdict() + ": the authenticators' and authorizers' frames cannot be seen. To " + r.remedy() + ".");
            return l;
        }
        if (!apiserverRules()) {
            // rules of another program (etcd's): no apiserver filters to count, so no 0.0% for them
            l.add("The " + r.rules() + " rules have no authentication or authorization category: the apiserver's"
                    + " request filters are not in this program, so their share is not 0.0% but not measured here.");
            boolean any = false;
            for (Report.CategoryShare c : r.categories()) {
                if (c.name().startsWith("auth")) {
                    any = true;
                    l.add("this program's " + c.name() + ": own work " + s(c.inclusive()) + "; with the work it wraps "
                            + s(r.anywhereShare(c.name())) + ".");
                }
            }
            if (!any) {
                l.add("No category of these rules counts authentication: a rules file (--rules FILE) with one would.");
            }
            l.add("Rule: own work counts the samples with a frame of the category below the leaf-most wrapper;"
                    + " wrapped work every sample with a frame of the category anywhere on its stack.");
            return l;
        }
        l.add("authentication: own work " + s(own("authentication")) + "; everything under the WithAuthentication filter "
                + s(r.markerShare("authentication-filter")) + " (the filter calls the rest of the handler chain and the request).");
        l.add("authorization: own work " + s(own("authorization")) + "; everything under the WithAuthorization filter "
                + s(r.markerShare("authorization-filter")) + ".");
        l.add("Rule: own work counts the samples with a frame of the category below the leaf-most handler-chain wrapper "
                + "(filters, net/http dispatch); 'under the filter' counts every sample with the filter's frame on its stack.");
        l.add("TLS client-certificate parsing in the handshake is counted as tls, not authentication: "
                + s(r.markerShare("tls-client-certificates")) + " of samples; the x509 authenticator's own check "
                + "(package authentication/request/x509) is authentication.");
        l.add("flowcontrol: own work " + s(own("flowcontrol")) + "; with the work it wraps (the admitted request runs inside "
                + "its frames) " + s(r.anywhereShare("flowcontrol")) + ".");
        l.add("http2: own work " + s(own("http2")) + "; with the work it wraps (the handler runs inside serverConn.runHandler) "
                + s(r.anywhereShare("http2")) + ".");
        l.add("Rule for wrapped work: every sample with a frame of the category anywhere on its stack.");
        return l;
    }

    /**
     * Whether the rules count the kube-apiserver's request path (an authentication or authorization
     * category): only then do its filters, watch fan-out and knobs belong in the answers; etcd's or a
     * JVM's rules get no 0.0% for them.
     */
    private boolean apiserverRules() {
        return r.category("authentication").isPresent() || r.category("authorization").isPresent();
    }

    private double own(String category) {
        return r.category(category).map(Report.CategoryShare::inclusive).orElse(0.0);
    }

    private List<String> apiCalls() {
        List<String> l = new ArrayList<>();
        if (r.cannotTell()) {
            l.add(r.verdict() + ": no API handler frame can be seen. To " + r.remedy() + ".");
            return l;
        }
        if (r.apiCalls().isEmpty()) {
            l.add("No API handler frame (handlers.ListResource, GetResource, ...) in these stacks: no API call can be costed.");
        } else {
            l.add(r.apiCallsFromLabels() > 0
                    ? "From the pprof labels verb and resource where a sample has them (" + s(r.apiCallsFromLabels())
                            + " of samples), from the stack frames for the rest:"
                    : "From the stack frames (the profile carries no pprof labels naming the request):");
            boolean unknown = false;
            for (int i = 0; i < Math.min(8, r.apiCalls().size()); i++) {
                Report.ApiCallShare a = r.apiCalls().get(i);
                l.add(String.format(Locale.ROOT, "%-14s %s %s", s(a.share()), a.verb(), a.resource()));
                unknown |= a.resource().equals("?");
            }
            if (unknown) {
                l.add("'?' is a resource no frame names: the verb's handler frame is on the stack, but no frame below it is a "
                        + "method of a typed API object (k8s.io/api/GROUP/VERSION.(*Kind)), so the resource cannot be told from this stack.");
            }
            l.add("Inside any API handler: " + s(r.apiCallsTotal()) + ".");
        }
        if (requests != null) {
            l.addAll(byRequests());
        }
        double outside = 1 - r.apiCallsTotal();
        // the usual work outside requests, as far as the rules have a category for it (a JVM's have no go
        // scheduler, etcd's no watch cache): no 0.0% for a category that was never counted
        List<String> beside = new ArrayList<>();
        for (String[] c : new String[][] {{"tls", "tls"}, {"gc", "gc"}, {"go-scheduler", "go scheduler"}}) {
            if (r.category(c[0]).isPresent()) {
                beside.add(c[1] + " " + s(own(c[0])));
            }
        }
        if (apiserverRules()) {
            beside.add("watch fan-out " + s(r.markerShare("watch-fan-out")));
        }
        l.add("Not attributable to an API call: " + s(outside) + " of samples"
                + (beside.isEmpty() ? "." : "; of all samples, " + String.join(", ", beside) + "."));
        return l;
    }

    /** Question 2 with the request counts: each verb's CPU shared out over its resources. */
    private List<String> byRequests() {
        List<String> l = new ArrayList<>();
        java.util.Map<String, Double> verbShares = RequestMetrics.verbShares(r);
        l.add(String.format(Locale.ROOT, "By resource, from the apiserver's request counts (%s, %.0f requests in the window): "
                + "%s.", requests.source(), requests.total(), RequestMetrics.RULE));
        List<RequestMetrics.Estimate> est = requests.estimate(verbShares, r.samples());
        int shown = 0;
        for (RequestMetrics.Estimate e : est) {
            if (shown++ == 10) {
                l.add("... and " + (est.size() - 10) + " more verb and resource pairs with fewer requests or less CPU.");
                break;
            }
            RequestMetrics.Requests q = e.requests();
            String margin = Double.isNaN(e.margin()) ? "" : String.format(Locale.ROOT, " \u00b1%.1f", e.margin() * 100);
            String bytes = Double.isNaN(q.responseBytes()) ? "" : ", " + bytes(q.responseBytes()) + " of responses";
            l.add(String.format(Locale.ROOT, "%s %s %s%s of CPU (est. from %.0f of %.0f %s requests%s, /metrics)", q.verb(),
                    q.resource(), Report.pct(e.share()), margin, q.count(), e.verbRequests(), q.verb(), bytes));
        }
        for (java.util.Map.Entry<String, Double> v : verbShares.entrySet()) {
            if (requests.count(v.getKey()) == 0 && v.getValue() > 0) {
                l.add(v.getKey() + ": " + s(v.getValue()) + " of CPU in its handlers, but no " + v.getKey()
                        + " request counted in the window (a watch counts when it ends; or the metrics are of another window).");
            }
        }
        return l;
    }

    private static String bytes(double b) {
        if (b >= 1e9) {
            return String.format(Locale.ROOT, "%.1f GB", b / 1e9);
        }
        if (b >= 1e6) {
            return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
        }
        if (b >= 1e3) {
            return String.format(Locale.ROOT, "%.1f kB", b / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f B", b);
    }

    private List<String> loadVsIdle() {
        List<String> l = new ArrayList<>();
        if (c == null) {
            l.add("No idle profile to compare with: 'flame profile --compare-idle' records both, or 'flame compare IDLE LOADED'.");
            return l;
        }
        l.add(String.format(Locale.ROOT, "idle %d samples -> under load %d samples.", c.before().samples(), c.after().samples())
                + (c.cpuChange() == null ? "" : " " + c.cpuChange() + "."));
        for (String w : c.warnings()) {
            l.add("warning: " + w + ".");
        }
        List<String> changed = new ArrayList<>();
        List<String> noise = new ArrayList<>();
        for (Comparison.CategoryChange ch : c.categories()) {
            Comparison.ShareChange inclusive = ch.inclusive();
            if (inclusive.before() == 0 && inclusive.after() == 0) {
                continue;
            }
            (inclusive.inNoise() ? noise : changed).add(ch.name() + " " + inclusive.changeText());
        }
        l.add(changed.isEmpty() ? "No category's share changed beyond its margin." : "Changed beyond the noise (inclusive share): "
                + String.join(", ", changed) + ".");
        if (!noise.isEmpty()) {
            l.add("Inside the noise (~, not a finding): " + String.join(", ", noise) + ".");
        }
        return l;
    }

    /**
     * A usual cause and knob for a category, or null when there is no well-known one. The knobs are the
     * kube-apiserver's (its flags, its clients' content types) and the Go runtime's: given only for rules
     * that count the apiserver's request path ({@link #apiserverRules()}) and, for gc and the scheduler,
     * a Go program's (a go-scheduler category); a JVM's gc has other knobs than GOGC.
     */
    private String lead(String category) {
        boolean apiserver = apiserverRules();
        boolean go = r.category("go-scheduler").isPresent();
        boolean known = switch (category) {
            case "tls", "network-syscall" -> true;
            case "gc", "go-scheduler" -> go;
            default -> apiserver;
        };
        if (!known) {
            return null;
        }
        return switch (category) {
            case "tls" -> {
                double hs = r.markerShare("tls-handshake");
                double rsa = r.markerShare("rsa");
                yield "full TLS handshakes " + s(hs) + (rsa > 0 ? ", RSA " + s(rsa) : "")
                        + ": connection churn (clients that reconnect per request); knob: keep-alives and connection reuse "
                        + "in clients, ECDSA serving certificates (cheaper to sign than RSA)";
            }
            case "etcd3-storage" -> etcdLead();
            case "watch-cache" -> "watch fan-out " + s(r.markerShare("watch-fan-out"))
                    + ": cost grows with the number of watchers; knob: fewer or narrower watches (field/label selectors)";
            case "gc" -> "garbage collection: allocation rate; knob: GOGC / GOMEMLIMIT, and the allocating callers "
                    + "(serialization above all)";
            case "serialization" -> "encoding and decoding objects: JSON is costlier than protobuf; knob: clients asking for "
                    + "application/vnd.kubernetes.protobuf, smaller responses (pagination, selectors)";
            case "go-scheduler" -> "goroutines parking and waking: many connections or timers with little work each; "
                    + "knob: fewer idle connections and watches, GOMAXPROCS matching the CPU limit";
            case "http2" -> "HTTP/2 framing and flow control per stream: many small requests; knob: fewer, larger "
                    + "requests (watch instead of polling), --http2-max-streams-per-connection";
            case "network-syscall" -> "reads and writes on sockets: many small messages; knob: batching, fewer connections";
            case "authentication" -> "authenticating every request: token review or OIDC; knob: "
                    + "--authentication-token-webhook-cache-ttl, client certificates or bound service-account tokens";
            case "authorization" -> "authorizing every request: webhooks or many RBAC bindings; knob: "
                    + "--authorization-webhook-cache-authorized-ttl, fewer bindings";
            case "admission" -> "admission plugins, webhooks and CEL policies on writes; knob: narrower matchConditions, "
                    + "fewer webhooks";
            case "flowcontrol" -> "API priority and fairness bookkeeping per request; it is the request count that matters";
            case "audit" -> "audit logging per request; knob: an audit policy that logs less (level Metadata/None for reads)";
            default -> null;
        };
    }

    /** A marker of the rules that measures work through to etcd: what the lead calls it, and its knob. */
    private record EtcdMarker(String marker, String what, String knob) {
    }

    private static final List<EtcdMarker> ETCD_MARKERS = List.of(
            new EtcdMarker("list-from-etcd", "LIST served from etcd",
                    "LIST with resourceVersion=\"0\" (served by the watch cache) and pagination (limit/continue)"),
            new EtcdMarker("etcd-update", "updates (GuaranteedUpdate)",
                    "fewer writes: status updates and leases of controllers, lease duration"),
            new EtcdMarker("etcd-get", "gets from etcd", "GET with resourceVersion=\"0\" where a cached read will do"),
            new EtcdMarker("etcd-watch", "the etcd watch stream", "the write rate it mirrors"));

    /** The etcd lead from what the etcd frames measured: LIST from etcd, updates, gets, the watch stream. */
    private String etcdLead() {
        List<String> parts = new ArrayList<>();
        List<String> knobs = new ArrayList<>();
        for (EtcdMarker m : ETCD_MARKERS) {
            double share = r.markerShare(m.marker());
            if (share > 0) {
                parts.add(m.what() + " " + s(share));
                knobs.add(m.knob());
            }
        }
        return "work through to etcd" + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")")
                + "; knob: " + (knobs.isEmpty() ? "requests the watch cache can serve (resourceVersion=\"0\")" : String.join("; ", knobs));
    }

    private List<String> leads() {
        List<String> l = new ArrayList<>();
        if (r.cannotTell()) {
            l.add(r.verdict() + ": no lead can be derived from unnamed frames. To " + r.remedy() + ".");
            return l;
        }
        List<Report.CategoryShare> cats = new ArrayList<>(r.categories());
        cats.sort(Collections.reverseOrder(java.util.Comparator.comparingDouble(Report.CategoryShare::inclusive)));
        List<String> unknown = new ArrayList<>();
        for (Report.CategoryShare cat : cats) {
            if (cat.inclusive() < LEAD_AT) {
                continue;
            }
            String why = lead(cat.name());
            if (why != null) {
                l.add(cat.name() + " " + s(cat.inclusive()) + ": " + why + ".");
            } else {
                unknown.add(cat.name() + " " + s(cat.inclusive()));
            }
        }
        if (!unknown.isEmpty()) {
            l.add("No usual cause or knob is known here for " + String.join(", ", unknown) + " (the " + r.rules()
                    + " rules): the flame graph's widest frames in them are the place to look.");
        }
        if (l.isEmpty()) {
            l.add(String.format(Locale.ROOT, "No category reaches %.0f%% of the samples: no lead stands out.", LEAD_AT * 100));
        }
        return l;
    }

    private List<String> hottestPath() {
        if (r.hotPaths().isEmpty()) {
            return List.of("none");
        }
        Report.PathShare p = r.hotPaths().get(0);
        // short Go names, as in the report's other tables and the flame graph (the JSON keeps full ones)
        String stack = io.github.stackfold.flamegraph.FrameNames.forReports(r.functions()).apply(p.stack());
        List<String> frames = new ArrayList<>(List.of(stack.split(";", -1)));
        Collections.reverse(frames);
        return List.of(s(p.share()) + ", " + frames.size() + " frames: " + String.join(" <- ", frames));
    }
}
