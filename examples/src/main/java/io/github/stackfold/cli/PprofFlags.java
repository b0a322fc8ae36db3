package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.pprof.PprofOptions;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;

/**
 * The pprof flags ({@code @Mixin}) of every command that reads or fetches pprof profiles: which sample
 * type is the weight, and which labels become root frames. They only matter for pprof input.
 */
final class PprofFlags {
    @Option(names = "--value", paramLabel = "TYPE", defaultValue = "cpu",
            description = "pprof input: the sample type used as the weight: cpu (CPU nanoseconds, the default),"
                    + " samples (the sample count) or any other type the profile has.")
    String value;

    @Option(names = "--tag", paramLabel = "KEY",
            description = "pprof input: make the value of label KEY a root frame, KEY=VALUE (repeatable).")
    List<String> tags = new ArrayList<>();

    PprofOptions options() {
        PprofOptions.Builder b = PprofOptions.builder().sampleType(value);
        tags.forEach(b::tag);
        return b.build();
    }
}
