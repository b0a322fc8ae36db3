package io.github.stackfold.flamegraph.html;

import io.github.stackfold.flamegraph.FrameNames;
import io.github.stackfold.flamegraph.render.Palette;

import java.util.Objects;

/**
 * What shapes an HTML viewer file ({@link HtmlRenderer}): titles, unit, palette, the narrowest frame
 * drawn and the view it opens on. Immutable; made by {@link #builder()}, each builder method saying its
 * default. The data in the file never depends on these: every frame is kept, whatever {@link #minWidth}.
 */
public final class HtmlOptions {
    /** The view a file opens on. */
    public enum View {
        /** Root at the bottom, as flamegraph.pl draws it. */
        FLAME,
        /** Root at the top. */
        ICICLE,
        /** The subsecond heatmap (only when the profile has sample times; otherwise the flame graph). */
        HEATMAP
    }

    private final String title;
    private final String subtitle;
    private final String notice;
    private final String countName;
    private final Palette palette;
    private final double minWidth;
    private final boolean minWidthPercent;
    private final View view;
    private final int heatmapRows;
    private final FrameNames.Style names;

    private HtmlOptions(Builder b) {
        this.title = b.title;
        this.subtitle = b.subtitle;
        this.notice = b.notice;
        this.countName = b.countName;
        this.palette = b.palette;
        this.minWidth = b.minWidth;
        this.minWidthPercent = b.minWidthPercent;
        this.view = b.view;
        this.heatmapRows = b.heatmapRows;
        this.names = b.names;
    }

    public static HtmlOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.title = title;
        b.subtitle = subtitle;
        b.notice = notice;
        b.countName = countName;
        b.palette = palette;
        b.minWidth = minWidth;
        b.minWidthPercent = minWidthPercent;
        b.view = view;
        b.heatmapRows = heatmapRows;
        b.names = names;
        return b;
    }

    /** The page title; null means "Flame Graph" (or "Differential Flame Graph" for two counts). */
    public String title() {
        return title;
    }

    public String subtitle() {
        return subtitle;
    }

    /** A note in full words under the viewer's bar (the verdict on unnamed frames and its remedy); empty: none. */
    public String notice() {
        return notice;
    }

    public String countName() {
        return countName;
    }

    public Palette palette() {
        return palette;
    }

    public double minWidth() {
        return minWidth;
    }

    /** Whether {@link #minWidth()} is a percentage of the view's width rather than pixels. */
    public boolean minWidthPercent() {
        return minWidthPercent;
    }

    public View view() {
        return view;
    }

    public int heatmapRows() {
        return heatmapRows;
    }

    /** Which names the frames' labels show; the details line, the search and the top table keep the full name. */
    public FrameNames.Style names() {
        return names;
    }

    /** Builds {@link HtmlOptions}. */
    public static final class Builder {
        private String title;
        private String subtitle = "";
        private String notice = "";
        private String countName = "samples";
        private Palette palette = Palette.HOT;
        private double minWidth = 0.1;
        private boolean minWidthPercent;
        private View view = View.FLAME;
        private int heatmapRows = 50;
        private FrameNames.Style names = FrameNames.Style.AUTO;

        private Builder() {
        }

        /** The title above the graph; default "Flame Graph" ("Differential Flame Graph" for a diff). */
        public Builder title(String title) {
            this.title = title;
            return this;
        }

        /** A second line under the title; default none. */
        public Builder subtitle(String subtitle) {
            this.subtitle = Objects.requireNonNull(subtitle, "subtitle");
            return this;
        }

        /**
         * A note in full words shown under the viewer's bar, e.g. the verdict on unnamed frames with its
         * remedy (the subtitle carries the short form); default none.
         */
        public Builder notice(String notice) {
            this.notice = Objects.requireNonNull(notice, "notice");
            return this;
        }

        /** What a count is ("samples", "nanoseconds", ...); default "samples". */
        public Builder countName(String countName) {
            this.countName = Objects.requireNonNull(countName, "countName");
            return this;
        }

        /**
         * Frame colours; default {@link Palette#HOT}. HOT, MEM, IO, RED, GREEN, BLUE, AQUA, YELLOW,
         * PURPLE and ORANGE have their own hues; the language palettes (JAVA, JS, PERL, ...) colour by
         * the same rules as the SVG's, approximated by kind of frame (kernel, JIT, native).
         */
        public Builder palette(Palette palette) {
            this.palette = Objects.requireNonNull(palette, "palette");
            return this;
        }

        /**
         * Frames narrower than this many pixels are not drawn (they are still in the file and appear
         * when zoomed in to); default 0.1, as flamegraph.pl.
         */
        public Builder minWidth(double pixels) {
            if (!(pixels >= 0) || Double.isInfinite(pixels)) {
                throw new IllegalArgumentException("minwidth must be a non-negative number of pixels: " + pixels);
            }
            this.minWidth = pixels;
            this.minWidthPercent = false;
            return this;
        }

        /** Frames narrower than this percentage of the view's width are not drawn (still kept). */
        public Builder minWidthPercent(double percent) {
            if (!(percent >= 0) || percent > 100) {
                throw new IllegalArgumentException("minwidth must be a percentage from 0 to 100: " + percent);
            }
            this.minWidth = percent;
            this.minWidthPercent = true;
            return this;
        }

        /** The view the file opens on; default {@link View#FLAME}. */
        public Builder view(View view) {
            this.view = Objects.requireNonNull(view, "view");
            return this;
        }

        /** Rows of the heatmap, the fractions each second is cut into; default 50 (20 ms each), as FlameScope. */
        public Builder heatmapRows(int rows) {
            if (rows < 1 || rows > 1000) {
                throw new IllegalArgumentException("heatmap rows must be 1 to 1000: " + rows);
            }
            this.heatmapRows = rows;
            return this;
        }

        /**
         * The names frame labels show, as the SVG's {@code --names}: {@link FrameNames.Style#SHORT} drops
         * the import path or package ({@link FrameNames#shorten}: {@code http.(*conn).serve} for
         * {@code net/http.(*conn).serve}), {@link FrameNames.Style#FULL} shows names as they are, and the
         * default {@link FrameNames.Style#AUTO} is short when the frames are Go ({@link FrameNames#mostlyGo}).
         * The details line, the search and the top table always use the full name.
         */
        public Builder names(FrameNames.Style names) {
            this.names = Objects.requireNonNull(names, "names");
            return this;
        }

        public HtmlOptions build() {
            return new HtmlOptions(this);
        }
    }
}
