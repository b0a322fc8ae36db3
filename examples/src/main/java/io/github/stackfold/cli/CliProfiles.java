package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.collapse.CollapseListener;
import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.CollapseStats;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileInput;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.flamegraph.perfdata.PerfDataCollapser;
import io.github.stackfold.flamegraph.pprof.PprofOptions;
import io.github.stackfold.flamegraph.pprof.PprofReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * How every command opens and reads its inputs: {@link #open} (a path or {@code -}, through
 * {@link ProfileInput}, refusing what is no profile with the same message for every command) and
 * {@link #read} (any profile to folded stacks). A command that reads some kinds its own way (collapse
 * folds perf script text with its flags, flamegraph keeps folded text's two-count lines) switches on
 * {@link ProfileInput#kind()} first and hands the rest to {@link #read}.
 */
final class CliProfiles {
    private CliProfiles() {
    }

    /** A profile, its name for messages and its sample count (-1 when the weights are the count). */
    record Loaded(String name, FoldedProfile profile, long samples) {
    }

    /**
     * Opens {@code arg} (a file, or standard input for {@code -}); what is no profile (an image, a
     * program, a directory, perf.data, text of no profile format ...) is refused here, so that every
     * command says the same.
     */
    static ProfileInput open(String arg, FlameCli flame) throws IOException {
        ProfileInput in = ProfileInput.open(arg, flame.stdin());
        if (!in.kind().isProfile()) {
            in.close();
            throw in.notAProfile();
        }
        return in;
    }

    /**
     * Any profile as folded stacks: pprof read with {@code pprof}'s flags, perf script text collapsed
     * with flame collapse's defaults (its unknown lines counted on standard error), folded text, a
     * flame graph SVG (a warning when its stacks do not add up to its root).
     */
    static FoldedProfile read(ProfileInput in, PprofFlags pprof, FlameCli flame) throws IOException {
        return read(in, pprof, flame, null);
    }

    /** {@link #read(ProfileInput, PprofFlags, FlameCli)} naming frames with the symbol flags (null: none given). */
    static FoldedProfile read(ProfileInput in, PprofFlags pprof, FlameCli flame, SymbolFlags symbols) throws IOException {
        PerfListener perf = new PerfListener();
        FoldedProfile folded = loader(perf, pprof.options(), flame, symbols).load(in);
        perf.warn(flame);
        return folded;
    }

    /**
     * Any profile with its sample count kept apart from the weights where the input has one: a pprof
     * profile's weights are CPU nanoseconds, perf script's may be periods.
     */
    static Loaded load(String arg, FlameCli flame) throws IOException {
        return load(arg, flame, null);
    }

    /** {@link #load(String, FlameCli)} naming frames with the symbol flags (null: none given). */
    static Loaded load(String arg, FlameCli flame, SymbolFlags symbols) throws IOException {
        try (ProfileInput in = open(arg, flame)) {
            PerfListener perf = new PerfListener();
            ProfileLoader loader = loader(perf, PprofOptions.defaults(), flame, symbols);
            if (in.kind() == ProfileInput.Kind.PERF_DATA) {
                // perf.data: the weights are periods, the sample count is the recording's
                PerfDataCollapser.Result r = SymbolFlags.perfData(symbols, flame).build().collapse(in.stream(), in.source());
                return new Loaded(in.source(), r.profile(), r.profile().meta().samples());
            }
            if (in.kind() == ProfileInput.Kind.PPROF) {
                byte[] data = in.stream().readAllBytes();
                FoldedProfile folded = loader.load(new ByteArrayInputStream(data), in.source());
                return new Loaded(in.source(), folded, pprofSamples(data, in.source()));
            }
            FoldedProfile folded = loader.load(in);
            perf.warn(flame);
            return new Loaded(in.source(), folded, perf.stats != null ? perf.stats.samples() : -1);
        }
    }

    /** A loader for every format; perf script text is collapsed with flame collapse's defaults. */
    private static ProfileLoader loader(CollapseListener listener, PprofOptions pprof, FlameCli flame, SymbolFlags symbols) {
        PerfCollapser perf = PerfCollapser.create(CollapseOptions.builder().listener(listener)
                .symbolizer(SymbolFlags.goSymbolizer(symbols, flame)).build());
        return ProfileLoader.builder().pprof(pprof).perfScript(perf::collapse)
                .perfData(SymbolFlags.perfData(symbols, flame).build())
                .onWarning(w -> flame.stderr().println("flame: warning: " + w)).build();
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

    /** The number of samples of a pprof profile (its samples/count type), -1 when it has none. */
    private static long pprofSamples(byte[] data, String name) {
        try {
            return PprofReader.create(PprofOptions.builder().sampleType("samples").build()).read(data, name)
                    .folded().total();
        } catch (StackfoldException noCount) {
            return -1;
        }
    }
}
