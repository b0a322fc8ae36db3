package io.github.stackfold.flamegraph.internal;

/** What the SVG's XML and the viewer's HTML share in escaping text. */
public final class Markup {
    private Markup() {
    }

    /**
     * The character reference that stands for a markup character ({@code & < > " '}), or null for any
     * other character. Callers choose which of them they escape: the SVG keeps {@code '} as it is.
     */
    public static String reference(char c) {
        return switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '"' -> "&quot;";
            case '\'' -> "&#39;";
            default -> null;
        };
    }
}
