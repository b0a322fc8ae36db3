package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.flamegraph.collapse.CollapseListener;
import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.CollapseStats;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.flamegraph.pprof.PprofOptions;
import io.github.stackfold.flamegraph.pprof.PprofReader;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
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

    /**
     * Any profile {@link ProfileLoader} reads (pprof, folded, perf script; compressed or not), from a
     * file or standard input ("-"). The sample count is kept apart from the weights where the input
     * has one: a pprof profile's weights are CPU nanoseconds, perf script's may be periods. Lines perf
     * script text holds that are of no known shape are skipped and counted on standard error.
     */
    static Loaded load(String arg, FlameCli flame) throws IOException {
        PerfListener perf = new PerfListener();
        ProfileLoader loader = loader(perf);
        if (arg.equals("-")) {
            // streamed: only a pprof profile (small) is held whole, to count its samples too
            BufferedInputStream in = ProfileLoader.sniffable(flame.stdin());
            if (ProfileLoader.detect(in) == ProfileLoader.Format.PPROF) {
                byte[] data = in.readAllBytes();
                FoldedProfile folded = loader.load(new ByteArrayInputStream(data), "<stdin>");
                return new Loaded("<stdin>", folded, pprofSamples(data, "<stdin>"));
            }
            FoldedProfile folded = loader.load(in, "<stdin>");
            perf.warn(flame);
            return new Loaded("<stdin>", folded, perf.stats != null ? perf.stats.samples() : -1);
        }
        Path p = Path.of(arg);
        if (!Files.exists(p)) {
            throw new NoSuchFileException(arg);
        }
        FoldedProfile folded = loader.load(p);
        perf.warn(flame);
        if (perf.stats != null) {
            return new Loaded(arg, folded, perf.stats.samples());
        }
        long samples = -1;
        // by content after decompression: a gzipped folded file is no pprof profile (reading it whole
        // to find out held all of its decompressed text at once)
        try (InputStream in = Files.newInputStream(p)) {
            BufferedInputStream b = ProfileLoader.sniffable(in);
            if (ProfileLoader.detect(b) == ProfileLoader.Format.PPROF) {
                samples = pprofSamples(b.readAllBytes(), arg);
            }
        }
        return new Loaded(arg, folded, samples);
    }

    /**
     * For the commands that read folded text their own way (flamegraph, diff): a pprof profile read
     * with {@code pprof}'s flags, or perf script text (stack lines in its first 64 kB) collapsed with
     * flame collapse's defaults, its unknown lines counted on standard error; null, with nothing
     * consumed, for anything else (folded text, or garbage the caller's reader reports).
     */
    static FoldedProfile readIfNotFolded(BufferedInputStream in, String source, PprofFlags pprof, FlameCli flame)
            throws IOException {
        switch (ProfileLoader.detect(in)) {
            case PPROF:
                return pprof.loader().load(in, source);
            case PERF_SCRIPT:
                if (!ProfileLoader.hasStackLines(in)) {
                    return null;
                }
                PerfListener perf = new PerfListener();
                FoldedProfile folded = loader(perf).load(in, source);
                perf.warn(flame);
                return folded;
            default:
                return null;
        }
    }

    /** A loader for every format; perf script text is collapsed with flame collapse's defaults. */
    static ProfileLoader loader(CollapseListener listener) {
        PerfCollapser perf = PerfCollapser.create(CollapseOptions.builder().listener(listener).build());
        return ProfileLoader.builder().perfScript(perf::collapse).build();
    }

    /** Hears what collapsing perf script text found: the sample count and the skipped lines. */
    private static final class PerfListener implements CollapseListener {
        CollapseStats stats;
        String firstBadLine;

        @Override
        public void badLine(BadInputException problem) {
            if (firstBadLine == null) {
                firstBadLine = problem.getMessage();
            }
        }

        @Override
        public void finished(CollapseStats s) {
            stats = s;
        }

        void warn(FlameCli flame) {
            if (stats != null && stats.badLines() > 0) {
                flame.stderr().println("flame: warning: skipped " + stats.badLines()
                        + " line(s) of no known perf script shape; the first: " + firstBadLine);
            }
        }
    }

    /** The number of samples of a pprof profile (its samples/count type), -1 when it is none or has none. */
    private static long pprofSamples(byte[] data, String name) {
        if (!PprofReader.isGzip(data, data.length) && !PprofReader.looksLikeProfile(data, data.length)) {
            return -1;
        }
        try {
            return PprofReader.create(PprofOptions.builder().sampleType("samples").build()).read(data, name)
                    .folded().total();
        } catch (StackfoldException notPprofOrNoCount) {
            return -1;
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
