package io.github.stackfold.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --top} and {@code --json} ({@code @Mixin}) of the commands that print an analysis. */
final class ReportFlags {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--top", paramLabel = "N", defaultValue = "10",
            description = "How many entries each top list shows (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    /** {@link #top}, checked. */
    int top() {
        if (top < 1) {
            throw new CommandLine.ParameterException(mixee.commandLine(), "--top must be at least 1, got " + top);
        }
        return top;
    }
}
