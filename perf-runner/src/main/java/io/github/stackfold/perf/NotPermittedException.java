package io.github.stackfold.perf;

import io.github.stackfold.flamegraph.StackfoldException;

/**
 * perf may not open its events: {@code kernel.perf_event_paranoid} is too strict for a user without
 * CAP_PERFMON / CAP_SYS_ADMIN, or the target belongs to another user. The message names the setting
 * and its value.
 */
public class NotPermittedException extends StackfoldException {
    private static final long serialVersionUID = 1L;

    public NotPermittedException(String message) {
        super(message);
    }
}
