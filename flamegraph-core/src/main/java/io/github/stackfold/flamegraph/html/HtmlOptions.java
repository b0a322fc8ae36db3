package io.github.stackfold.flamegraph.html;

import io.github.stackfold.flamegraph.FrameNames;
import io.github.stackfold.flamegraph.render.GraphLabels;
import io.github.stackfold.flamegraph.render.Palette;

import java.util.Objects;

/**
 * What shapes an HTML viewer file ({@link HtmlRenderer}): titles, unit, palette, the narrowest frame
 * drawn and the view it opens on. Immutable; made by {@link #builder()}, each builder method saying its
 * default. The data in the file never depends on these: every frame is kept, whatever {@link #minWidth}.
 *
 * @param labels the titles, count name, palette and names: the labels the viewer shares with the SVG
 * @param notice a note in full words under the viewer's bar (the verdict on unnamed frames and its remedy); empty: none
 * @param minWidth frames narrower than this are not drawn (pixels, or a percentage with {@code minWidthPercent})
 * @param minWidthPercent whether {@link #minWidth()} is a percentage of the view's width rather than pixels
 * @param view the view the file opens on
 * @param heatmapRows rows of the heatmap, the fractions each second is cut into
 */
public record HtmlOptions(GraphLabels labels, String notice, double minWidth, boolean minWidthPercent, View view,
        int heatmapRows) {
    /** The view a file opens on. */
    public enum View {
        /** Root at the bottom, as flamegraph.pl draws it. */
        FLAME,
        /** Root at the top. */
        ICICLE,
        /** The subsecond heatmap (only when the profile has sample times; otherwise the flame graph). */
        HEATMAP
    }

    public HtmlOptions {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(notice, "notice");
        Objects.requireNonNull(view, "view");
    }

    public static HtmlOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder().labels(labels);
        b.notice = notice;
        b.minWidth = minWidth;
        b.minWidthPercent = minWidthPercent;
        b.view = view;
        b.heatmapRows = heatmapRows;
        return b;
    }

    /** The page title; null means "Flame Graph" (or "Differential Flame Graph" for two counts). */
    public String title() {
        return labels.title();
    }

    public String subtitle() {
        return labels.subtitle();
    }

    public String countName() {
        return labels.countName();
    }

    public Palette palette() {
        return labels.palette();
    }

    /** Which names the frames' labels show; the details line, the search and the top table keep the full name. */
    public FrameNames.Style names() {
        return labels.names();
    }

    /** Builds {@link HtmlOptions}; the labels are set as for the SVG ({@link GraphLabels.Setters}). */
    public static final class Builder extends GraphLabels.Setters<Builder> {
        private String notice = "";
        private double minWidth = 0.1;
        private boolean minWidthPercent;
        private View view = View.FLAME;
        private int heatmapRows = 50;

        private Builder() {
        }

        /**
         * A note in full words shown under the viewer's bar, e.g. the verdict on unnamed frames with its
         * remedy (the subtitle carries the short form); default none.
         */
        public Builder notice(String notice) {
            this.notice = Objects.requireNonNull(notice, "notice");
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

        public HtmlOptions build() {
            return new HtmlOptions(labels(), notice, minWidth, minWidthPercent, view, heatmapRows);
        }
    }
}
