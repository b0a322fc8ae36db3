package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.diff.DiffOptions;
import io.github.stackfold.flamegraph.diff.DiffProfile;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileInput;

import java.io.IOException;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code flame diff}: two folded profiles into difffolded.pl's two-count format, the input of a
 * differential flame graph ({@code flame diff before after | flame flamegraph > diff.svg}).
 */
@Command(name = "diff", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        header = "Write two profiles as difffolded.pl's two-count lines.",
        sortOptions = false,
        description = {"Compares two profiles: writes 'stack BEFORE AFTER' lines (difffolded.pl's format), sorted by"
                + " stack. Render them with 'flame flamegraph' (red grew, blue shrank)."})
final class DiffCommand implements Callable<Integer> {
    @ParentCommand
    FlameCli flame;

    @Spec
    CommandSpec spec;

    @Option(names = {"-n", "--normalize"}, description = "Scale the first profile's counts to the second's total.")
    boolean normalize;

    @Option(names = {"-s", "--strip-hex"}, description = "Strip hex addresses (0x1234 becomes 0x...).")
    boolean stripHex;

    @Mixin
    OutputFileFlag output;

    @Mixin
    ProfileReadFlags reading;

    @Parameters(index = "0", paramLabel = "BEFORE",
            description = "The first profile: folded stacks, pprof, perf.data, perf script text or a flame graph SVG"
                    + " (- for standard input).")
    String before;

    @Parameters(index = "1", paramLabel = "AFTER",
            description = "The second profile, in any of those formats (- for standard input).")
    String after;

    @Override
    public Integer call() throws IOException {
        if (before.equals("-") && after.equals("-")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "only one of BEFORE and AFTER can be standard input");
        }
        FoldedProfile first = readInput(before);
        FoldedProfile second = readInput(after);
        DiffProfile diff = DiffProfile.of(first, second, new DiffOptions(normalize, stripHex));
        output.write(flame, diff::write);
        return ExitCodes.OK;
    }

    /** One input ("-" is standard input), any profile format. */
    FoldedProfile readInput(String file) throws IOException {
        try (ProfileInput in = CliProfiles.open(file, flame)) {
            return reading.read(in, flame);
        }
    }
}
