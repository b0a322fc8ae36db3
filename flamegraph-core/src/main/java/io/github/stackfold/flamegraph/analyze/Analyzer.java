package io.github.stackfold.flamegraph.analyze;

import io.github.stackfold.flamegraph.FrameNames;
import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.folded.ProfileMeta;
import io.github.stackfold.flamegraph.html.RawStacks;
import io.github.stackfold.flamegraph.internal.Bytes;
import io.github.stackfold.flamegraph.render.FoldedSamples;

import java.nio.charset.StandardCharsets;
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
 *   <li>API call: the verb and resource of the request's pprof labels when the profile has them
 *       ({@link #VERB_LABEL}); else (or for the one missing) the verb of the leaf-most verb frame and
 *       the resource of the root-most resource frame below it.</li>
 *   <li>unnamed: the samples with an unnamed frame (see {@link #unnamedBinary}), per binary of the
 *       leaf-most such frame; an {@code [unknown]} frame (an address perf placed in no binary) counts
 *       only when no named frame lies leaf-ward of it: under named frames it is the unwinder's junk
 *       (frame-pointer walks of Go stacks end past the goroutine's start in such a frame), not a
 *       frame of the user binary (see {@link #unnamedAt}). Above {@link Report#CANNOT_TELL} of the
 *       samples, the category, verb and resource shares cannot be told (the work they name may sit
 *       in the unnamed frames).</li>
 * </ul>
 *
 * <p>Not for: rendering or diffing flame graphs (see the render and diff packages).
 */
public final class Analyzer {
    private final Options options;

    private Analyzer(Options options) {
        this.options = options;
    }

    /** An analyzer with these options (rules and the length of the top lists); reusable and thread-safe. */
    public static Analyzer create(Options options) {
        return new Analyzer(Objects.requireNonNull(options, "options"));
    }

    /** An analyzer with the default options (kube-apiserver rules, top 10). */
    public static Analyzer withDefaults() {
        return new Analyzer(Options.defaults());
    }

    /** The options this analyzer was made with. */
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
        Map<String, Double> anywhere = new java.util.LinkedHashMap<>();
        for (int i = 0; i < rules.categories().size(); i++) {
            cats.add(new Report.CategoryShare(rules.categories().get(i).name(),
                    (double) c.exclusive[i] / total, (double) c.inclusive[i] / total));
            anywhere.put(rules.categories().get(i).name(), (double) c.anywhere[i] / total);
        }
        Map<String, Double> markers = new java.util.LinkedHashMap<>();
        for (int m = 0; m < c.markers.length; m++) {
            markers.put(Report.MARKERS.get(m).name(), (double) c.markers[m] / total);
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
        long gcd = 0;
        if (!profile.hasMeta()) {
            for (int i = 0; i < profile.size() && gcd != 1; i++) {
                gcd = java.math.BigInteger.valueOf(gcd).gcd(java.math.BigInteger.valueOf(profile.count(i))).longValue();
            }
        }
        if (samples >= 0 && samples != meta.samples()) {
            meta = meta.withSamples(samples);
        }
        // a folded file or flame graph with no separate sample count: its counts are the samples, unless
        // every count is a multiple of a period (Report#periodsNote: 10,101,010 ns at 99 Hz); then the
        // margins count the samples those periods stand for, not the nanoseconds
        long n = samples < 0 && gcd >= Report.PERIOD_GCD ? total / gcd : meta.samples() >= 0 ? meta.samples() : total;
        return new Report(rules.name(), total, n, cats,
                (double) c.unclassified / total, topSelf, topInclusive, hot, api, (double) apiTotal / total,
                c.self, c.inclusiveFn, meta, (double) c.unnamed / total, shares(c.unnamedByBinary, total), gcd, anywhere, markers,
                (double) c.labelled / total);
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
        /** The binary of an unnamed frame ({@code [kube-apiserver]} -> kube-apiserver), or null for a named one. */
        final String unnamedIn;
        /** Whether the frame is {@code [unknown]}: an address perf placed in no binary. */
        final boolean nowhere;
        /** The markers ({@link Report#MARKERS}) this frame matches, one bit each. */
        int markers;
        /** For a label frame ({@code verb=LIST}, {@code resource=pods}): key and value; else null. */
        String[] label;

        FrameInfo(int id, String name, int category, int verb, String resource, String unnamedIn, boolean nowhere) {
            this.unnamedIn = unnamedIn;
            this.nowhere = nowhere;
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
        long unnamed;
        long labelled;
        final Map<String, Long> unnamedByBinary = new HashMap<>();
        final long[] anywhere;
        final long[] markers = new long[Report.MARKERS.size()];

        Counts(int categories) {
            exclusive = new long[categories];
            inclusive = new long[categories];
            anywhere = new long[categories];
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
        int[] anyStamp = new int[nCat];
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
            // pprof labels read as root frames (PprofOptions tags verb and resource): the request's verb
            // and resource; they are no code, so nothing else counts them
            String labelVerb = null;
            String labelResource = null;
            int labels = 0;
            while (labels < frames.size() - 1 && labels < 2 && frames.get(labels).label != null) {
                String[] kv = frames.get(labels).label;
                if (kv[0].equals(VERB_LABEL)) {
                    labelVerb = kv[1].equals("?") ? null : handlerVerb(kv[1]);
                } else {
                    labelResource = kv[1].equals("?") ? null : kv[1];
                }
                labels++;
            }
            if (labels > 0) {
                frames.subList(0, labels).clear();
            }
            if (fnStamp.length < nameIds.size()) {
                fnStamp = Arrays.copyOf(fnStamp, Math.max(nameIds.size(), fnStamp.length * 2));
            }
            // unnamed: a sample with an unnamed frame (not a junk [unknown] under named frames),
            // charged to the binary of its leaf-most one
            List<FrameInfo> fs = frames;
            int at = unnamedAt(fs.size(), i -> fs.get(i).unnamedIn, i -> fs.get(i).nowhere);
            if (at >= 0) {
                c.unnamed += w;
                c.unnamedByBinary.merge(fs.get(at).unnamedIn, w, Long::sum);
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
            // anywhere: a category's frames anywhere on the stack, the work they wrap included
            int marks = 0;
            for (int i = 0; i < frames.size(); i++) {
                FrameInfo f = frames.get(i);
                marks |= f.markers;
                int k = f.category;
                if (k >= 0 && anyStamp[k] != stamp) {
                    anyStamp[k] = stamp;
                    c.anywhere[k] += w;
                }
            }
            for (int m = 0; m < c.markers.length; m++) {
                if ((marks & (1 << m)) != 0) {
                    c.markers[m] += w;
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
            if (verbAt >= 0 || labelVerb != null || labelResource != null) {
                String resource = labelResource;
                for (int i = verbAt + 1; resource == null && verbAt >= 0 && i < frames.size(); i++) {
                    resource = frames.get(i).resource;
                }
                String verb = labelVerb != null ? labelVerb : verbAt >= 0 ? rules.verbs().get(frames.get(verbAt).verb).name() : "?";
                c.apiCalls.merge(verb + '\t' + (resource == null ? "?" : resource), w, Long::sum);
                if (labelVerb != null || labelResource != null) {
                    c.labelled += w;
                }
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
        String decoded = FoldedProfile.decode(raw);
        FrameInfo fi = new FrameInfo(id, name, rules.classify(norm), rules.verbOf(norm), rules.resourceOf(norm),
                unnamedBinary(decoded), nowhere(decoded));
        for (String key : List.of(VERB_LABEL, RESOURCE_LABEL)) {
            if (name.startsWith(key + "=")) {
                fi.label = new String[] {key, name.substring(key.length() + 1)};
            }
        }
        for (int m = 0; m < Report.MARKERS.size(); m++) {
            for (String prefix : Report.MARKERS.get(m).prefixes()) {
                if (name.startsWith(prefix)) {
                    fi.markers |= 1 << m;
                }
            }
        }
        return fi;
    }

    /**
     * The pprof label naming a request's verb. A profile whose samples carry it is read with
     * {@link io.github.stackfold.flamegraph.pprof.PprofOptions#tags()} {@code verb} and
     * {@code resource}, which makes them the root frames {@code verb=LIST;resource=pods;...}: up to two
     * such leading frames are taken as the request's verb and resource (a value of {@code ?} is no
     * label) and left out of every other count.
     */
    public static final String VERB_LABEL = "verb";
    /** The pprof label naming a request's resource (see {@link #VERB_LABEL}). */
    public static final String RESOURCE_LABEL = "resource";

    /** A label's verb as the rules name handler verbs: LIST list, POST create, PUT update, PATCH and APPLY patch ... */
    static String handlerVerb(String verb) {
        String v = verb.toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "post" -> "create";
            case "put" -> "update";
            case "apply" -> "patch";
            case "watchlist" -> "watch";
            default -> v;
        };
    }

    /**
     * The verdict on unnamed frames alone (see {@link Report#verdict()}), for a flame graph's subtitle
     * where no analysis is made: {@code cannot tell: 100.0% of CPU is in unnamed kube-apiserver frames},
     * or empty when at most {@link Report#CANNOT_TELL} of the samples count as unnamed (see {@link #unnamedAt}).
     */
    public static String unnamedVerdict(FoldedProfile profile) {
        return unnamedFrames(profile).verdict();
    }

    /** {@link #unnamedFrames(int, java.util.function.IntFunction, java.util.function.IntToDoubleFunction)} of a profile. */
    public static Report unnamedFrames(FoldedProfile profile) {
        return unnamedFrames(profile.size(), profile::stack, profile::count, profile.meta());
    }

    /**
     * The unnamed frames of any stacks, as the analysis counts them ({@link #unnamedAt}), without the
     * analysis: a {@link Report} that holds only its total, {@link Report#unnamedShare()},
     * {@link Report#unnamedByBinary()} and what follows from them ({@link Report#cannotTell()},
     * {@link Report#verdict()}, {@link Report#graphVerdict}, {@link Report#remedy()}); no categories.
     * For what a viewer or a flame graph draws: a flame graph's lines (fractional weights), the
     * viewer's distinct stacks.
     *
     * @param n      the number of stacks
     * @param stack  stack i, raw ({@code root;...;leaf}, one char per byte)
     * @param weight its weight; what is not above 0 is left out
     */
    public static Report unnamedFrames(int n, java.util.function.IntFunction<String> stack,
            java.util.function.IntToDoubleFunction weight) {
        return unnamedFrames(n, stack, weight, null);
    }

    private static Report unnamedFrames(int n, java.util.function.IntFunction<String> stack,
            java.util.function.IntToDoubleFunction weight, ProfileMeta meta) {
        UnnamedScan scan = new UnnamedScan();
        return unnamedReport(n, s -> scan.binaryOf(stack.apply(s)), weight, meta);
    }

    /**
     * As {@link #unnamedFrames(int, java.util.function.IntFunction, java.util.function.IntToDoubleFunction)}
     * for the stacks a flame graph draws, read as the bytes they are kept in (no String per stack).
     */
    public static Report unnamedFrames(FoldedSamples samples, java.util.function.IntToDoubleFunction weight) {
        return unnamedFrames(samples, weight, s -> true);
    }

    /**
     * As {@link #unnamedFrames(FoldedSamples, java.util.function.IntToDoubleFunction)}, looking only at
     * the lines {@code mayBeUnnamed} names: the others must be lines whose every frame is
     * {@link FrameNames#surelyNamed} ({@link FoldedSamples#mayBeUnnamed} says which, for lines laid out
     * while read). The report is the same as the full scan's.
     */
    public static Report unnamedFrames(FoldedSamples samples, java.util.function.IntToDoubleFunction weight,
            java.util.function.IntPredicate mayBeUnnamed) {
        UnnamedScan scan = new UnnamedScan();
        return unnamedReport(samples.size(), s -> mayBeUnnamed.test(s) ? samples.withStackBytes(s, scan::binaryOf) : null,
                weight, null);
    }

    /**
     * As {@link #unnamedFrames(int, java.util.function.IntFunction, java.util.function.IntToDoubleFunction)}
     * for the distinct stacks a viewer draws, read as the bytes they are kept in (no String per stack).
     */
    public static Report unnamedFrames(RawStacks stacks) {
        return unnamedFrames(stacks, s -> true);
    }

    /**
     * As {@link #unnamedFrames(RawStacks)}, looking only at the stacks {@code mayBeUnnamed} names: the
     * others must be stacks whose every frame is {@link FrameNames#surelyNamed} (a viewer's encoder,
     * which reads every frame's name once, says which: {@code HtmlRenderer.Drawn#mayBeUnnamed}). The
     * report is the same as the full scan's.
     */
    public static Report unnamedFrames(RawStacks stacks, java.util.function.IntPredicate mayBeUnnamed) {
        UnnamedScan scan = new UnnamedScan();
        return unnamedReport(stacks.size(), s -> mayBeUnnamed.test(s) ? stacks.withStackBytes(s, scan::binaryOf) : null,
                stacks::count, null);
    }

    /** The report of unnamed frames, from the binary each stack is charged to (null: named). */
    private static Report unnamedReport(int n, java.util.function.IntFunction<String> binaryOfStack,
            java.util.function.IntToDoubleFunction weight, ProfileMeta meta) {
        Map<String, Double> by = new HashMap<>();
        double total = 0;
        for (int s = 0; s < n; s++) {
            double w = weight.applyAsDouble(s);
            if (!(w > 0)) {
                continue;
            }
            total += w;
            String bin = binaryOfStack.apply(s);
            if (bin != null) {
                by.merge(bin, w, Double::sum);
            }
        }
        double unnamed = by.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> shares = new java.util.LinkedHashMap<>();
        double sum = total;
        if (sum > 0) {
            by.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .forEach(e -> shares.put(e.getKey(), e.getValue() / sum));
        }
        long t = Math.round(total);
        return new Report("", t, t, List.of(), 0, List.of(), List.of(), List.of(), List.of(), 0,
                Map.of(), Map.of(), meta != null ? meta : ProfileMeta.counts(t), total > 0 ? unnamed / total : 0, shares, 0, Map.of(), Map.of(), 0);
    }

    /**
     * The weight of the stacks that count as unnamed ({@link #unnamedAt}), per binary of the leaf-most
     * unnamed frame ({@code etcd} for
     * {@code [etcd]}, {@code unknown} for {@code [unknown]} and raw addresses, see {@link #unnamedBinary}).
     */
    public static Map<String, Long> unnamedWeights(FoldedProfile profile) {
        Map<String, Long> by = new HashMap<>();
        UnnamedScan scan = new UnnamedScan();
        for (int s = 0; s < profile.size(); s++) {
            String bin = scan.binaryOf(profile.stack(s));
            if (bin != null) {
                by.merge(bin, profile.count(s), Long::sum);
            }
        }
        return by;
    }

    /**
     * Finds the binary a stack's unnamed share is charged to ({@link #unnamedAt}), remembering what each
     * frame is; a frame that cannot be unnamed (its first character is neither {@code [} nor a hex digit)
     * is passed over without a String.
     */
    private static final class UnnamedScan {
        private static final String NAMED = new String("");
        private final Map<String, String> bins = new HashMap<>();
        private final Map<String, Boolean> nowheres = new HashMap<>();
        private int[] from = new int[64];
        private int[] to = new int[64];
        private String[] of = new String[64];
        /** The stack being scanned, as bytes ({@link #binaryOf(String)}). */
        private byte[] raw = new byte[256];
        /** The stack scanned before, its length, and whether its every frame was surely named. */
        private byte[] prev = new byte[256];
        private int prevLen;
        private boolean prevNamed;

        /**
         * Whether every frame of the raw stack b[off, end) has a name without a doubt ({@link FrameNames#surelyNamed}):
         * then the stack counts as named, found in one pass with nothing made (most stacks of a named
         * recording, every stack of a million-stack viewer's input).
         */
        private static boolean surelyNamedStack(byte[] b, int off, int end) {
            int start = off;
            while (true) {
                int semi = Bytes.indexOf(b, start, end, (byte) ';');
                int stop = semi < 0 ? end : semi;
                if (!FrameNames.surelyNamed(b, start, stop)) {
                    return false;
                }
                if (semi < 0) {
                    return true;
                }
                start = semi + 1;
            }
        }

        /**
         * Where the first frame of b[off, end) starts that is not also a whole frame of the stack before,
         * when that one was surely named ({@link #surelyNamedStack}); else off. Stacks come in byte order
         * and share most of their frames with the one before: those frames need no second look.
         */
        private int afterSharedFrames(byte[] b, int off, int end) {
            if (!prevNamed) {
                return off;
            }
            int lcp = Arrays.mismatch(prev, 0, prevLen, b, off, end);
            if (lcp < 0) {
                return end; // the same stack
            }
            // the frames that end at a ';' both stacks share are the same frames
            for (int i = off + lcp - 1; i >= off; i--) {
                if (b[i] == ';') {
                    return i + 1;
                }
            }
            return off;
        }

        /** {@link #binaryOf(byte[], int, int)} of a raw stack (one char per byte). */
        String binaryOf(String stack) {
            raw = Bytes.rawBytes(stack, raw);
            return binaryOf(raw, 0, stack.length());
        }

        /**
         * The binary of the charged unnamed frame of the raw stack b[off, end), or null when the stack
         * counts as named. The frames are read in place: only a frame that may be unnamed becomes a String.
         */
        String binaryOf(byte[] b, int off, int end) {
            boolean named = surelyNamedStack(b, afterSharedFrames(b, off, end), end);
            int len = end - off;
            if (b == raw && off == 0) {
                // the stack is in this scan's own buffer (binaryOf(String)): it becomes the one before as it is
                raw = prev;
                prev = b;
            } else {
                if (prev.length < len) {
                    prev = new byte[Math.max(len, prev.length * 2)];
                }
                System.arraycopy(b, off, prev, 0, len);
            }
            prevLen = len;
            prevNamed = named;
            if (named) {
                return null;
            }
            int k = 0;
            int start = off;
            while (true) {
                int semi = Bytes.indexOf(b, start, end, (byte) ';');
                int stop = semi < 0 ? end : semi;
                if (k == from.length) {
                    from = Arrays.copyOf(from, k * 2);
                    to = Arrays.copyOf(to, k * 2);
                    of = Arrays.copyOf(of, k * 2);
                }
                from[k] = start;
                to[k] = stop;
                of[k] = null;
                k++;
                if (semi < 0) {
                    break;
                }
                start = semi + 1;
            }
            String[] frames = new String[k];
            int at = unnamedAt(k, i -> {
                if (of[i] == null) {
                    if (FrameNames.surelyNamed(b, from[i], to[i])) {
                        of[i] = NAMED;
                    } else {
                        String f = new String(b, from[i], to[i] - from[i], StandardCharsets.ISO_8859_1);
                        frames[i] = f;
                        of[i] = bins.computeIfAbsent(f, x -> {
                            String u = unnamedBinary(FoldedProfile.decode(x));
                            return u == null ? NAMED : u;
                        });
                    }
                }
                return of[i] == NAMED ? null : of[i];
            }, i -> nowheres.computeIfAbsent(frames[i], x -> nowhere(FoldedProfile.decode(x))));
            return at < 0 ? null : of[at];
        }
    }

    /**
     * The frame a sample's unnamed share is charged to: its leaf-most unnamed frame, or -1 when the
     * sample counts as named. An {@code [unknown]} frame ({@code nowhere}: perf placed its address in
     * no binary) counts only when no named frame lies leaf-ward of it. Go stacks unwound by frame
     * pointers end, below {@code runtime.goexit} or {@code runtime.mcall}, in such a frame (the walk
     * runs past the goroutine's or the thread's start), and a stack switch leaves one between named
     * frames; they are no frame of the user binary, so a named recording is not called unnamed for
     * them. A leaf {@code [unknown]} (the sample's own code has no name) still counts, and so do
     * frames perf placed in a binary ({@code [etcd]}, raw addresses) wherever they are.
     *
     * <p>Limit: without {@code _[k]} annotations kernel frames look named, so a stack whose every
     * user frame is {@code [unknown]} under a named kernel leaf counts as named.
     *
     * @param n       the number of frames, root first
     * @param binary  the binary of frame i when it is unnamed ({@link #unnamedBinary}), else null
     * @param nowhere whether frame i is {@code [unknown]}
     */
    static int unnamedAt(int n, java.util.function.IntFunction<String> binary, java.util.function.IntPredicate nowhere) {
        boolean namedLeafward = false;
        for (int i = n - 1; i >= 0; i--) {
            if (binary.apply(i) == null) {
                namedLeafward = true;
            } else if (!namedLeafward || !nowhere.test(i)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether a frame is {@code [unknown]} (an {@code _[k]}-style annotation aside): perf placed it in no binary. */
    static boolean nowhere(String frame) {
        return withoutAnnotation(frame).equals("[unknown]");
    }

    /** A frame without its {@code _[k]}, {@code _[j]}, {@code _[i]} or {@code _[w]} annotation. */
    private static String withoutAnnotation(String f) {
        return f.endsWith("_[k]") || f.endsWith("_[j]") || f.endsWith("_[i]") || f.endsWith("_[w]")
                ? f.substring(0, f.length() - 4) : f;
    }

    /**
     * The binary an unnamed frame belongs to, or null when the frame has a name. Unnamed are what perf
     * and pprof print when they have no symbol: a module in brackets ({@code [kube-apiserver]},
     * {@code [kernel.kallsyms]}, {@code [vdso]}, with {@code --addrs} {@code [kube-apiserver <4a3f2c>]}),
     * {@code [unknown]}, and a raw address ({@code 0x4ed063}, {@code 4ed063}); an {@code _[k]} or
     * {@code _[j]} annotation is ignored. {@code [unknown]} and addresses have no binary: "unknown".
     */
    static String unnamedBinary(String frame) {
        String f = withoutAnnotation(frame);
        if (f.length() >= 2 && f.charAt(0) == '[' && f.charAt(f.length() - 1) == ']' && f.indexOf(']') == f.length() - 1) {
            String inner = f.substring(1, f.length() - 1).trim();
            int sp = inner.indexOf(' ');
            if (sp > 0) {
                inner = inner.substring(0, sp); // [module <addr>]
            }
            int slash = inner.lastIndexOf('/');
            inner = inner.substring(slash + 1);
            return inner.isEmpty() || inner.equals("unknown") ? "unknown" : inner;
        }
        boolean prefixed = f.startsWith("0x") || f.startsWith("0X");
        String hex = prefixed ? f.substring(2) : f;
        if (hex.length() >= (prefixed ? 1 : 8)) {
            for (int i = 0; i < hex.length(); i++) {
                if (Character.digit(hex.charAt(i), 16) < 0) {
                    return null;
                }
            }
            return "unknown";
        }
        return null;
    }

    private static Map<String, Double> shares(Map<String, Long> weights, long total) {
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Long> e : top(weights, Integer.MAX_VALUE)) {
            m.put(e.getKey(), (double) e.getValue() / total);
        }
        return m;
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
     * What to analyze with: {@link #defaults()}, {@link #of(Rules)} or the constructor.
     *
     * @param rules the classification rules; default {@link Rules#kubeApiserver()}
     * @param top how many functions and paths each top list holds, at least 1; default 10
     */
    public record Options(Rules rules, int top) {
        public Options {
            Objects.requireNonNull(rules, "rules");
            if (top < 1) {
                throw new IllegalArgumentException("top must be at least 1, got " + top);
            }
        }

        /** The kube-apiserver rules, the top 10. */
        public static Options defaults() {
            return of(Rules.kubeApiserver());
        }

        /** These rules, the top 10. */
        public static Options of(Rules rules) {
            return new Options(rules, 10);
        }
    }
}
