package io.github.stackfold.cli;

import java.time.Duration;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * How long and how often perf samples ({@code @Mixin} of record, profile and demo). A command with
 * another default duration states it in its {@code defaultValueProvider} (see {@link DemoCommand}).
 */
final class RecordingFlags {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long perf records: 30s, 1.5s, 500ms, 2m or seconds (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = {"-F", "--frequency"}, paramLabel = "HZ", defaultValue = "99",
            description = "Samples per second (default: ${DEFAULT-VALUE}).")
    int frequency;

    /** {@link #frequency}, checked. */
    int frequency() {
        if (frequency < 1) {
            throw new CommandLine.ParameterException(mixee.commandLine(), "--frequency must be at least 1");
        }
        return frequency;
    }
}
