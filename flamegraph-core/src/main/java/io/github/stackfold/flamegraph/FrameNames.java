package io.github.stackfold.flamegraph;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Short, readable forms of frame names, as pprof shows Go and Java functions: the import path or the
 * Java package is dropped, the package name, type and method stay.
 *
 * <table>
 * <caption>What {@link #shorten} does</caption>
 * <tr><th>full name</th><th>short name</th></tr>
 * <tr><td>{@code k8s.io/apiserver/pkg/endpoints/filters.WithAuthentication.func1}</td>
 *     <td>{@code filters.WithAuthentication.func1}</td></tr>
 * <tr><td>{@code net/http.(*conn).serve}</td><td>{@code http.(*conn).serve}</td></tr>
 * <tr><td>{@code github.com/emicklei/go-restful/v3.(*Container).dispatch}</td>
 *     <td>{@code go-restful/v3.(*Container).dispatch} (a major-version element keeps the one before it)</td></tr>
 * <tr><td>{@code org.apache.kafka.clients.NetworkClient.poll}</td><td>{@code NetworkClient.poll}</td></tr>
 * <tr><td>{@code io/netty/channel/nio/NioEventLoop:.run}</td><td>{@code NioEventLoop:.run}</td></tr>
 * <tr><td>{@code runtime.mallocgc}, {@code strings.Builder.WriteString}, {@code tcp_sendmsg},
 *     {@code std::vector<int>::push_back}, {@code [unknown]}, {@code /usr/bin/foo}</td><td>unchanged</td></tr>
 * </table>
 *
 * <p>A Java name is shortened only with at least two lower-case package parts before an upper-case
 * class ({@code java.lang.Thread.run}), so that a Go name such as {@code strings.Builder.WriteString}
 * never is. {@link #labelForms} gives the shorter forms a label may fall back to in a narrow frame
 * ({@code WithAuthentication.func1}, then nothing shorter: a bare {@code func1} says nothing).
 *
 * <p>{@link Style#AUTO}, the default of flame graphs, means short names when the frames are Go:
 * when at least a fifth of the distinct names are Go symbols with an import path
 * ({@link #isGoSymbolWithPath}). The real kube-apiserver CPU profile has 453 of 594; none of the
 * flamegraph.pl conformance inputs (C, kernel, Java, JavaScript) has one, so their graphs are unchanged.
 *
 * <p>Names are text; these functions never fail and keep everything they do not recognise.
 */
public final class FrameNames {
    private FrameNames() {
    }

    /** Which names a flame graph's labels show; tooltips, search and JSON always keep the full name. */
    public enum Style {
        /** Short names when the frames are Go ({@link FrameNames#mostlyGo}), else full ones. */
        AUTO,
        /** Short names ({@link FrameNames#shorten}) and shorter fallbacks in narrow frames. */
        SHORT,
        /** The names as they are, as flamegraph.pl shows them. */
        FULL;

        /** {@code auto}, {@code short} or {@code full}, in any case. */
        public static Style of(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown name style '" + s + "' (expected short, full or auto)");
            }
        }
    }

    /** The share of distinct names that must be Go symbols with an import path for {@link Style#AUTO}. */
    public static final double GO_SHARE = 0.2;

    /** The short form of a name (see the class comment); the name itself when not recognised. */
    public static String shorten(String name) {
        int cut = shortStart(name);
        return cut == 0 ? name : name.substring(cut);
    }

    /**
     * The label forms of a name, longest first: its short form, then the forms that drop the leading
     * qualifiers one at a time ({@code http.HandlerFunc.ServeHTTP}, {@code HandlerFunc.ServeHTTP},
     * {@code ServeHTTP}), never ending with a bare closure name ({@code func1}, {@code gowrap2},
     * {@code 3}). A name that is not a qualified symbol has one form, itself.
     */
    public static List<String> labelForms(String name) {
        String s = shorten(name);
        List<String> out = new ArrayList<>(4);
        out.add(s);
        if (!isQualified(s)) {
            return out;
        }
        List<Integer> starts = componentStarts(s);
        // the last component a form may start at: the last one that is not a closure name
        int last = -1;
        for (int i = starts.size() - 1; i >= 0; i--) {
            int from = starts.get(i);
            int to = i + 1 < starts.size() ? starts.get(i + 1) - 1 : s.length();
            if (!isClosureName(s, from, to)) {
                last = i;
                break;
            }
        }
        for (int i = 1; i <= last; i++) {
            out.add(s.substring(starts.get(i)));
        }
        return out;
    }

    /**
     * Whether a name is a Go symbol with an import path: a path of plain elements, a {@code /}, a
     * lower-case package name and a dot ({@code k8s.io/apiserver/pkg/server.(*APIServerHandler).ServeHTTP},
     * {@code net/http.HandlerFunc.ServeHTTP}). Java's {@code io/netty/channel/nio/NioEventLoop:.run} is not.
     */
    public static boolean isGoSymbolWithPath(String name) {
        int slash = pathEnd(name);
        if (slash <= 0) {
            return false;
        }
        int p = slash + 1;
        int n = name.length();
        int i = p;
        while (i < n) {
            char c = name.charAt(i);
            if (c == '.') {
                break;
            }
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (c == '-' && i > p))) {
                return false;
            }
            i++;
        }
        return i > p && i < n - 1;
    }

    /**
     * Whether at least {@link #GO_SHARE} of the distinct names are Go symbols with an import path.
     * Trailing annotations ({@code _[k]} ...) do not matter; an empty list is not Go.
     */
    public static boolean mostlyGo(Iterable<String> distinctNames) {
        int all = 0;
        int go = 0;
        for (String n : distinctNames) {
            all++;
            if (isGoSymbolWithPath(n)) {
                go++;
            }
        }
        return all > 0 && go >= GO_SHARE * all;
    }

    /**
     * How reports for people show function names: {@link #shorten} when the names are mostly Go
     * ({@link #mostlyGo}), else as they are. Applied to each name, and to each frame of a stack
     * joined by {@code ;}. JSON output keeps the full names.
     */
    public static UnaryOperator<String> forReports(Collection<String> distinctNames) {
        if (!mostlyGo(distinctNames)) {
            return UnaryOperator.identity();
        }
        return s -> {
            if (s.indexOf(';') < 0) {
                return shorten(s);
            }
            StringBuilder b = new StringBuilder(s.length());
            for (String f : s.split(";", -1)) {
                b.append(b.length() == 0 ? "" : ";").append(shorten(f));
            }
            return b.toString();
        };
    }

    // ---------------------------------------------------------------------------------------------

    /** Where a name's qualifiers end: the first {@code ( [ < {}, blank or {@code ::}, or its length. */
    private static int qualifierEnd(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '<' || c == '{' || c == ' ' || c == '\t'
                    || (c == ':' && i + 1 < n && s.charAt(i + 1) == ':')) {
                return i;
            }
        }
        return n;
    }

    /**
     * The last {@code /} of a name's import path, when everything before it is plain path text
     * (letters, digits, {@code . _ - ~ + /}, not starting with {@code /}) and a dotted name follows; else -1.
     */
    private static int pathEnd(String s) {
        int stop = qualifierEnd(s);
        int slash = s.lastIndexOf('/', stop - 1);
        if (slash <= 0 || s.charAt(0) == '/') {
            return -1;
        }
        for (int i = 0; i < slash; i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-' || c == '~' || c == '+' || c == '/')) {
                return -1;
            }
        }
        int dot = s.indexOf('.', slash + 1);
        return dot > slash + 1 && dot < stop ? slash : -1;
    }

    /** Where the short form of a name starts (0: the name as it is). */
    private static int shortStart(String s) {
        int slash = pathEnd(s);
        if (slash > 0) {
            int start = slash + 1;
            // a major-version element (v2, v3 ...) alone says little: keep the element before it
            if (isMajorVersion(s, start)) {
                int prev = s.lastIndexOf('/', slash - 1);
                start = prev + 1;
            }
            return start;
        }
        return javaPackageEnd(s);
    }

    private static boolean isMajorVersion(String s, int from) {
        int dot = s.indexOf('.', from);
        if (dot < from + 2 || s.charAt(from) != 'v') {
            return false;
        }
        for (int i = from + 1; i < dot; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Java's {@code org.foo.bar.Baz.method}: the start of {@code Baz} when at least two lower-case
     * package parts precede an upper-case class that a member follows; else 0.
     */
    private static int javaPackageEnd(String s) {
        int stop = qualifierEnd(s);
        int parts = 0;
        int p = 0;
        while (p < stop) {
            int dot = s.indexOf('.', p);
            if (dot < 0 || dot >= stop) {
                return 0;
            }
            char first = s.charAt(p);
            if (first >= 'A' && first <= 'Z') {
                return parts >= 2 ? p : 0;
            }
            if (!(first >= 'a' && first <= 'z')) {
                return 0;
            }
            for (int i = p + 1; i < dot; i++) {
                char c = s.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                    return 0;
                }
            }
            parts++;
            p = dot + 1;
        }
        return 0;
    }

    /**
     * Whether a (short) name is a dotted symbol whose leading parts may be dropped: it starts with a
     * letter, digit or {@code _}, has a dot outside brackets, and no blank or {@code ::} outside them.
     */
    private static boolean isQualified(String s) {
        if (s.isEmpty() || !(Character.isLetterOrDigit(s.charAt(0)) || s.charAt(0) == '_')) {
            return false;
        }
        int depth = 0;
        boolean dot = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            depth = depthAfter(c, depth);
            if (depth == 0) {
                if (c == ' ' || c == '\t' || c == '<' || (c == ':' && i + 1 < s.length() && s.charAt(i + 1) == ':')) {
                    return false;
                }
                if (c == '.' && i > 0 && i + 1 < s.length()) {
                    dot = true;
                }
            }
        }
        return dot;
    }

    /** The bracket depth after {@code c}: {@code (} and {@code [} open one, {@code )} and {@code ]} close an open one. */
    private static int depthAfter(char c, int depth) {
        if (c == '(' || c == '[') {
            return depth + 1;
        }
        return (c == ')' || c == ']') && depth > 0 ? depth - 1 : depth;
    }

    /**
     * Whether the raw frame name b[from, to) (one char per byte, as folded stacks are kept) is a name
     * without a doubt, for the verdict on unnamed frames ({@code Analyzer.unnamedBinary} would say
     * null): it does not start with {@code [}, and it is no address ({@code 0x} and hex digits, or
     * eight hex digits and more), an {@code _[k]}-style annotation aside. Made without a String; a
     * frame it doubts may still be a name ({@code [unknown]} leaf-ward of named frames is not charged).
     */
    public static boolean surelyNamed(byte[] b, int from, int to) {
        if (from == to) {
            return true;
        }
        if (b[from] == '[') {
            return false;
        }
        int end = to;
        if (end - from >= 4 && b[end - 1] == ']' && b[end - 3] == '[' && b[end - 4] == '_'
                && (b[end - 2] == 'k' || b[end - 2] == 'j' || b[end - 2] == 'i' || b[end - 2] == 'w')) {
            end -= 4;
        }
        int start = from;
        boolean prefixed = end - start >= 2 && b[start] == '0' && (b[start + 1] | 0x20) == 'x';
        if (prefixed) {
            start += 2;
        }
        if (end - start < (prefixed ? 1 : 8)) {
            return true;
        }
        for (int i = start; i < end; i++) {
            int c = b[i] | 0x20; // folds A-F onto a-f; no other byte becomes a hex digit
            if (!(b[i] >= '0' && b[i] <= '9' || c >= 'a' && c <= 'f')) {
                return true;
            }
        }
        return false;
    }

    /** The start of each dot-separated component, dots inside {@code ()} and {@code []} not counted. */
    private static List<Integer> componentStarts(String s) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            depth = depthAfter(c, depth);
            if (c == '.' && depth == 0 && i + 1 < s.length() && s.charAt(i + 1) != '.') {
                starts.add(i + 1);
            }
        }
        return starts;
    }

    /** Go's names of closures and wrappers: {@code funcN}, {@code gowrapN}, {@code deferwrapN}, {@code N}. */
    private static boolean isClosureName(String s, int from, int to) {
        int d = to;
        while (d > from && Character.isDigit(s.charAt(d - 1))) {
            d--;
        }
        if (d == to) {
            return false;
        }
        String word = s.substring(from, d);
        return word.isEmpty() || word.equals("func") || word.equals("gowrap") || word.equals("deferwrap");
    }
}
