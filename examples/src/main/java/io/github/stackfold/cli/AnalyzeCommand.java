package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Report;
import io.github.stackfold.flamegraph.analyze.Rules;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code flame analyze}: hot paths, top functions, CPU by category and API calls of one profile. */
final class AnalyzeCommand implements Callable<Integer> {
    final FlameCli flame;
    private CommandSpec spec;

    String rules;

    int top;

    boolean json;

    String profile;

    AnalyzeCommand(FlameCli flame) {
        this.flame = flame;
    }

    /** This command's model: its name, description, options and parameters. */
    CommandSpec spec() {
        spec = Specs.command(this, "analyze",
                "Answers the lab's questions for one profile: total and samples, top functions by self and "
                + "inclusive share, hottest paths, CPU by category (exclusive and inclusive) and cost per API "
                + "verb and resource.",
                "PROFILE is folded stacks, perf script output or a pprof profile (- for standard input).");
        spec.addOption(Specs.option("--rules", "FILE", String.class)
                .description("Category rules, a JSON or YAML file, or a built-in set: kube-apiserver (default), etcd, jvm. "
                    + "'--rules show:NAME' prints a built-in file to start your own.").build());
        spec.addOption(Specs.option("--top", "N", int.class).defaultValue("10")
                .description("How many functions and paths each top list shows (default: ${DEFAULT-VALUE}).").build());
        spec.addOption(Specs.flag("--json", "Print the report as JSON instead of text."));
        spec.addPositional(PositionalParamSpec.builder().index("0").arity("0..1").paramLabel("PROFILE").type(String.class)
                .description("The profile to analyze.").build());
        return Specs.withHelpOptions(spec);
    }

    /** Sets the fields from the command line. */
    private void bind() {
        rules = Specs.value(spec, "--rules");
        top = Specs.value(spec, "--top");
        json = Specs.flag(spec, "--json");
        profile = Specs.positional(spec, 0);
    }

    @Override
    public Integer call() throws Exception {
        bind();
        OutputStream out = flame.stdout();
        if (rules != null && rules.startsWith("show:")) {
            out.write(CliProfiles.builtInRulesText(rules.substring(5)).getBytes(StandardCharsets.UTF_8));
            out.flush();
            return ExitCodes.OK;
        }
        if (profile == null) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "analyze: missing PROFILE");
        }
        if (top < 1) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "analyze: --top must be at least 1, got " + top);
        }
        Rules r = CliProfiles.rules(rules);
        Analyzer analyzer = Analyzer.create(Analyzer.Options.builder().rules(r).top(top).build());
        CliProfiles.Loaded loaded = CliProfiles.load(profile, flame);
        Report report = analyzer.analyze(loaded.profile(), loaded.samples());
        if (json) {
            report.writeJson(out);
        } else {
            out.write(("profile " + loaded.name() + "\n").getBytes(StandardCharsets.UTF_8));
            out.write(report.toText().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        return ExitCodes.OK;
    }
}
