package io.github.stackfold.flamegraph.collapse;

/**
 * Names a frame that perf printed as {@code [unknown]}, such as a Go function of a stripped binary.
 * The collapser calls it for each unknown frame with the module perf printed in parentheses and the
 * address perf printed in hex (perf prints addresses of unresolved frames relative to the mapping, so
 * an implementation converts them itself).
 *
 * <p>Implementations must be thread-safe: the collapser may call them from several threads.
 */
@FunctionalInterface
public interface FrameSymbolizer {
    /**
     * @param module  the module as perf printed it, e.g. {@code /usr/local/bin/kube-apiserver}
     * @param address the address as perf printed it
     * @return the names for this frame (Java text), outermost first: the function whose code holds
     *     the address, then the calls inlined into it there, if expanded (callers mark all but the
     *     first as inlined, {@code _[i]}, as stackcollapse-perf.pl marks perf's {@code a->b}), or
     *     {@code null} to leave the frame as it was
     */
    String[] symbolize(String module, long address);
}
