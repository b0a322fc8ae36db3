package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Comparison;
import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.flamegraph.diff.DiffOptions;
import io.github.stackfold.flamegraph.diff.DiffProfile;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;
import io.github.stackfold.flamegraph.render.FoldedSamples;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code flame compare}: two profiles (idle and under load, say) as a differential flame graph plus
 * the category shares before and after and the functions that grew most.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        header = "Compare two profiles: a differential graph and category deltas.",
        defaultValueProvider = CompareCommand.Defaults.class,
        description = {"Compares two profiles (any format): writes DIR/compare.svg (a differential flame graph of"
                + " AFTER, red where a stack's share grew, blue where it shrank; BEFORE is scaled to AFTER's total),"
                + " DIR/compare.folded (the differential folded stacks) and DIR/compare.json, and prints the"
                + " category shares before and after with their deltas and the functions whose self share grew most."
                + " Without --rules, the rules follow the program profiled when both profiles are of the same one"
                + " (etcd's for two etcd profiles), as analyze's do; kube-apiserver's otherwise."})
final class CompareCommand implements Callable<Integer> {
    @ParentCommand
    FlameCli flame;

    @Spec
    CommandSpec spec;

    @Mixin
    RulesFlag rules;

    @Mixin
    ReportFlags report;

    @Mixin
    OutputDirFlag outputDir;

    @Mixin
    SymbolFlags symbols;

    @Parameters(index = "0", paramLabel = "BEFORE", description = "The first profile (- for standard input).")
    String before;

    @Parameters(index = "1", paramLabel = "AFTER", description = "The second profile (- for standard input).")
    String after;

    /** compare writes into the current directory unless told otherwise. */
    static final class Defaults extends OptionDefault {
        Defaults() {
            super("--output-dir", ".");
        }
    }

    @Override
    public Integer call() throws IOException {
        if (before.equals("-") && after.equals("-")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "only one of BEFORE and AFTER can be standard input");
        }
        int top = report.top();
        Rules explicit = rules.explicitRules();
        CliProfiles.Loaded b = CliProfiles.load(before, flame, symbols);
        CliProfiles.Loaded a = CliProfiles.load(after, flame, symbols);
        // without --rules, as analyze: the rules of the program profiled when both profiles are of the
        // same one (etcd's for two etcd profiles), kube-apiserver's otherwise
        Rules chosen = explicit != null ? explicit
                : Rules.forProgram(java.util.Objects.equals(b.program(), a.program()) ? a.program() : null);
        Analyzer analyzer = Analyzer.create(new Analyzer.Options(chosen, top));
        Comparison comparison = Comparison.of(analyzer.analyze(b.profile(), b.samples()),
                analyzer.analyze(a.profile(), a.samples()), top);
        // the graph compares the same names the table does: vendor prefixes removed on both sides
        DiffProfile diff = DiffProfile.of(analyzer.normalize(b.profile()), analyzer.normalize(a.profile()),
                DiffOptions.defaults().withNormalize(true));

        Path dir = outputDir.dir;
        Files.createDirectories(dir);
        Path svg = dir.resolve("compare.svg");
        Path folded = dir.resolve("compare.folded");
        Path jsonFile = dir.resolve("compare.json");
        AtomicOutput.write(folded, diff::write);
        AtomicOutput.write(jsonFile, comparison::writeJson);
        FlameGraphOptions options = FlameGraphOptions.builder()
                .title("Differential flame graph")
                .subtitle(b.name() + " -> " + a.name() + " (red grew, blue shrank)")
                .build();
        AtomicOutput.write(svg, out -> FlameGraphRenderer.of(options).render(FoldedSamples.of(diff), out));

        OutputStream out = flame.stdout();
        if (report.json) {
            comparison.writeJson(out);
        } else {
            String head = "before " + b.name() + "\nafter  " + a.name() + "\n";
            out.write((head + comparison.toText()).getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        flame.stderr().println("flame: wrote " + svg + ", " + folded + ", " + jsonFile);
        return ExitCodes.OK;
    }
}
