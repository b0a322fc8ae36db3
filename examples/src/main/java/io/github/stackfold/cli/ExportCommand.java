package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.export.ExportProfile;
import io.github.stackfold.flamegraph.export.PprofWriter;
import io.github.stackfold.flamegraph.export.SpeedscopeWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code flame export}: any profile to the file format of another viewer: pprof ({@link PprofWriter}),
 * speedscope ({@link SpeedscopeWriter}) or folded stacks by a chosen value.
 */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        header = "Write a profile for pprof, speedscope or as folded stacks.",
        sortOptions = false,
        description = {"Writes a profile for the tools users already have: --format pprof (gzipped profile.proto for"
                + " go tool pprof, with samples/count and cpu/nanoseconds where known, and the period, time, duration and"
                + " binary the input gives), speedscope (JSON, one profile per"
                + " process or thread of perf script input) or folded. Several inputs are merged; - is standard input."})
final class ExportCommand implements Callable<Integer> {
    /** The formats of --format. */
    enum Format { pprof, speedscope, folded }

    @ParentCommand
    FlameCli flame;

    @Option(names = "--format", paramLabel = "FORMAT", required = true,
            description = "pprof, speedscope or folded.")
    Format format;

    @Option(names = "--value", paramLabel = "VALUE", defaultValue = "weight",
            description = "speedscope and folded: samples (how many samples had each stack) or weight (perf periods, CPU"
                    + " nanoseconds; the default). pprof gets both.")
    ExportProfile.Value value;

    @Option(names = "--name", paramLabel = "TEXT", defaultValue = "profile",
            description = "speedscope: the profile's name (default: ${DEFAULT-VALUE}).")
    String name;

    @Mixin
    OutputFileFlag output;

    @Mixin
    SymbolFlags symbols;

    @Mixin
    ViewerInputs inputs;

    @Override
    public Integer call() throws IOException {
        ViewerInputs.Loaded in = inputs.load(flame, null, symbols, false);
        if (in.profile().isEmpty()) {
            throw inputs.noSamples();
        }
        if (in.export() == null) {
            // several inputs whose values share no type (a folded file's samples, a profile of CPU time only)
            throw new BadInputException(String.join(", ", inputs.files), "the inputs have no value type in common"
                    + " (samples, CPU nanoseconds, events) to merge; export them one by one");
        }
        if (in.diff() != null) {
            // no export format holds two counts a stack: say which one is written
            flame.stderr().println("flame: warning: " + (inputs.files.isEmpty() ? "-" : inputs.files.get(0))
                    + " is a diff (two counts a stack); exported its second (after) counts only");
        }
        output.write(flame, out -> write(in.export(), out));
        return ExitCodes.OK;
    }

    private void write(ExportProfile p, OutputStream out) throws IOException {
        switch (format) {
            case pprof:
                PprofWriter.write(p, out);
                break;
            case speedscope:
                SpeedscopeWriter.write(p, value, name, out);
                break;
            default:
                p.folded(value).write(out);
        }
    }
}
