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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code flame compare}: two profiles (idle and under load, say) as a differential flame graph plus
 * the category shares before and after and the functions that grew most.
 */
final class CompareCommand implements Callable<Integer> {
    final FlameCli flame;

    private CommandSpec spec;

    String rules;

    int top;

    Path outputDir;

    boolean json;

    String before;

    String after;

    CompareCommand(FlameCli flame) {
        this.flame = flame;
    }

    /** This command's model: its name, description, options and parameters. */
    CommandSpec spec() {
        spec = Specs.command(this, "compare",
                "Compares two profiles (any format): writes DIR/compare.svg (a differential flame graph of "
                + "AFTER, red where a stack's share grew, blue where it shrank; BEFORE is scaled to AFTER's total), "
                + "DIR/compare.folded (the differential folded stacks) and DIR/compare.json, and prints the "
                + "category shares before and after with their deltas and the functions whose self share grew most.");
        spec.addOption(Specs.option("--rules", "FILE", String.class)
                .description("Category rules, a JSON or YAML file, or a built-in set: kube-apiserver (default), etcd, jvm.")
                .build());
        spec.addOption(Specs.option("--top", "N", int.class).defaultValue("10")
                .description("How many grown functions to list (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.option("--output-dir", "DIR", Path.class).defaultValue(".")
                .description("Where compare.svg, compare.folded and compare.json go (default: the current directory).")
                .build());
        spec.addOption(Specs.flag("--json", "Print the comparison as JSON instead of the table."));
        spec.addPositional(PositionalParamSpec.builder().index("0").paramLabel("BEFORE").required(true).type(String.class)
                .description("The first profile (- for standard input).").build());
        spec.addPositional(PositionalParamSpec.builder().index("1").paramLabel("AFTER").required(true).type(String.class)
                .description("The second profile (- for standard input).").build());
        return Specs.withHelpOptions(spec);
    }

    /** Sets the fields from the command line. */
    private void bind() {
        rules = Specs.value(spec, "--rules");
        top = Specs.value(spec, "--top");
        outputDir = Specs.value(spec, "--output-dir");
        json = Specs.flag(spec, "--json");
        before = Specs.positional(spec, 0);
        after = Specs.positional(spec, 1);
    }

    @Override
    public Integer call() throws IOException {
        bind();
        if (before.equals("-") && after.equals("-")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "only one of BEFORE and AFTER can be standard input");
        }
        if (top < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1, got " + top);
        }
        Rules r = CliProfiles.rules(rules);
        Analyzer analyzer = Analyzer.create(Analyzer.Options.builder().rules(r).top(top).build());
        CliProfiles.Loaded b = CliProfiles.load(before, flame);
        CliProfiles.Loaded a = CliProfiles.load(after, flame);
        Comparison comparison = Comparison.of(analyzer.analyze(b.profile(), b.samples()),
                analyzer.analyze(a.profile(), a.samples()), top);
        // the graph compares the same names the table does: vendor prefixes removed on both sides
        DiffProfile diff = DiffProfile.of(analyzer.normalize(b.profile()), analyzer.normalize(a.profile()),
                DiffOptions.builder().normalize(true).build());

        Files.createDirectories(outputDir);
        Path svg = outputDir.resolve("compare.svg");
        Path folded = outputDir.resolve("compare.folded");
        Path jsonFile = outputDir.resolve("compare.json");
        AtomicOutput.write(folded, diff::write);
        AtomicOutput.write(jsonFile, comparison::writeJson);
        FlameGraphOptions options = FlameGraphOptions.builder()
                .title("Differential flame graph")
                .subtitle(b.name() + " -> " + a.name() + " (red grew, blue shrank)")
                .build();
        AtomicOutput.write(svg, out -> FlameGraphRenderer.of(options).render(FoldedSamples.of(diff), out));

        OutputStream out = flame.stdout();
        if (json) {
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
