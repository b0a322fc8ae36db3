package io.github.stackfold.flamegraph.analyze;

import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.folded.ProfileMeta;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Answers the questions a flame graph leaves to the reader: the hottest paths, the functions that
 * use the most CPU, CPU per category (authentication, authorization, serialization, ...) and the
 * cost of each API verb and resource. Built once from {@link Options}; {@link #analyze} may be called
 * from several threads.
 *
 * <p>Counting, per sample (a folded stack and its weight), with the frames' names normalized by the
 * {@link Rules} (vendor prefixes removed, rewrites applied):
 * <ul>
 *   <li>self share: the weight of the samples whose leaf frame is the function;</li>
 *   <li>inclusive share: the weight of the samples with the function anywhere on the stack, counted
 *       once per sample however often it recurses;</li>
 *   <li>category, exclusive: the category of the sample's leaf-most classified frame; inclusive:
 *       once for every category among its frames. Frames above a wrapper frame (see
 *       {@link Rules}) do not count for the sample;</li>
 *   <li>API call: the verb of the leaf-most verb frame, the resource of the root-most resource frame
 *       below it.</li>
 * </ul>
 *
 * <p>Not for: rendering or diffing flame graphs (see the render and diff packages).
 */
public final class Analyzer {
    private final Options options;

    private Analyzer(Options options) {
        this.options = options;
    }

    public static Analyzer create(Options options) {
        return new Analyzer(Objects.requireNonNull(options, "options"));
    }

    /** An analyzer with the default options (kube-apiserver rules, top 10). */
    public static Analyzer withDefaults() {
        return new Analyzer(Options.builder().build());
    }

    public Options options() {
        return options;
    }

    /** Analyzes a profile; its {@link FoldedProfile#meta()} says what the weights are. */
    public Report analyze(FoldedProfile profile) {
        return analyze(profile, -1);
    }

    /**
     * Analyzes a profile.
     *
     * @param samples the number of samples when the caller knows better than the profile's
     *                {@link FoldedProfile#meta()}, or -1 to take the metadata's
     * @throws NoSamplesException when the profile's total weight is 0
     */
    public Report analyze(FoldedProfile profile, long samples) {
        Counts c = count(profile);
        long total = profile.total();
        Rules rules = options.rules();
        List<Report.CategoryShare> cats = new ArrayList<>();
        for (int i = 0; i < rules.categories().size(); i++) {
            cats.add(new Report.CategoryShare(rules.categories().get(i).name(),
                    (double) c.exclusive[i] / total, (double) c.inclusive[i] / total));
        }
        int top = options.top();
        List<Report.FunctionShare> topSelf = top(c.self, top).stream()
                .map(e -> new Report.FunctionShare(e.getKey(), (double) e.getValue() / total)).toList();
        List<Report.FunctionShare> topInclusive = top(c.inclusiveFn, top).stream()
                .map(e -> new Report.FunctionShare(e.getKey(), (double) e.getValue() / total)).toList();
        List<Report.PathShare> hot = top(c.paths, top).stream()
                .map(e -> new Report.PathShare(e.getKey(), (double) e.getValue() / total)).toList();
        List<Report.ApiCallShare> api = new ArrayList<>();
        long apiTotal = 0;
        for (Map.Entry<String, Long> e : top(c.apiCalls, Integer.MAX_VALUE)) {
            int tab = e.getKey().indexOf('\t');
            api.add(new Report.ApiCallShare(e.getKey().substring(0, tab), e.getKey().substring(tab + 1),
                    (double) e.getValue() / total));
            apiTotal += e.getValue();
        }
        ProfileMeta meta = profile.meta();
        if (samples >= 0 && samples != meta.samples()) {
            meta = meta.withSamples(samples);
        }
        long n = meta.samples() >= 0 ? meta.samples() : total;
        return new Report(rules.name(), total, n, cats,
                (double) c.unclassified / total, topSelf, topInclusive, hot, api, (double) apiTotal / total,
                c.self, c.inclusiveFn, meta);
    }

    /**
     * Compares two profiles (such as idle and under load) with these options: category shares before
     * and after, and every function's change.
     */
    public Comparison compare(FoldedProfile before, FoldedProfile after) {
        return Comparison.of(analyze(before), analyze(after), options.top());
    }

    /** The profile with every frame name normalized by the rules (vendor prefixes removed). */
    public FoldedProfile normalize(FoldedProfile profile) {
        Rules rules = options.rules();
        if (!rules.stripVendor() && rules.rewrites().isEmpty()) {
            return profile;
        }
        Map<String, String> names = new HashMap<>();
        FoldedProfile.Builder b = FoldedProfile.builder();
        profile.forEach((stack, count) -> b.add(normalizeStack(rules, stack, names), count));
        return b.build();
    }

    private static String normalizeStack(Rules rules, String stack, Map<String, String> names) {
        StringBuilder sb = new StringBuilder(stack.length());
        for (String f : FoldedProfile.frames(stack)) {
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append(names.computeIfAbsent(f, rules::normalize));
        }
        return sb.toString();
    }

    /** Per distinct raw frame: its normalized text and what the rules say about it, computed once. */
    private static final class FrameInfo {
        final int id;
        final String name; // decoded, normalized
        final int category;
        final int verb;
        final String resource;

        FrameInfo(int id, String name, int category, int verb, String resource) {
            this.id = id;
            this.name = name;
            this.category = category;
            this.verb = verb;
            this.resource = resource;
        }
    }

    private static final class Counts {
        final long[] exclusive;
        final long[] inclusive;
        long unclassified;
        final Map<String, Long> self = new HashMap<>();
        final Map<String, Long> inclusiveFn = new HashMap<>();
        final Map<String, Long> paths = new HashMap<>();
        final Map<String, Long> apiCalls = new HashMap<>();

        Counts(int categories) {
            exclusive = new long[categories];
            inclusive = new long[categories];
        }
    }

    private Counts count(FoldedProfile profile) {
        if (profile.total() <= 0) {
            throw new NoSamplesException("the profile holds no samples");
        }
        Rules rules = options.rules();
        int nCat = rules.categories().size();
        Counts c = new Counts(nCat);
        Map<String, FrameInfo> infos = new HashMap<>();
        Map<String, Integer> nameIds = new HashMap<>();
        int[] fnStamp = new int[16];
        int[] catStamp = new int[nCat];
        List<FrameInfo> frames = new ArrayList<>();
        StringBuilder path = new StringBuilder();
        for (int s = 0; s < profile.size(); s++) {
            int stamp = s + 1;
            long w = profile.count(s);
            if (w == 0) {
                continue;
            }
            frames.clear();
            String stack = profile.stack(s);
            int start = 0;
            for (int i = 0; i <= stack.length(); i++) {
                if (i == stack.length() || stack.charAt(i) == ';') {
                    String raw = stack.substring(start, i);
                    FrameInfo fi = infos.get(raw);
                    if (fi == null) {
                        fi = info(rules, raw, nameIds);
                        infos.put(raw, fi);
                    }
                    frames.add(fi);
                    start = i + 1;
                }
            }
            if (fnStamp.length < nameIds.size()) {
                fnStamp = Arrays.copyOf(fnStamp, Math.max(nameIds.size(), fnStamp.length * 2));
            }
            // functions: ids are per normalized name, so a name is counted once per sample
            FrameInfo leaf = frames.get(frames.size() - 1);
            c.self.merge(leaf.name, w, Long::sum);
            for (FrameInfo f : frames) {
                if (fnStamp[f.id] != stamp) {
                    fnStamp[f.id] = stamp;
                    c.inclusiveFn.merge(f.name, w, Long::sum);
                }
            }
            // categories: only the frames below the leaf-most wrapper count (a wrapper hands the work
            // below it to the rest of the handler chain, so the frames above it do not own it)
            int from = 0;
            for (int i = frames.size() - 1; i >= 0; i--) {
                if (frames.get(i).category == Rules.WRAPPER) {
                    from = i + 1;
                    break;
                }
            }
            int last = Rules.NONE;
            for (int i = from; i < frames.size(); i++) {
                int k = frames.get(i).category;
                if (k >= 0) {
                    last = k;
                    if (catStamp[k] != stamp) {
                        catStamp[k] = stamp;
                        c.inclusive[k] += w;
                    }
                }
            }
            if (last >= 0) {
                c.exclusive[last] += w;
            } else {
                c.unclassified += w;
            }
            // hot paths: the normalized stack
            path.setLength(0);
            for (FrameInfo f : frames) {
                if (path.length() > 0) {
                    path.append(';');
                }
                path.append(f.name);
            }
            c.paths.merge(path.toString(), w, Long::sum);
            // API calls
            int verbAt = -1;
            for (int i = frames.size() - 1; i >= 0; i--) {
                if (frames.get(i).verb >= 0) {
                    verbAt = i;
                    break;
                }
            }
            if (verbAt >= 0) {
                String resource = "?";
                for (int i = verbAt + 1; i < frames.size(); i++) {
                    if (frames.get(i).resource != null) {
                        resource = frames.get(i).resource;
                        break;
                    }
                }
                String verb = rules.verbs().get(frames.get(verbAt).verb).name();
                c.apiCalls.merge(verb + '\t' + resource, w, Long::sum);
            }
        }
        return c;
    }

    private static FrameInfo info(Rules rules, String raw, Map<String, Integer> nameIds) {
        String norm = rules.normalize(raw);
        String name = FoldedProfile.decode(norm);
        Integer id = nameIds.get(name);
        if (id == null) {
            id = nameIds.size();
            nameIds.put(name, id);
        }
        return new FrameInfo(id, name, rules.classify(norm), rules.verbOf(norm), rules.resourceOf(norm));
    }

    /** The heaviest entries first, ties in name order. */
    static List<Map.Entry<String, Long>> top(Map<String, Long> weights, int n) {
        return weights.entrySet().stream()
                .sorted(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
                        .thenComparing(Map.Entry::getKey))
                .limit(n)
                .toList();
    }

    /**
     * What to analyze with. Defaults: the built-in kube-apiserver {@link Rules}, top 10.
     */
    public static final class Options {
        private final Rules rules;
        private final int top;

        private Options(Builder b) {
            this.rules = b.rules;
            this.top = b.top;
        }

        public static Builder builder() {
            return new Builder();
        }

        /** The classification rules. Default: {@link Rules#kubeApiserver()}. */
        public Rules rules() {
            return rules;
        }

        /** How many functions and paths each top list holds. Default: 10. */
        public int top() {
            return top;
        }

        public static final class Builder {
            private Rules rules;
            private int top = 10;

            private Builder() {
            }

            public Builder rules(Rules rules) {
                this.rules = Objects.requireNonNull(rules, "rules");
                return this;
            }

            public Builder top(int top) {
                if (top < 1) {
                    throw new IllegalArgumentException("top must be at least 1, got " + top);
                }
                this.top = top;
                return this;
            }

            public Options build() {
                if (rules == null) {
                    rules = Rules.kubeApiserver();
                }
                return new Options(this);
            }
        }
    }
}
