package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.StackfoldException;

/**
 * Exit codes for the library's exception types beyond bad input: one place that knows the
 * subclasses of perf-runner and the other modules, so the commands need not.
 */
final class ErrorCodes {
    private ErrorCodes() {
    }

    static int of(StackfoldException e) {
        if (e instanceof io.github.stackfold.perf.ToolMissingException) {
            return ExitCodes.MISSING_TOOL;
        }
        if (e instanceof io.github.stackfold.perf.NotPermittedException) {
            return ExitCodes.NOT_PERMITTED;
        }
        if (e instanceof io.github.stackfold.perf.NoTargetException) {
            return ExitCodes.NO_TARGET;
        }
        if (e instanceof io.github.stackfold.perf.push.PushFailedException) {
            return ExitCodes.PUSH_FAILED;
        }
        // perf-runner's exceptions are mapped here as they are added (missing tool, not permitted,
        // no target); anything else the library reports on purpose is treated as bad input.
        return ExitCodes.BAD_INPUT;
    }
}
