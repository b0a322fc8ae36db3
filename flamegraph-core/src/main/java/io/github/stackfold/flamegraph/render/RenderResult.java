package io.github.stackfold.flamegraph.render;

import java.util.Map;

/**
 * What a rendering produced, for the caller to report: counts, the warnings flamegraph.pl would print,
 * and the extended consistent palette.
 *
 * @param framesDrawn frames written to the SVG (the root included)
 * @param framesOmitted frames left out for being narrower than the minimum width
 * @param total the sum of the counts drawn
 * @param totalIgnored whether the --total given was less than the actual total and so ignored
 * @param ignoredLines input lines that were not folded stacks
 * @param firstIgnoredLine "source:line" of the first ignored input line, or null
 * @param paletteMap the consistent palette after rendering (with the names it added), or null when none was used
 */
public record RenderResult(int framesDrawn, int framesOmitted, double total, boolean totalIgnored, long ignoredLines,
        String firstIgnoredLine, Map<String, String> paletteMap) {
}
