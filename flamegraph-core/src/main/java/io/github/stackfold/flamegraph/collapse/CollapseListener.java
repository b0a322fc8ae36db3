package io.github.stackfold.flamegraph.collapse;

import io.github.stackfold.flamegraph.BadInputException;

/**
 * Receives what the collapser noticed but did not stop for; the library itself never prints.
 * Calls come from the thread that called the collapser, in input order.
 */
public interface CollapseListener {
    /** A listener that ignores everything. */
    CollapseListener IGNORE = new CollapseListener() {
    };

    /**
     * A line that is neither a comment, an empty line, an event line nor a stack line; it was skipped.
     * Only the first {@link CollapseOptions#maxBadLineReports()} come here; all are counted in
     * {@link CollapseStats#badLines()}. The exception names source, line, byte offset and the line.
     */
    default void badLine(BadInputException problem) {
    }

    /** Called once when a profile is complete (also when events were dropped: see the stats). */
    default void finished(CollapseStats stats) {
    }
}
