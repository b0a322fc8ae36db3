package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofOptions;
import io.github.stackfold.flamegraph.pprof.PprofProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
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

    /** Folded stacks or a pprof profile (told apart by content), from a file or standard input ("-"). */
    static Loaded load(String arg, FlameCli flame) throws IOException {
        byte[] data;
        String name = arg.equals("-") ? "<stdin>" : arg;
        if (arg.equals("-")) {
            data = flame.stdin().readAllBytes();
        } else {
            Path p = Path.of(arg);
            if (!Files.exists(p)) {
                throw new NoSuchFileException(arg);
            }
            data = Files.readAllBytes(p);
        }
        if (PprofReader.isGzip(data, data.length) || PprofReader.looksLikeProfile(data, data.length)) {
            PprofProfile weights = PprofReader.create().read(data, name);
            long samples = -1;
            try {
                samples = PprofReader.create(PprofOptions.builder().sampleType("samples").build())
                        .read(data, name).folded().total();
            } catch (StackfoldException noCountType) {
                // a profile without a samples/count type: the weights are all we know
            }
            return new Loaded(name, weights.folded(), samples);
        }
        return new Loaded(name, FoldedProfile.read(new ByteArrayInputStream(data), name), -1);
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
