package io.github.stackfold.flamegraph.collapse;

import java.util.Map;

/**
 * What a collapse did, for diagnostics.
 *
 * @param lines          lines read
 * @param samples        samples folded into the profile
 * @param badLines       lines of no known shape (skipped)
 * @param keptEvent      the event kept (raw string), or {@code null} if no event line named one
 * @param eventDefaulted whether {@code keptEvent} was the input's first event rather than a chosen one
 * @param droppedEvents  samples dropped by the event filter, per event name (raw strings), in byte order
 */
public record CollapseStats(long lines, long samples, long badLines, String keptEvent, boolean eventDefaulted,
        Map<String, Long> droppedEvents) {

    /** The number of samples dropped by the event filter. */
    public long droppedSamples() {
        long n = 0;
        for (long v : droppedEvents.values()) {
            n += v;
        }
        return n;
    }
}
