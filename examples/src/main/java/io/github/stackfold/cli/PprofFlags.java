package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.flamegraph.pprof.PprofOptions;

import java.io.BufferedInputStream;
import java.io.IOException;

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

    /** A loader for any format, reading pprof with these flags. */
    ProfileLoader loader() {
        return ProfileLoader.builder().pprof(options()).build();
    }

    /**
     * A pprof profile read with these flags if {@code in} (from {@link ProfileLoader#sniffable}) holds
     * one; null, with nothing consumed, for any other format.
     */
    FoldedProfile readIfPprof(BufferedInputStream in, String source) throws IOException {
        if (ProfileLoader.detect(in) != ProfileLoader.Format.PPROF) {
            return null;
        }
        return loader().load(in, source);
    }
}
