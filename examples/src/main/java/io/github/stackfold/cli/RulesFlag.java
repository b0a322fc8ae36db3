package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.analyze.Rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import picocli.CommandLine.Option;

/** {@code --rules} ({@code @Mixin}): the analysis categories of the commands that analyze a profile. */
final class RulesFlag {
    @Option(names = "--rules", paramLabel = "RULES",
            description = "Analysis categories: a JSON or YAML file, or a built-in set: kube-apiserver (the default;"
                    + " for 'flame profile', the recorded program's: etcd's for etcd), etcd or jvm.")
    String rules;

    /** The default rules, a built-in set by name, or a rule file. */
    Rules rules() throws IOException {
        if (rules == null) {
            return Rules.kubeApiserver();
        }
        Path p = Path.of(rules);
        if (!Files.exists(p) && Rules.BUILT_IN.contains(rules)) {
            return Rules.builtIn(rules);
        }
        if (!Files.exists(p)) {
            throw new NoSuchFileException(rules + " (rules: a JSON or YAML file, or one of " + Rules.BUILT_IN + ")");
        }
        return Rules.read(p);
    }

    /** The rules given with {@code --rules}, or null when none were (the caller chooses by the program). */
    Rules explicitRules() throws IOException {
        return rules == null ? null : rules();
    }

    /** The name after {@code show:} ({@code --rules show:etcd}), or null. */
    String shown() {
        return rules != null && rules.startsWith("show:") ? rules.substring(5) : null;
    }

    /** The text of the built-in rules {@code name}. */
    static String builtInText(String name) {
        if (!Rules.BUILT_IN.contains(name)) {
            throw new BadInputException("--rules", "no built-in rules named '" + name + "'; there are " + Rules.BUILT_IN);
        }
        return Rules.builtInText(name);
    }
}
