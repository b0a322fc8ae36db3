package io.github.stackfold.cli;

import io.github.stackfold.lab.MetricsSource;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;

/** {@code --metrics} ({@code @Mixin}): the apiserver's request counts for the answer on API calls. */
final class MetricsFlags {
    @Option(names = "--metrics", paramLabel = "FILE|URL",
            description = "The apiserver's /metrics for the profiling window, to share each API verb's CPU out by"
                    + " resource (apiserver_request_total): two saved copies (the window's start and end), one"
                    + " (its counts from zero), or 'kubectl' or an http(s) URL (read before and after recording).")
    List<String> metrics = new ArrayList<>();

    /** The source, or null without {@code --metrics}; a bad combination is a usage error. */
    MetricsSource source(String kubectl) {
        if (metrics.isEmpty()) {
            return null;
        }
        try {
            return MetricsSource.of(metrics, kubectl);
        } catch (IllegalArgumentException e) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, e.getMessage());
        }
    }
}
