package io.github.stackfold.flamegraph.render;

import io.github.stackfold.flamegraph.FrameNames;

import java.nio.charset.Charset;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that shapes a flame graph, with flamegraph.pl's option names and defaults. Immutable;
 * made by {@link #builder()}. Each builder method documents its default and the flamegraph.pl
 * option it stands for.
 */
public final class FlameGraphOptions {
    /** The settings: a copy of the builder's, made when built, so that later changes to the builder do not reach them. */
    private final Builder settings;

    private FlameGraphOptions(Builder settings) {
        this.settings = settings;
    }

    /** The defaults of flamegraph.pl. */
    public static FlameGraphOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change a few. */
    public Builder toBuilder() {
        return settings.copy();
    }

    /** The title: the one set, else "Flame Chart", "Icicle Graph" or "Flame Graph". */
    public String title() {
        if (settings.title != null) {
            return settings.title;
        }
        return settings.flameChart ? "Flame Chart" : settings.inverted ? "Icicle Graph" : "Flame Graph";
    }

    public String subtitle() {
        return settings.subtitle;
    }

    public int width() {
        return settings.width;
    }

    public int frameHeight() {
        return settings.frameHeight;
    }

    public double minWidth() {
        return settings.minWidth;
    }

    public boolean minWidthPercent() {
        return settings.minWidthPercent;
    }

    public String fontType() {
        return settings.fontType;
    }

    public double fontSize() {
        return settings.fontSize;
    }

    public double fontWidth() {
        return settings.fontWidth;
    }

    public String countName() {
        return settings.countName;
    }

    public String nameType() {
        return settings.nameType;
    }

    public Palette palette() {
        return settings.palette;
    }

    public ColorMode colorMode() {
        return settings.colorMode;
    }

    /** The background: the one set, else the palette's default. */
    public Background background() {
        return settings.background != null ? settings.background : settings.palette.defaultBackground();
    }

    /** The consistent palette (raw name to colour) to use and extend, or null when not used. */
    public Map<String, String> paletteMap() {
        return settings.paletteMap;
    }

    public boolean reverse() {
        return settings.reverse;
    }

    public boolean inverted() {
        return settings.inverted;
    }

    public boolean flameChart() {
        return settings.flameChart;
    }

    public boolean negate() {
        return settings.negate;
    }

    public double factor() {
        return settings.factor;
    }

    /** CPU nanoseconds per count shown in the frame details, 0 (the default) for none. */
    public double cpuNanosPerCount() {
        return settings.cpuNanosPerCount;
    }

    public String notes() {
        return settings.notes;
    }

    /** The total the widths are relative to, or 0 for the sum of the counts. */
    public double total() {
        return settings.total;
    }

    /** Per raw frame name, extra attributes of its frames (see {@link Builder#nameAttributes}). */
    public Map<String, Map<String, String>> nameAttributes() {
        return settings.nameAttributes;
    }

    /** The declared XML encoding, or null for UTF-8 without a declaration attribute. */
    public String encoding() {
        return settings.encoding;
    }

    public String searchColor() {
        return settings.searchColor;
    }

    /** Which names the labels show (the tooltip, search and details always show the full name). */
    public FrameNames.Style names() {
        return settings.names;
    }

    /** The titles, count name, palette and names: the labels the SVG shares with the HTML viewer. */
    public GraphLabels labels() {
        return settings.labels();
    }

    /**
     * Builds {@link FlameGraphOptions}; every setter names its flamegraph.pl option and default. The titles,
     * count name, palette and names are set as for the HTML viewer ({@link GraphLabels.Setters}).
     */
    public static final class Builder extends GraphLabels.Setters<Builder> implements Cloneable {
        private int width = 1200;
        private int frameHeight = 16;
        private double minWidth = 0.1;
        private boolean minWidthPercent;
        private String fontType = "Verdana";
        private double fontSize = 12;
        private double fontWidth = 0.59;
        private String nameType = "Function:";
        private ColorMode colorMode = ColorMode.SEEDED;
        private Background background;
        private Map<String, String> paletteMap;
        private boolean reverse;
        private boolean inverted;
        private boolean flameChart;
        private boolean negate;
        private double factor = 1;
        private double cpuNanosPerCount;
        private String notes = "";
        private double total;
        private Map<String, Map<String, String>> nameAttributes = new HashMap<>();
        private String encoding;
        private String searchColor = "rgb(230,0,230)";

        private Builder() {
        }

        /** {@code --width}: image width in pixels; default 1200. */
        public Builder width(int width) {
            if (width <= 20) {
                throw new IllegalArgumentException("width must be more than 20 pixels: " + width);
            }
            this.width = width;
            return this;
        }

        /** {@code --height}: height of each frame in pixels; default 16. */
        public Builder frameHeight(int height) {
            if (height <= 0) {
                throw new IllegalArgumentException("frame height must be positive: " + height);
            }
            this.frameHeight = height;
            return this;
        }

        /** {@code --minwidth}: omit frames narrower than this many pixels; default 0.1. */
        public Builder minWidth(double pixels) {
            this.minWidth = requireNonNegative(pixels, "minwidth");
            this.minWidthPercent = false;
            return this;
        }

        /** {@code --minwidth N%}: omit frames below this percentage of the total. */
        public Builder minWidthPercent(double percent) {
            this.minWidth = requireNonNegative(percent, "minwidth");
            this.minWidthPercent = true;
            return this;
        }

        /** {@code --minwidth} as flamegraph.pl parses it: {@code 0.5} (pixels) or {@code 0.5%}. */
        public Builder minWidth(String spec) {
            String s = spec.trim();
            if (!s.matches("[0-9.]+%?") || s.replace("%", "").replace(".", "").isEmpty()) {
                throw new IllegalArgumentException("invalid minwidth '" + spec + "' (expected pixels such as 0.1, or a percentage such as 0.5%)");
            }
            boolean pct = s.endsWith("%");
            String num = pct ? s.substring(0, s.length() - 1) : s;
            double v;
            try {
                v = Double.parseDouble(num);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid minwidth '" + spec + "' (expected a number, optionally followed by %)");
            }
            return pct ? minWidthPercent(v) : minWidth(v);
        }

        /** {@code --fonttype}: font family; default "Verdana". */
        public Builder fontType(String fontType) {
            this.fontType = Objects.requireNonNull(fontType);
            return this;
        }

        /** {@code --fontsize}: font size in pixels; default 12. */
        public Builder fontSize(double size) {
            this.fontSize = requirePositive(size, "font size");
            return this;
        }

        /** {@code --fontwidth}: average character width relative to the font size; default 0.59. */
        public Builder fontWidth(double width) {
            this.fontWidth = requirePositive(width, "font width");
            return this;
        }

        /** {@code --nametype}: what the names are, shown before a hovered frame; default "Function:". */
        public Builder nameType(String nameType) {
            this.nameType = Objects.requireNonNull(nameType);
            return this;
        }

        /** {@code --hash} / {@code --random}: default {@link ColorMode#SEEDED} (stable per name). */
        public Builder colorMode(ColorMode mode) {
            this.colorMode = Objects.requireNonNull(mode);
            return this;
        }

        /** {@code --bgcolors}: default chosen by the palette (yellow; green for mem; blue for io, wakeup, chain; grey for flat palettes). */
        public Builder background(Background background) {
            this.background = background;
            return this;
        }

        /**
         * {@code --cp}: a consistent palette, raw frame name to colour ({@code rgb(r,g,b)}); names in
         * it keep their colour, new names are added to the renderer's result. Default none.
         */
        public Builder paletteMap(Map<String, String> paletteMap) {
            this.paletteMap = paletteMap;
            return this;
        }

        /** {@code --reverse}: reverse each stack (the leaf functions at the bottom); default off. */
        public Builder reverse(boolean reverse) {
            this.reverse = reverse;
            return this;
        }

        /** {@code --inverted}: an icicle graph (root at the top); default off. */
        public Builder inverted(boolean inverted) {
            this.inverted = inverted;
            return this;
        }

        /** {@code --flamechart}: keep input order, do not sort (x axis is time); default off. */
        public Builder flameChart(boolean flameChart) {
            this.flameChart = flameChart;
            return this;
        }

        /** {@code --negate}: swap the differential hues (red shrank, blue grew); default off. */
        public Builder negate(boolean negate) {
            this.negate = negate;
            return this;
        }

        /** {@code --factor}: multiply counts by this in the frame details; default 1. */
        public Builder factor(double factor) {
            this.factor = factor;
            return this;
        }

        /**
         * CPU nanoseconds one count stands for (a sample of a 99 Hz cpu-clock recording: about 10,101,010);
         * when set, the frame details say the CPU time too: {@code all (199 samples, 1.99 s CPU, 100%)}.
         * Default 0: not said, as flamegraph.pl does not.
         */
        public Builder cpuNanosPerCount(double nanos) {
            this.cpuNanosPerCount = nanos;
            return this;
        }

        /** {@code --notes}: text put in a comment in the SVG; default none. */
        public Builder notes(String notes) {
            this.notes = Objects.requireNonNull(notes);
            return this;
        }

        /** {@code --total}: the total widths are relative to, when larger than the sum of counts; default 0 (the sum). */
        public Builder total(double total) {
            this.total = requireNonNegative(total, "total");
            return this;
        }

        /**
         * {@code --nameattr}: extra attributes for the frames of a raw name. {@code title} replaces the
         * frame's tooltip, {@code href} (with {@code target}, default {@code _top}) makes it a link,
         * {@code id} and {@code class} are set on the frame; event-handler attributes ({@code on*})
         * and {@code javascript:} links are never written. Default none.
         */
        public Builder nameAttributes(Map<String, Map<String, String>> attributes) {
            this.nameAttributes = new HashMap<>(attributes);
            return this;
        }

        /** {@code --encoding}: the XML encoding to declare and write; default UTF-8 (not declared). */
        public Builder encoding(String encoding) {
            if (encoding != null && !Charset.isSupported(encoding)) {
                throw new IllegalArgumentException("unsupported encoding '" + encoding + "'");
            }
            this.encoding = encoding;
            return this;
        }

        /** The fill of frames matching a search; default {@code rgb(230,0,230)}. */
        public Builder searchColor(String color) {
            this.searchColor = Objects.requireNonNull(color);
            return this;
        }

        public FlameGraphOptions build() {
            return new FlameGraphOptions(copy());
        }

        /** A copy of this builder; its maps are copied too, unmodifiable, so that no caller's map is shared. */
        private Builder copy() {
            Builder b;
            try {
                b = (Builder) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
            b.paletteMap = paletteMap == null ? null : Collections.unmodifiableMap(new HashMap<>(paletteMap));
            Map<String, Map<String, String>> attrs = new HashMap<>();
            nameAttributes.forEach((k, v) -> attrs.put(k, Collections.unmodifiableMap(new HashMap<>(v))));
            b.nameAttributes = Collections.unmodifiableMap(attrs);
            return b;
        }

        private static double requirePositive(double v, String what) {
            if (!(v > 0)) {
                throw new IllegalArgumentException(what + " must be positive: " + v);
            }
            return v;
        }

        private static double requireNonNegative(double v, String what) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(what + " must be a non-negative number: " + v);
            }
            return v;
        }
    }
}
