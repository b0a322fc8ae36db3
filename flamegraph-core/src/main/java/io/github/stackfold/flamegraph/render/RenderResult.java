package io.github.stackfold.flamegraph.render;

import java.util.Map;

/**
 * What a rendering produced, for the caller to report: counts, the warnings flamegraph.pl would print,
 * and the extended consistent palette.
 */
public final class RenderResult {
    private final int framesDrawn;
    private final int framesOmitted;
    private final double total;
    private final boolean totalIgnored;
    private final long ignoredLines;
    private final String firstIgnoredLine;
    private final Map<String, String> paletteMap;

    RenderResult(int framesDrawn, int framesOmitted, double total, boolean totalIgnored, long ignoredLines,
            String firstIgnoredLine, Map<String, String> paletteMap) {
        this.framesDrawn = framesDrawn;
        this.framesOmitted = framesOmitted;
        this.total = total;
        this.totalIgnored = totalIgnored;
        this.ignoredLines = ignoredLines;
        this.firstIgnoredLine = firstIgnoredLine;
        this.paletteMap = paletteMap;
    }

    /** Frames written to the SVG (the root included). */
    public int framesDrawn() {
        return framesDrawn;
    }

    /** Frames left out for being narrower than the minimum width. */
    public int framesOmitted() {
        return framesOmitted;
    }

    /** The sum of the counts drawn. */
    public double total() {
        return total;
    }

    /** Whether the --total given was less than the actual total and so ignored. */
    public boolean totalIgnored() {
        return totalIgnored;
    }

    /** Input lines that were not folded stacks. */
    public long ignoredLines() {
        return ignoredLines;
    }

    /** "source:line" of the first ignored input line, or null. */
    public String firstIgnoredLine() {
        return firstIgnoredLine;
    }

    /** The consistent palette after rendering (with the names it added), or null when none was used. */
    public Map<String, String> paletteMap() {
        return paletteMap;
    }
}
