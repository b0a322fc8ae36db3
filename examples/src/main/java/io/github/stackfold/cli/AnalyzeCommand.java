package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Report;
import io.github.stackfold.flamegraph.analyze.RequestMetrics;
import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.lab.MetricsSource;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code flame analyze}: hot paths, top functions, CPU by category and API calls of one profile. */
@Command(name = "analyze", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        header = "Answer the lab's questions for one profile.",
        description = {"Answers the lab's questions for one profile: samples and CPU time, top functions by self and"
                + " inclusive share, hottest paths, CPU by category (exclusive and inclusive) and cost per API verb"
                + " and resource.",
                "PROFILE is a pprof profile, a perf.data, folded stacks, perf script output or a flame graph SVG"
                + " (- for standard input). Without --rules, the rules follow the program profiled: etcd's for etcd (a pprof profile's"
                + " binary, or the process name perf's stacks start with), kube-apiserver's otherwise.",
                "'flame analyze --rules show:NAME' prints a built-in rules file to start your own."})
final class AnalyzeCommand implements Callable<Integer> {
    @ParentCommand
    FlameCli flame;

    @Spec
    CommandSpec spec;

    @Mixin
    RulesFlag rules;

    @Mixin
    ReportFlags report;

    @Mixin
    MetricsFlags metrics;

    @Mixin
    SymbolFlags symbols;

    @Parameters(arity = "0..1", paramLabel = "PROFILE", description = "The profile to analyze.")
    String profile;

    @Override
    public Integer call() throws Exception {
        OutputStream out = flame.stdout();
        if (rules.shown() != null) {
            out.write(RulesFlag.builtInText(rules.shown()).getBytes(StandardCharsets.UTF_8));
            out.flush();
            return ExitCodes.OK;
        }
        if (profile == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "analyze: missing PROFILE (a pprof profile,"
                    + " perf.data, folded stacks, perf script output or a flame graph SVG; - for standard input)");
        }
        MetricsSource ms = metrics.source("kubectl");
        // the request counts first: a bad metrics file is refused before the profile is read
        RequestMetrics requests = ms == null ? null : ms.live() ? RequestMetrics.of(ms.snapshot(flame.stdin())) : ms.fromFiles(flame.stdin());
        if (ms != null && ms.live()) {
            flame.stderr().println("flame: note: analyze reads a live --metrics once: its counts since the server started,"
                    + " not the profile's window (save /metrics at the window's start and end, or use 'flame profile --metrics')");
        }
        Rules explicit = rules.explicitRules();
        int top = report.top();
        CliProfiles.Loaded loaded = CliProfiles.load(profile, flame, symbols);
        // without --rules, the rules of the program profiled: etcd's for etcd, kube-apiserver's otherwise
        Analyzer analyzer = Analyzer.create(
                new Analyzer.Options(explicit != null ? explicit : Rules.forProgram(loaded.program()), top));
        Report result = analyzer.analyze(loaded.profile(), loaded.samples());
        if (report.json && requests != null) {
            // the report's JSON plus requestMetrics: the estimates by resource
            com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.node.ObjectNode root =
                    (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(result.toJson());
            root.set("requestMetrics", mapper.readTree(requests.toJson(result)));
            out.write((mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } else if (report.json) {
            result.writeJson(out);
        } else {
            out.write(("profile " + loaded.name() + "\n").getBytes(StandardCharsets.UTF_8));
            out.write(result.toText(requests).getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        return ExitCodes.OK;
    }
}
