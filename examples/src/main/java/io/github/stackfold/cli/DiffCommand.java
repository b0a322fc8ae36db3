package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.flamegraph.diff.DiffOptions;
import io.github.stackfold.flamegraph.diff.DiffProfile;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.Inputs;
import io.github.stackfold.flamegraph.io.ProfileLoader;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code flame diff}: two folded profiles into difffolded.pl's two-count format, the input of a
 * differential flame graph ({@code flame diff before after | flame flamegraph > diff.svg}).
 */
final class DiffCommand implements Callable<Integer> {
    final FlameCli flame;
    private CommandSpec spec;

    boolean normalize;
    boolean stripHex;
    Path output;
    PprofFlags pprof;
    String before;
    String after;

    DiffCommand(FlameCli flame) {
        this.flame = flame;
    }

    /** This command's model: its name, description, options and parameters. */
    CommandSpec spec() {
        spec = Specs.command(this, "diff",
                "Compares two folded profiles: writes 'stack BEFORE AFTER' lines (difffolded.pl's format),",
                "sorted by stack. Render them with 'flame flamegraph' (red grew, blue shrank).");
        spec.usageMessage().sortOptions(false);
        spec.addOption(Specs.flag(new String[] {"-n", "--normalize"}, "scale the first profile's counts to the second's total"));
        spec.addOption(Specs.flag(new String[] {"-s", "--strip-hex"}, "strip hex addresses (0x1234 becomes 0x...)"));
        spec.addOption(Specs.option(new String[] {"-o", "--output"}, "FILE", Path.class)
                .description("write to FILE instead of standard output").build());
        PprofFlags.addTo(spec);
        spec.addPositional(PositionalParamSpec.builder().index("0").paramLabel("BEFORE").type(String.class)
                .required(true)
                .description("the first profile: folded stacks, pprof, or perf script text (- for standard input)").build());
        spec.addPositional(PositionalParamSpec.builder().index("1").paramLabel("AFTER").type(String.class)
                .required(true)
                .description("the second profile, in any of those formats (- for standard input)").build());
        return Specs.withHelpOptions(spec);
    }

    /** Sets the fields from the command line. */
    private void bind() {
        normalize = Specs.flag(spec, "--normalize");
        stripHex = Specs.flag(spec, "--strip-hex");
        output = Specs.value(spec, "--output");
        pprof = PprofFlags.of(spec);
        before = Specs.positional(spec, 0);
        after = Specs.positional(spec, 1);
    }

    @Override
    public Integer call() throws IOException {
        bind();
        if (before.equals("-") && after.equals("-")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "only one of BEFORE and AFTER can be standard input");
        }
        FoldedProfile first = readInput(before);
        FoldedProfile second = readInput(after);
        DiffProfile diff = DiffProfile.of(first, second,
                DiffOptions.builder().normalize(normalize).stripHex(stripHex).build());
        if (output == null) {
            OutputStream out = new BufferedOutputStream(flame.stdout(), 1 << 16);
            diff.write(out);
        } else {
            AtomicOutput.write(output, diff::write);
        }
        return ExitCodes.OK;
    }

    /**
     * Opens one input ("-" is standard input). The one place that knows the input format: folded
     * stacks (a bad line is an error), a pprof profile, or perf script text (collapsed first).
     */
    FoldedProfile readInput(String file) throws IOException {
        Path path = Path.of(file);
        String source = Inputs.sourceName(path);
        try (InputStream in = Inputs.open(path, flame.stdin())) {
            BufferedInputStream b = ProfileLoader.sniffable(in);
            FoldedProfile p = CliProfiles.readIfNotFolded(b, source, pprof, flame);
            return p != null ? p : FoldedProfile.read(b, source);
        }
    }
}
