package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.flamegraph.folded.FoldedProfile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Loading profiles and rule files for the analysis commands. */
final class CliProfiles {
    private CliProfiles() {
    }

    /** A profile, its name for messages and its sample count (-1 when the weights are the count). */
    record Loaded(String name, FoldedProfile profile, long samples) {
    }

    static Loaded load(String arg, FlameCli flame) throws IOException {
        if (arg.equals("-")) {
            return new Loaded("<stdin>", FoldedProfile.read(flame.stdin(), "<stdin>"), -1);
        }
        Path p = Path.of(arg);
        if (!Files.exists(p)) {
            throw new NoSuchFileException(arg);
        }
        try (InputStream in = Files.newInputStream(p)) {
            return new Loaded(arg, FoldedProfile.read(in, arg), -1);
        }
    }

    /** The default rules, a built-in set by name, or a rule file. */
    static Rules rules(String arg) throws IOException {
        if (arg == null) {
            return Rules.kubeApiserver();
        }
        Path p = Path.of(arg);
        if (!Files.exists(p) && Rules.BUILT_IN.contains(arg)) {
            return Rules.builtIn(arg);
        }
        if (!Files.exists(p)) {
            throw new NoSuchFileException(arg + " (rules: a JSON or YAML file, or one of " + Rules.BUILT_IN + ")");
        }
        return Rules.read(p);
    }

    static String builtInRulesText(String name) {
        if (!Rules.BUILT_IN.contains(name)) {
            throw new BadInputException("--rules", "no built-in rules named '" + name + "'; there are " + Rules.BUILT_IN);
        }
        return Rules.builtInText(name);
    }
}
