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
     * @return the names for this frame, outermost first (more than one when inlined calls are
     *     expanded; callers mark all but the last as inlined), or {@code null} to leave the frame as
     *     it was
     */
    String[] symbolize(String module, long address);
}
