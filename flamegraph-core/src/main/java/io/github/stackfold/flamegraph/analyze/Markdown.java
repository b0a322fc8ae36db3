package io.github.stackfold.flamegraph.analyze;

/**
 * Names from a profile (frames, process names, file paths) made safe to put into markdown and into
 * one-line text. A process name may hold any byte but NUL ({@code prctl(PR_SET_NAME)}), a frame any
 * character but a line break: {@code <} would open raw HTML, {@code |} end a table cell, a backtick
 * end a code span, a line break end a table row or a list item.
 *
 * <ul>
 * <li>{@link #line}: control characters shown as {@code \n}, {@code \r}, {@code \t}, {@code \xNN}, so
 *   that one name stays on one line (summaries, messages);
 * <li>{@link #text}: running markdown text, also a table cell: {@link #line}, and a backslash before
 *   {@code \ ` * < [ ] | &};
 * <li>{@link #code}: a code span around the name as it is (a fence longer than any run of backticks
 *   in it), control characters as in {@link #line}; {@link #codeCell} the same inside a table, where
 *   {@code |} is escaped even in a code span.
 * </ul>
 */
public final class Markdown {
    private Markdown() {
    }

    /** {@code s} with control characters (and DEL) made visible: {@code \n}, {@code \r}, {@code \t}, {@code \x1b}. */
    public static String line(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String v = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                    : c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029'
                    ? String.format(java.util.Locale.ROOT, "\\x%02x", (int) c) : null;
            if (v != null && sb == null) {
                sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (sb != null) {
                if (v != null) {
                    sb.append(v);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** {@code s} as running markdown text or a table cell: no markup of its own, one line. */
    public static String text(String s) {
        String l = line(s);
        StringBuilder sb = new StringBuilder(l.length() + 8);
        for (int i = 0; i < l.length(); i++) {
            char c = l.charAt(i);
            if ("\\`*<[]|&".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** {@code s} as a code span: shown as it is, whatever backticks it holds; one line. */
    public static String code(String s) {
        String l = line(s);
        if (l.isEmpty()) {
            return "` `"; // an empty span would read as two backticks
        }
        int longest = 0;
        int run = 0;
        for (int i = 0; i < l.length(); i++) {
            run = l.charAt(i) == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(longest + 1);
        // a space on each side when the name starts or ends with a backtick (stripped when shown)
        boolean pad = l.startsWith("`") || l.endsWith("`") || (!l.isBlank() && l.startsWith(" ") && l.endsWith(" "));
        return fence + (pad ? " " : "") + l + (pad ? " " : "") + fence;
    }

    /** {@link #code} in a table cell: {@code |} escaped as well (GFM ends a cell at it even in code). */
    public static String codeCell(String s) {
        return code(s).replace("|", "\\|");
    }
}
