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
 * and print the analysis (shares of CPU by category, authentication and authorization among them,
 * each with its 95 % margin).
 * Run: {@code java -cp examples/target/flame.jar io.github.stackfold.examples.LibraryExample PROFILE OUT.svg}
 */
public final class LibraryExample {
    private LibraryExample() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {   // an example program, not library code: it may print and exit
            System.err.println("usage: java -cp examples/target/flame.jar " + LibraryExample.class.getName() + " PROFILE OUT.svg");
            System.exit(64);
        }
        FoldedProfile profile = ProfileLoader.create().load(Path.of(args[0]));
        try (OutputStream svg = Files.newOutputStream(Path.of(args[1]))) {
            FlameGraphRenderer.of(FlameGraphOptions.builder().title("kube-apiserver").build()).render(profile, svg);
        }
        Report report = Analyzer.withDefaults().analyze(profile);
        System.out.println(report.toText());
    }
}
