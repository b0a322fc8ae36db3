package io.github.stackfold.flamegraph.internal;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.FrameSymbolizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns one stack line (address, symbol, module) into the frame names stackcollapse-perf.pl would
 * fold: offset stripped, {@code ->} inline chains split, {@code [unknown]} replaced by the module,
 * C++/Rust argument lists and quotes removed (Go methods kept), Java class descriptors shortened, and
 * the {@code _[i]}/{@code _[k]}/{@code _[j]} annotations. Works on raw strings; called once per distinct
 * stack line, so clarity wins over speed here.
 */
public final class FrameNamer {
    private final boolean kernel;
    private final boolean jit;
    private final boolean addrs;
    private final FrameSymbolizer symbolizer;

    public FrameNamer(CollapseOptions options) {
        this.kernel = options.kernel();
        this.jit = options.jit();
        this.addrs = options.addrs();
        this.symbolizer = options.symbolizer();
    }

    /** Whether the names of a line with this symbol can depend on its address. */
    public boolean needsAddress() {
        return addrs || symbolizer != null;
    }

    /**
     * The frames of one stack line, outermost first (all of them go, in this order, before the
     * frames of the lines printed above it).
     *
     * @param java whether the process name starts with {@code java} (Java names are shortened)
     */
    public List<String> names(String address, String symbol, String module, boolean java) {
        Parts parts = parts(address, symbol, module, java);
        if (parts.names().size() == 1) {
            return parts.names().get(0);
        }
        List<String> out = new ArrayList<>(parts.names().size());
        parts.names().forEach(out::addAll);
        return out;
    }

    /**
     * The frames of one stack line by the parts of its {@code a->b} chain (one part but for perf's
     * own inline chains; a part the symbolizer names has all its names), and how many leading parts
     * read a source line with {@code --srcline}: all of them up to the first {@code [unknown]} of an
     * unknown module.
     */
    public record Parts(List<List<String>> names, int srclineParts) {
    }

    /** {@link #names} grouped by part; see {@link Parts}. */
    public Parts parts(String address, String symbol, String module, boolean java) {
        List<List<String>> out = new ArrayList<>(1);
        String raw = stripOffset(symbol);
        if (raw.startsWith("(")) {
            return new Parts(out, 0); // a process name in parentheses, not a frame
        }
        int srclineParts = -1;
        for (String part : splitInline(raw)) {
            boolean inlined = !out.isEmpty(); // every part after the first of a -> chain was inlined
            if (part.equals("[unknown]")) {
                String[] named = symbolize(address, module);
                if (named != null) {
                    List<String> fs = new ArrayList<>(named.length);
                    for (int i = 0; i < named.length; i++) {
                        // like perf's a->b->c: the function itself plain, the calls inlined into it _[i]
                        String f = tidy(FoldedRaw.of(named[i]), java);
                        fs.add(i == 0 ? annotate(f, module, inlined) : markInlined(f));
                    }
                    out.add(fs);
                    continue;
                }
                boolean unknownModule = module.equals("[unknown]");
                if (unknownModule && srclineParts < 0) {
                    srclineParts = out.size();
                }
                String name = unknownModule ? "unknown" : module.substring(module.lastIndexOf('/') + 1);
                part = addrs ? "[" + name + " <" + address + ">]" : "[" + name + "]";
            }
            out.add(List.of(annotate(tidy(part, java), module, inlined)));
        }
        return new Parts(out, srclineParts < 0 ? out.size() : srclineParts);
    }

    private String[] symbolize(String address, String module) {
        if (symbolizer == null || module.equals("[unknown]")) {
            return null;
        }
        long pc;
        try {
            pc = Long.parseUnsignedLong(address, 16);
        } catch (NumberFormatException e) {
            return null;
        }
        String[] names = symbolizer.symbolize(module, pc);
        return names == null || names.length == 0 ? null : names;
    }

    /** Drops a final {@code +0x<lower-case hex>} offset. */
    static String stripOffset(String s) {
        int e = s.length();
        int h = e;
        while (h > 0 && isLowerHex(s.charAt(h - 1))) {
            h--;
        }
        if (h < e && h >= 3 && s.charAt(h - 1) == 'x' && s.charAt(h - 2) == '0' && s.charAt(h - 3) == '+') {
            return s.substring(0, h - 3);
        }
        return s;
    }

    private static boolean isLowerHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }

    /** Splits at {@code ->}; like Perl's split, trailing empty parts are dropped. */
    static List<String> splitInline(String s) {
        List<String> parts = new ArrayList<>(1);
        int start = 0;
        int i;
        while ((i = s.indexOf("->", start)) >= 0) {
            parts.add(s.substring(start, i));
            start = i + 2;
        }
        parts.add(s.substring(start));
        while (!parts.isEmpty() && parts.get(parts.size() - 1).isEmpty()) {
            parts.remove(parts.size() - 1);
        }
        return parts;
    }

    /** Generic and Java tidying of one name. */
    static String tidy(String f, boolean java) {
        f = f.replace(';', ':');
        if (!isGoMethod(f)) {
            int cut = argumentListStart(f);
            if (cut >= 0) {
                f = f.substring(0, cut);
            }
        }
        if (f.indexOf('"') >= 0 || f.indexOf('\'') >= 0) {
            StringBuilder sb = new StringBuilder(f.length());
            for (int i = 0; i < f.length(); i++) {
                char c = f.charAt(i);
                if (c != '"' && c != '\'') {
                    sb.append(c);
                }
            }
            f = sb.toString();
        }
        if (java && f.startsWith("L") && f.indexOf('/') >= 0) {
            f = f.substring(1);
        }
        return f;
    }

    /** Go methods such as {@code net/http.(*Client).Do} keep their parentheses. */
    static boolean isGoMethod(String f) {
        int open = f.indexOf(".(");
        return open >= 0 && f.lastIndexOf(").") >= open + 2;
    }

    /** The first {@code (} that does not start {@code (anonymous namespace)}, or -1. */
    static int argumentListStart(String f) {
        int i = -1;
        while ((i = f.indexOf('(', i + 1)) >= 0) {
            if (!f.startsWith("anonymous namespace)", i + 1)) {
                return i;
            }
        }
        return -1;
    }

    private String annotate(String f, String module, boolean inlined) {
        if (inlined) {
            return markInlined(f);
        }
        if (kernel && (module.startsWith("[") || module.endsWith("vmlinux")) && !module.contains("unknown")) {
            return f + "_[k]";
        }
        if (jit && isPerfMap(module)) {
            return f.contains("_[j]") ? f : f + "_[j]";
        }
        return f;
    }

    private static String markInlined(String f) {
        return f.contains("_[i]") ? f : f + "_[i]";
    }

    /** Whether the module contains {@code /tmp/perf-DIGITS.map}. */
    static boolean isPerfMap(String module) {
        int i = -1;
        while ((i = module.indexOf("/tmp/perf-", i + 1)) >= 0) {
            int j = i + "/tmp/perf-".length();
            int d = j;
            while (d < module.length() && module.charAt(d) >= '0' && module.charAt(d) <= '9') {
                d++;
            }
            if (d > j && module.startsWith(".map", d)) {
                return true;
            }
        }
        return false;
    }

    /** Java text returned by a symbolizer, as a raw string. */
    private static final class FoldedRaw {
        static String of(String text) {
            return io.github.stackfold.flamegraph.folded.FoldedProfile.encode(text);
        }
    }
}
