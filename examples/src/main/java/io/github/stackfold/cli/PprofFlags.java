package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.flamegraph.pprof.PprofOptions;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Model.CommandSpec;

/**
 * The pprof flags of every command that reads profiles ({@link #addTo} its model, {@link #of} when it
 * runs): which sample type is the weight, and which labels become root frames. They only matter for
 * pprof input.
 */
final class PprofFlags {
    String value = "cpu";
    List<String> tags = new ArrayList<>();

    /** Adds {@code --value} and {@code --tag} to a command's model. */
    static void addTo(CommandSpec spec) {
        spec.addOption(Specs.option("--value", "TYPE", String.class).defaultValue("cpu")
                .description("pprof input: the sample type used as the weight, cpu (CPU nanoseconds, the default),"
                        + " samples (the sample count) or any other type the profile has").build());
        spec.addOption(Specs.option("--tag", "KEY", List.class).auxiliaryTypes(String.class)
                .description("pprof input: make the value of label KEY a root frame, KEY=VALUE (repeatable)").build());
    }

    /** The flags given to the command of {@code spec} (see {@link #addTo}). */
    static PprofFlags of(CommandSpec spec) {
        PprofFlags f = new PprofFlags();
        f.value = Specs.value(spec, "--value");
        f.tags = Specs.value(spec, "--tag", f.tags);
        return f;
    }

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
