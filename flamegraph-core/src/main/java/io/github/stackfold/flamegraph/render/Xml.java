package io.github.stackfold.flamegraph.render;

import io.github.stackfold.flamegraph.internal.Markup;

import java.nio.charset.CharsetEncoder;

/**
 * Escaping for the SVG: frame names are data from the profiled machine, so every one goes through
 * here. Characters XML cannot carry (control characters, unpaired surrogates, U+FFFE/U+FFFF) become
 * U+FFFD; characters the output encoding cannot carry become character references.
 */
final class Xml {
    private Xml() {
    }

    /** Appends text for element content or a double-quoted attribute. */
    static void escape(StringBuilder sb, CharSequence s, boolean quotes, CharsetEncoder enc) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                // & < > always, " only in an attribute, ' never
                String ref = c == '\'' || c == '"' && !quotes ? null : Markup.reference(c);
                if (ref != null) {
                    sb.append(ref);
                } else {
                    sb.append(c);
                }
                continue;
            }
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                cp = 0xFFFD;
            } else if (c == '\t') {
                sb.append(quotes ? "&#9;" : "\t");
                continue;
            } else if (c < 0x20 || c == 0x7F || c == 0xFFFE || c == 0xFFFF) {
                cp = c == 0x7F ? 0x7F : 0xFFFD;
            }
            if (enc != null && !canEncode(enc, cp)) {
                sb.append("&#").append(cp).append(';');
            } else {
                sb.appendCodePoint(cp);
            }
        }
    }

    private static boolean canEncode(CharsetEncoder enc, int cp) {
        return Character.isBmpCodePoint(cp) ? enc.canEncode((char) cp) : enc.canEncode(new String(Character.toChars(cp)));
    }

    /** Text that can go inside an XML comment: no "--", no trailing "-". */
    static String comment(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = (c < 0x20 && c != '\t' && c != '\n') || c == 0xFFFE || c == 0xFFFF
                    || (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))));
            if (Character.isHighSurrogate(c) && !bad) {
                sb.append(c).append(s.charAt(++i));
            } else {
                sb.append(bad ? '\uFFFD' : c);
            }
        }
        String t = sb.toString();
        while (t.contains("--")) {
            t = t.replace("--", "- -");
        }
        return t.endsWith("-") ? t + " " : t;
    }
}
