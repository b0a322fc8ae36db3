package io.github.stackfold.examples;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Report;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The README's library example: load any profile (perf script, folded, pprof), write a flame graph
 * and print what share of CPU went to authentication and authorization.
 * Run: {@code java -cp examples/target/flame.jar io.github.stackfold.examples.LibraryExample PROFILE OUT.svg}
 */
public final class LibraryExample {
    private LibraryExample() {
    }

    public static void main(String[] args) throws Exception {
        FoldedProfile profile = ProfileLoader.create().load(Path.of(args[0]));
        try (OutputStream svg = Files.newOutputStream(Path.of(args[1]))) {
            FlameGraphRenderer.of(FlameGraphOptions.builder().title("kube-apiserver").build()).render(profile, svg);
        }
        Report report = Analyzer.withDefaults().analyze(profile);
        for (String c : new String[] {"authentication", "authorization"}) {
            System.out.printf("%s: %.1f%%%n", c, 100 * report.category(c).map(Report.CategoryShare::inclusive).orElse(0.0));
        }
    }
}
