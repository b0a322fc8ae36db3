package io.github.stackfold.flamegraph.symbolize;

/**
 * Hears about binaries whose frames could not be named: not found, not Go, or damaged. Each binary is
 * reported once; its frames are left as they were. The library never prints: a command line prints
 * these, a test collects them.
 */
@FunctionalInterface
public interface SymbolizerListener {
    /**
     * @param module  the module as perf printed it
     * @param message one line saying what was wrong, naming the file that was read
     */
    void warning(String module, String message);

    /** A listener that drops every warning. */
    static SymbolizerListener ignore() {
        return (module, message) -> {
        };
    }
}
