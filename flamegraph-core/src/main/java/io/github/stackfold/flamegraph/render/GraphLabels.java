package io.github.stackfold.flamegraph.render;

import io.github.stackfold.flamegraph.FrameNames;

import java.util.Objects;

/**
 * What a flame graph says about itself, alike in the SVG ({@link FlameGraphOptions}) and in the HTML
 * viewer ({@code html.HtmlOptions}): its titles, what a count is, its palette and which names the frame
 * labels show. Both option builders are {@link Setters}, so that a command maps its shared flags once,
 * onto either builder or into one {@code GraphLabels} handed to both ({@link Setters#labels(GraphLabels)}).
 *
 * @param title the title; null for the renderer's own (see {@link Setters#title})
 * @param subtitle a second title line, empty for none
 * @param countName what a count is
 * @param palette the frame colours
 * @param names which names the frame labels show
 */
public record GraphLabels(String title, String subtitle, String countName, Palette palette, FrameNames.Style names) {
    public GraphLabels {
        Objects.requireNonNull(subtitle, "subtitle");
        Objects.requireNonNull(countName, "countName");
        Objects.requireNonNull(palette, "palette");
        Objects.requireNonNull(names, "names");
    }

    /**
     * The setters of the labels, shared by the builders of {@link FlameGraphOptions} and
     * {@code HtmlOptions}; each returns the builder it is called on.
     *
     * @param <B> the builder
     */
    public abstract static class Setters<B extends Setters<B>> {
        String title;
        String subtitle = "";
        String countName = "samples";
        Palette palette = Palette.HOT;
        FrameNames.Style names = FrameNames.Style.AUTO;

        protected Setters() {
        }

        /**
         * {@code --title}: the title above the graph. Default null: "Flame Graph" (in the SVG "Icicle
         * Graph" inverted and "Flame Chart" for a flame chart; in the viewer "Differential Flame Graph"
         * for a diff).
         */
        public B title(String title) {
            this.title = title;
            return self();
        }

        /** {@code --subtitle}: a second title line; default none. */
        public B subtitle(String subtitle) {
            this.subtitle = Objects.requireNonNull(subtitle, "subtitle");
            return self();
        }

        /** {@code --countname}: what a count is ("samples", "nanoseconds", ...); default "samples". */
        public B countName(String countName) {
            this.countName = Objects.requireNonNull(countName, "countName");
            return self();
        }

        /**
         * {@code --colors}: the frame colours; default {@link Palette#HOT}. In the viewer HOT, MEM, IO,
         * RED, GREEN, BLUE, AQUA, YELLOW, PURPLE and ORANGE have their own hues; the language palettes
         * (JAVA, JS, PERL, ...) colour by the same rules as the SVG's, approximated by kind of frame
         * (kernel, JIT, native).
         */
        public B palette(Palette palette) {
            this.palette = Objects.requireNonNull(palette, "palette");
            return self();
        }

        /**
         * {@code --names}: the names frame labels show (not in flamegraph.pl). {@link FrameNames.Style#SHORT}:
         * short names ({@link FrameNames#shorten}: {@code filters.WithAuthentication.func1} for
         * {@code k8s.io/apiserver/pkg/endpoints/filters.WithAuthentication.func1}) that a narrow frame of
         * the SVG shortens further ({@code WithAuthentication.func1}) before cutting to {@code ..};
         * {@link FrameNames.Style#FULL}: the names as flamegraph.pl shows them. Default
         * {@link FrameNames.Style#AUTO}: short when the frames are Go ({@link FrameNames#mostlyGo}), else
         * full. The tooltip, the search, the details line and the viewer's top table always use the full name.
         */
        public B names(FrameNames.Style names) {
            this.names = Objects.requireNonNull(names, "names");
            return self();
        }

        /** Sets all the labels at once. */
        public B labels(GraphLabels labels) {
            this.title = labels.title();
            this.subtitle = labels.subtitle();
            this.countName = labels.countName();
            this.palette = labels.palette();
            this.names = labels.names();
            return self();
        }

        /** The labels set so far. */
        public GraphLabels labels() {
            return new GraphLabels(title, subtitle, countName, palette, names);
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }
    }
}
