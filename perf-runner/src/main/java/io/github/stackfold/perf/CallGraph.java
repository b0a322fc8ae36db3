package io.github.stackfold.perf;

/** How perf record walks the stack ({@code --call-graph MODE}). */
public enum CallGraph {
    /**
     * Frame pointers ({@code -g}): cheap and exact for code built with frame pointers, which Go
     * binaries such as kube-apiserver are by default. The lab's choice.
     */
    FP,
    /** DWARF unwinding of copied user stacks ({@code --call-graph dwarf}): for C/C++ without frame pointers; much larger data. */
    DWARF,
    /** Intel last branch records ({@code --call-graph lbr}): hardware support needed, short stacks. */
    LBR;

    /** The perf record arguments that select this mode. */
    java.util.List<String> perfArguments() {
        switch (this) {
            case DWARF:
                return java.util.List.of("--call-graph", "dwarf");
            case LBR:
                return java.util.List.of("--call-graph", "lbr");
            default:
                return java.util.List.of("-g");
        }
    }
}
