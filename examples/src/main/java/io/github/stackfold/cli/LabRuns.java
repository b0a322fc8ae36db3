package io.github.stackfold.cli;

import io.github.stackfold.lab.LabPipeline;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * How {@code flame demo} and {@code flame profile} run the lab's pipeline: its progress on standard
 * error ({@code flame COMMAND: ...}), SIGINT/SIGTERM stopping the recording (perf writes what it has)
 * instead of ending the JVM, and the summary on standard output; exit code 130 when stopped.
 */
final class LabRuns {
    private LabRuns() {
    }

    /** The pipeline, given where its progress lines go. */
    @FunctionalInterface
    interface Pipeline {
        LabPipeline.Result run(Consumer<String> say) throws Exception;
    }

    static int run(FlameCli flame, String command, Runnable stop, BooleanSupplier stopped, Pipeline pipeline)
            throws Exception {
        LabPipeline.Result result;
        try (RecordCommand.Signals ignored = RecordCommand.Signals.onInterrupt(stop)) {
            result = pipeline.run(line -> {
                // one line per step, also when a process name holds a line break
                flame.stderr().println("flame " + command + ": " + io.github.stackfold.flamegraph.analyze.Markdown.line(line));
                flame.stderr().flush();
            });
        }
        PrintStream out = new PrintStream(flame.stdout(), true, StandardCharsets.UTF_8);
        for (String line : result.summary()) {
            out.println(line);
        }
        out.flush();
        return stopped.getAsBoolean() ? ExitCodes.INTERRUPTED : ExitCodes.OK;
    }
}
