package io.github.stackfold.flamegraph.render;

import java.util.Locale;
import java.util.Objects;

/**
 * The background gradient of a graph, flamegraph.pl's {@code --bgcolors}: {@code yellow},
 * {@code blue}, {@code green}, {@code grey}, or a flat {@code #rrggbb}.
 */
public final class Background {
    public static final Background YELLOW = new Background("#eeeeee", "#eeeeb0");
    public static final Background BLUE = new Background("#eeeeee", "#e0e0ff");
    public static final Background GREEN = new Background("#eef2ee", "#e0ffe0");
    public static final Background GREY = new Background("#f8f8f8", "#e8e8e8");

    private final String top;
    private final String bottom;

    private Background(String top, String bottom) {
        this.top = top;
        this.bottom = bottom;
    }

    /** A named gradient or a flat {@code #rrggbb} colour. */
    public static Background of(String spec) {
        String s = spec.trim();
        switch (s.toLowerCase(Locale.ROOT)) {
            case "yellow":
                return YELLOW;
            case "blue":
                return BLUE;
            case "green":
                return GREEN;
            case "grey":
            case "gray":
                return GREY;
            default:
                if (s.matches("#[0-9a-fA-F]{6}")) {
                    return new Background(s, s);
                }
                throw new IllegalArgumentException("unrecognized background '" + spec
                        + "' (expected yellow, blue, green, grey or #rrggbb)");
        }
    }

    /** The colour at the top of the gradient. */
    public String top() {
        return top;
    }

    /** The colour at the bottom of the gradient. */
    public String bottom() {
        return bottom;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Background && ((Background) o).top.equals(top) && ((Background) o).bottom.equals(bottom);
    }

    @Override
    public int hashCode() {
        return Objects.hash(top, bottom);
    }

    @Override
    public String toString() {
        return top.equals(bottom) ? top : top + ".." + bottom;
    }
}
