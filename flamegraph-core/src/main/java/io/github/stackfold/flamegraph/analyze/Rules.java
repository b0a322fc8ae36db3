package io.github.stackfold.flamegraph.analyze;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How frames are classified: CPU categories, handler-chain wrappers and API-call frames, read from a
 * JSON or YAML rule file. The built-in files ({@link #builtIn}) are resources beside this class:
 * {@code kube-apiserver.json} (the default), {@code etcd.json} and {@code jvm.json}; copy one to
 * start your own. A file looks like this (every key but {@code categories} may be left out):
 *
 * <pre>
 * {
 *   "name": "kube-apiserver",
 *   "stripVendor": true,
 *   "wrappers": ["k8s.io/apiserver/pkg/endpoints/filters.", "net/http.HandlerFunc.ServeHTTP"],
 *   "categories": [
 *     {"name": "authentication", "prefixes": ["k8s.io/apiserver/pkg/authentication/"]},
 *     {"name": "authorization", "prefixes": ["k8s.io/apiserver/pkg/authorization/"]}
 *   ],
 *   "apiCalls": {
 *     "verbs": [{"name": "list", "prefixes": ["k8s.io/apiserver/pkg/endpoints.restfulListResource"]}],
 *     "resources": ["^k8s\\.io/api/(?&lt;group&gt;[a-z0-9]+)/(?&lt;version&gt;v[0-9a-z]+)\\.\\(\\*(?&lt;kind&gt;[A-Z]\\w*)\\)"]
 *   }
 * }
 * </pre>
 *
 * <p>Semantics, applied to every frame of a stack from the root to the leaf:
 * <ul>
 *   <li>{@code stripVendor} (default true): a name first loses everything up to and including its
 *       last {@code /vendor/}, so {@code k8s.io/kubernetes/vendor/k8s.io/apiserver/...} is
 *       {@code k8s.io/apiserver/...}. Every name the analysis shows is stripped the same way.</li>
 *   <li>{@code rewrites}: a list of {@code {"pattern", "replacement"}} (Java regular expressions,
 *       {@code $1} for a group) applied to every name after that, in order; the JVM rules use one
 *       to drop the return type a perf map puts before a Java method
 *       ({@code void java.util.HashMap.merge} becomes {@code java.util.HashMap.merge}).</li>
 *   <li>{@code wrappers}: name prefixes of frames that hand the request to the rest of a handler
 *       chain (kube-apiserver's filters such as {@code withAuthentication} and
 *       {@code WithAuthorization}, the HTTP server's dispatch). Such a frame is never a category's
 *       frame, and the categories of the frames above it stop counting for that sample: what runs
 *       below {@code WithAuthorization.func1} is authorization only where an authorizer frame
 *       sits below it, and the rest of the chain that flow control's {@code Handle} runs is not
 *       flow control.</li>
 *   <li>{@code categories}: the first category, in file order, with a prefix of the name classifies
 *       the frame. Prefixes are plain text, not patterns.</li>
 *   <li>{@code apiCalls.verbs}: the leaf-most frame matching a verb's prefix names the API verb of a
 *       sample; {@code apiCalls.resources}: Java regular expressions, tried in order on each frame
 *       below the verb frame; the root-most frame that matches names the resource from the named
 *       groups {@code group}, {@code version}, {@code kind} (a trailing {@code List} is dropped)
 *       or {@code resource}.</li>
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Rules {
    /** The names of the built-in rule sets, the default first. */
    public static final List<String> BUILT_IN = List.of("kube-apiserver", "etcd", "jvm");

    private static final Set<String> TOP_KEYS = Set.of("name", "description", "stripVendor", "rewrites", "wrappers",
            "categories", "apiCalls");

    private final String name;
    private final boolean stripVendor;
    private final List<Rewrite> rewrites;
    private final List<String> wrappers;
    private final List<Category> categories;
    private final List<Category> verbs;
    private final List<Pattern> resources;
    // the same prefixes as raw strings (one char per byte), which is what folded stacks hold
    private final String[] rawWrappers;
    private final String[][] rawCategoryPrefixes;
    private final String[][] rawVerbPrefixes;

    private Rules(String name, boolean stripVendor, List<Rewrite> rewrites, List<String> wrappers,
            List<Category> categories, List<Category> verbs, List<Pattern> resources) {
        this.name = name;
        this.stripVendor = stripVendor;
        this.rewrites = List.copyOf(rewrites);
        this.wrappers = List.copyOf(wrappers);
        this.categories = List.copyOf(categories);
        this.verbs = List.copyOf(verbs);
        this.resources = List.copyOf(resources);
        this.rawWrappers = raw(wrappers);
        this.rawCategoryPrefixes = categories.stream().map(c -> raw(c.prefixes())).toArray(String[][]::new);
        this.rawVerbPrefixes = verbs.stream().map(c -> raw(c.prefixes())).toArray(String[][]::new);
    }

    /** A rule set made in code (no API-call rules unless given). */
    public static Rules of(String name, boolean stripVendor, List<String> wrappers, List<Category> categories,
            List<Category> verbs, List<String> resourcePatterns) {
        List<Pattern> ps = new ArrayList<>();
        for (String p : resourcePatterns) {
            ps.add(Pattern.compile(p));
        }
        return new Rules(name, stripVendor, List.of(), wrappers, categories, verbs, ps);
    }

    /** The default rules: kube-apiserver's categories. */
    public static Rules kubeApiserver() {
        return builtIn("kube-apiserver");
    }

    /**
     * The built-in rules for a program, by its name (a process's command or executable name, a pprof
     * profile's main binary): etcd's for {@code etcd} (its own storage is not the apiserver's
     * etcd3-storage category), kube-apiserver's for anything else.
     */
    public static Rules forProgram(String program) {
        return "etcd".equals(program) ? builtIn("etcd") : kubeApiserver();
    }

    /**
     * The program a profile is of, when its stacks say so: the root frame holding more than half of the
     * weight when that frame is a command name as perf's collapsed stacks start with ({@code etcd},
     * {@code kube-apiserver}: no {@code .}, {@code (}, {@code /} or blank); empty otherwise.
     */
    public static String programOf(io.github.stackfold.flamegraph.folded.FoldedProfile profile) {
        java.util.Map<String, Long> roots = new java.util.HashMap<>();
        for (int i = 0; i < profile.size(); i++) {
            String stack = profile.stack(i);
            int semi = stack.indexOf(';');
            roots.merge(semi < 0 ? stack : stack.substring(0, semi), profile.count(i), Long::sum);
        }
        for (java.util.Map.Entry<String, Long> e : roots.entrySet()) {
            String r = e.getKey();
            if (e.getValue() * 2 > profile.total() && !r.isEmpty() && r.matches("[A-Za-z0-9_+-]+") && !r.equals("all")) {
                return io.github.stackfold.flamegraph.folded.FoldedProfile.decode(r);
            }
        }
        return "";
    }

    /** A built-in rule set by name, one of {@link #BUILT_IN}. */
    public static Rules builtIn(String name) {
        if (!BUILT_IN.contains(name)) {
            throw new IllegalArgumentException("no built-in rules named " + name + "; there are " + BUILT_IN);
        }
        String resource = name + ".json";
        try (InputStream in = Rules.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the jar");
            }
            return read(in, resource, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of a built-in rule file, to show or to copy. */
    public static String builtInText(String name) {
        if (!BUILT_IN.contains(name)) {
            throw new IllegalArgumentException("no built-in rules named " + name + "; there are " + BUILT_IN);
        }
        try (InputStream in = Rules.class.getResourceAsStream(name + ".json")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a rule file: YAML when the name ends in {@code .yaml} or {@code .yml}, else JSON.
     *
     * @throws BadInputException naming the file and line when it is not a valid rule file
     */
    public static Rules read(Path file) throws IOException {
        String n = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        boolean yaml = n.endsWith(".yaml") || n.endsWith(".yml");
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), yaml);
        }
    }

    /**
     * Reads rules from a stream, JSON or (when {@code yaml}) YAML.
     *
     * @throws BadInputException naming {@code source} and the line when it is not a valid rule file
     */
    public static Rules read(InputStream in, String source, boolean yaml) throws IOException {
        ObjectMapper mapper = yaml ? new ObjectMapper(new YAMLFactory()) : new ObjectMapper();
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        JsonNode root;
        try {
            root = mapper.readTree(in);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            long line = loc == null ? 0 : Math.max(0, loc.getLineNr());
            throw new BadInputException(source, line, -1, "expected a " + (yaml ? "YAML" : "JSON")
                    + " rule file: " + e.getOriginalMessage());
        }
        return fromTree(root, source);
    }

    private static Rules fromTree(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw bad(source, "expected an object with a 'categories' list");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!TOP_KEYS.contains(k)) {
                throw bad(source, "unknown key '" + k + "'; expected one of " + new java.util.TreeSet<>(TOP_KEYS));
            }
        }
        String name = root.path("name").asText(source);
        JsonNode sv = root.get("stripVendor");
        if (sv != null && !sv.isBoolean()) {
            throw bad(source, "'stripVendor' must be true or false");
        }
        boolean stripVendor = sv == null || sv.booleanValue();
        List<String> wrappers = strings(root.get("wrappers"), source, "wrappers");
        List<Rewrite> rewrites = rewrites(root.get("rewrites"), source);
        JsonNode cats = root.get("categories");
        if (cats == null) {
            throw bad(source, "expected a 'categories' list");
        }
        List<Category> categories = namedPrefixes(cats, source, "categories");
        List<Category> verbs = List.of();
        List<Pattern> resources = List.of();
        JsonNode api = root.get("apiCalls");
        if (api != null) {
            if (!api.isObject()) {
                throw bad(source, "'apiCalls' must be an object with 'verbs' and 'resources'");
            }
            for (Iterator<String> it = api.fieldNames(); it.hasNext();) {
                String k = it.next();
                if (!k.equals("verbs") && !k.equals("resources")) {
                    throw bad(source, "unknown key 'apiCalls." + k + "'; expected 'verbs' or 'resources'");
                }
            }
            if (api.has("verbs")) {
                verbs = namedPrefixes(api.get("verbs"), source, "apiCalls.verbs");
            }
            List<Pattern> ps = new ArrayList<>();
            for (String p : strings(api.get("resources"), source, "apiCalls.resources")) {
                try {
                    ps.add(Pattern.compile(p));
                } catch (PatternSyntaxException e) {
                    throw bad(source, "'apiCalls.resources' holds a bad regular expression: " + e.getDescription()
                            + " in " + p);
                }
            }
            resources = ps;
        }
        return new Rules(name, stripVendor, rewrites, wrappers, categories, verbs, resources);
    }

    private static List<Rewrite> rewrites(JsonNode node, String source) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw bad(source, "'rewrites' must be a list of {pattern, replacement}");
        }
        List<Rewrite> out = new ArrayList<>();
        int i = 0;
        for (JsonNode r : node) {
            String where = "rewrites[" + i++ + "]";
            if (!r.isObject() || !r.path("pattern").isTextual()) {
                throw bad(source, "'" + where + "' must be an object with a 'pattern' and a 'replacement'");
            }
            for (Iterator<String> it = r.fieldNames(); it.hasNext();) {
                String k = it.next();
                if (!k.equals("pattern") && !k.equals("replacement") && !k.equals("description")) {
                    throw bad(source, "unknown key '" + k + "' in '" + where + "'; expected pattern, replacement");
                }
            }
            try {
                out.add(new Rewrite(Pattern.compile(r.get("pattern").asText()), r.path("replacement").asText("")));
            } catch (PatternSyntaxException e) {
                throw bad(source, "'" + where + "' holds a bad regular expression: " + e.getDescription());
            }
        }
        return out;
    }

    private static List<Category> namedPrefixes(JsonNode node, String source, String key) {
        if (!node.isArray()) {
            throw bad(source, "'" + key + "' must be a list of {name, prefixes}");
        }
        List<Category> out = new ArrayList<>();
        int i = 0;
        for (JsonNode c : node) {
            String where = key + "[" + i++ + "]";
            if (!c.isObject() || !c.path("name").isTextual() || c.path("name").asText().isEmpty()) {
                throw bad(source, "'" + where + "' must be an object with a 'name' and a 'prefixes' list");
            }
            for (Iterator<String> it = c.fieldNames(); it.hasNext();) {
                String k = it.next();
                if (!k.equals("name") && !k.equals("prefixes") && !k.equals("description")) {
                    throw bad(source, "unknown key '" + k + "' in '" + where + "'; expected name, prefixes");
                }
            }
            String name = c.get("name").asText();
            for (Category seen : out) {
                if (seen.name().equals(name)) {
                    throw bad(source, "'" + key + "' names '" + name + "' twice");
                }
            }
            out.add(new Category(name, strings(c.get("prefixes"), source, where + ".prefixes")));
        }
        return out;
    }

    private static List<String> strings(JsonNode node, String source, String key) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw bad(source, "'" + key + "' must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : node) {
            if (!s.isTextual() || s.asText().isEmpty()) {
                throw bad(source, "'" + key + "' must hold only non-empty strings");
            }
            out.add(s.asText());
        }
        return out;
    }

    private static BadInputException bad(String source, String what) {
        return new BadInputException(source, what);
    }

    private static String[] raw(List<String> texts) {
        return texts.stream().map(FoldedProfile::encode).toArray(String[]::new);
    }

    public String name() {
        return name;
    }

    public boolean stripVendor() {
        return stripVendor;
    }

    public List<String> wrappers() {
        return wrappers;
    }

    public List<Category> categories() {
        return categories;
    }

    /** The API verbs and the prefixes of their frames. */
    public List<Category> verbs() {
        return verbs;
    }

    /** The patterns naming a resource from a frame. */
    public List<Pattern> resources() {
        return resources;
    }

    /** Index of the category named so, or -1. */
    public int indexOf(String category) {
        for (int i = 0; i < categories.size(); i++) {
            if (categories.get(i).name().equals(category)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A raw frame name as the rules see and show it: its vendor prefix removed when
     * {@link #stripVendor()} says so, then every {@link #rewrites() rewrite} applied in order.
     */
    public String normalize(String rawFrame) {
        String name = rawFrame;
        if (stripVendor) {
            int k = name.lastIndexOf("/vendor/");
            if (k >= 0) {
                name = name.substring(k + "/vendor/".length());
            }
        }
        for (Rewrite r : rewrites) {
            name = r.pattern().matcher(name).replaceAll(r.replacement());
        }
        return name;
    }

    /** The regular-expression rewrites of frame names, applied after vendor stripping. */
    public List<Rewrite> rewrites() {
        return rewrites;
    }

    /** {@link #WRAPPER}, a category index, or {@link #NONE} for a normalized raw frame name. */
    public int classify(String normalizedFrame) {
        for (String w : rawWrappers) {
            if (normalizedFrame.startsWith(w)) {
                return WRAPPER;
            }
        }
        return firstMatch(rawCategoryPrefixes, normalizedFrame);
    }

    /** A verb index or {@link #NONE} for a normalized raw frame name. */
    public int verbOf(String normalizedFrame) {
        return firstMatch(rawVerbPrefixes, normalizedFrame);
    }

    /** The resource a normalized raw frame name shows, or null. */
    public String resourceOf(String normalizedFrame) {
        if (resources.isEmpty()) {
            return null;
        }
        String text = FoldedProfile.decode(normalizedFrame);
        for (Pattern p : resources) {
            Matcher m = p.matcher(text);
            if (m.find()) {
                return resourceName(m);
            }
        }
        return null;
    }

    private static String resourceName(Matcher m) {
        String resource = group(m, "resource");
        String kind = group(m, "kind");
        if (kind != null && kind.length() > 4 && kind.endsWith("List")) {
            kind = kind.substring(0, kind.length() - 4);
        }
        String what = kind != null ? kind : resource != null ? resource : m.group();
        String group = group(m, "group");
        String version = group(m, "version");
        StringBuilder sb = new StringBuilder();
        if (group != null) {
            sb.append(group);
        }
        if (version != null) {
            sb.append(sb.length() > 0 ? "/" : "").append(version);
        }
        if (sb.length() > 0) {
            sb.append('.');
        }
        return sb.append(what).toString();
    }

    /** A named group's text, or null when the pattern has no such group (Java 17 cannot list them). */
    private static String group(Matcher m, String name) {
        try {
            return m.group(name);
        } catch (IllegalArgumentException absent) {
            return null;
        }
    }

    private static int firstMatch(String[][] prefixes, String name) {
        for (int i = 0; i < prefixes.length; i++) {
            for (String p : prefixes[i]) {
                if (name.startsWith(p)) {
                    return i;
                }
            }
        }
        return NONE;
    }

    /** {@link #classify}: the frame matches no rule. */
    public static final int NONE = -1;
    /** {@link #classify}: the frame is a handler-chain wrapper. */
    public static final int WRAPPER = -2;

    @Override
    public String toString() {
        return "Rules[" + name + ", " + categories.size() + " categories]";
    }

    /** A rewrite of frame names: every match of the pattern is replaced ({@code $1} names a group). */
    public record Rewrite(Pattern pattern, String replacement) {
    }

    /** A named list of frame-name prefixes: a CPU category or an API verb. */
    public record Category(String name, List<String> prefixes) {
        public Category {
            Objects.requireNonNull(name, "name");
            prefixes = Collections.unmodifiableList(new ArrayList<>(prefixes));
        }
    }
}
