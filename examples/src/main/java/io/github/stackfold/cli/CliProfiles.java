package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.collapse.CollapseListener;
import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.CollapseStats;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.folded.ProfileMeta;
import io.github.stackfold.flamegraph.io.ProfileInput;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.flamegraph.perfdata.PerfDataCollapser;
import io.github.stackfold.flamegraph.pprof.PprofOptions;
import io.github.stackfold.flamegraph.pprof.PprofReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

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

    /**
     * A profile, its name for messages, its sample count (-1 when the weights are the count) and the
     * program it is of (a pprof profile's main binary, else the root frame that perf's collapsed stacks
     * start with, see {@link io.github.stackfold.flamegraph.analyze.Rules#programOf}; empty when unknown).
     */
    record Loaded(String name, FoldedProfile profile, long samples, String program) {
        Loaded(String name, FoldedProfile profile, long samples) {
            this(name, profile, samples, io.github.stackfold.flamegraph.analyze.Rules.programOf(profile));
        }
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
        boolean perfScript = in.kind() == ProfileInput.Kind.PERF_SCRIPT;
        FoldedProfile folded = loader(perf, pprof.options(), flame, symbols).load(in);
        perf.warn(flame);
        if (perfScript) {
            hintUnnamed(folded, flame);
        }
        return folded;
    }

    /**
     * Any profile with its sample count kept apart from the weights where the input has one: a pprof
     * profile's weights are CPU nanoseconds, perf script's may be periods. A pprof profile whose samples
     * carry the labels verb or resource gets them as root frames ({@link Analyzer#VERB_LABEL}).
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
                PerfDataCollapser.Result r = warnIfCut(SymbolFlags.perfData(symbols, flame).build().collapse(in.stream(),
                        in.source()), in.source(), flame);
                return new Loaded(in.source(), r.profile(), r.profile().meta().samples());
            }
            if (in.kind() == ProfileInput.Kind.PPROF) {
                byte[] data = in.stream().readAllBytes();
                // requests named by pprof labels: their verb and resource become root frames the analysis reads
                List<String> keys = PprofReader.labelKeys(data, in.source());
                if (keys.contains(Analyzer.VERB_LABEL) || keys.contains(Analyzer.RESOURCE_LABEL)) {
                    loader = loader(perf, PprofOptions.builder().tag(Analyzer.VERB_LABEL).tag(Analyzer.RESOURCE_LABEL).build(), flame, symbols);
                }
                FoldedProfile folded = loader.load(new ByteArrayInputStream(data), in.source());
                return new Loaded(in.source(), folded, pprofSamples(data, in.source()), pprofBinary(data, in.source()));
            }
            boolean perfScript = in.kind() == ProfileInput.Kind.PERF_SCRIPT;
            FoldedProfile folded = loader.load(in);
            perf.warn(flame);
            if (perfScript) {
                hintUnnamed(folded, flame);
            }
            return new Loaded(in.source(), folded, perf.stats != null ? perf.stats.samples() : -1);
        }
    }

    /** A warning on standard error when perf was killed before it finished the recording; returns {@code r}. */
    static PerfDataCollapser.Result warnIfCut(PerfDataCollapser.Result r, String source, FlameCli flame) {
        if (r.info().cut()) {
            flame.stderr().println("flame: warning: " + source + ": " + r.info().cutMessage());
        }
        return r;
    }

    /**
     * A one-line hint on standard error when stacks hold unnamed frames of a program ({@code [etcd]},
     * {@code [kube-apiserver]}: a stripped Go binary perf could not name), saying how to name them. Not
     * for the kernel, vdso, shared libraries, JIT maps or {@code [unknown]} (no binary to read).
     */
    static void hintUnnamed(FoldedProfile profile, FlameCli flame) {
        hintUnnamed(profile, Analyzer.unnamedWeights(profile), flame);
    }

    /** The weights of {@link Analyzer#unnamedWeights} that are a program's ({@code etcd}, not the kernel's), by program. */
    private static java.util.Map<String, Long> programs(java.util.Map<String, Long> unnamedWeights) {
        java.util.Map<String, Long> by = new java.util.TreeMap<>(unnamedWeights);
        by.keySet().removeIf(b -> !io.github.stackfold.flamegraph.analyze.Report.isProgram(b));
        return by;
    }

    /**
     * How many of a recording's samples have a program's frames left unnamed, for a summary line:
     * {@code no program frame left unnamed}, or {@code 12.5% of samples in unnamed [etcd] frames}.
     */
    static String unnamedClause(FoldedProfile profile, java.util.Map<String, Long> unnamedWeights) {
        java.util.Map<String, Long> by = programs(unnamedWeights);
        long w = by.values().stream().mapToLong(Long::longValue).sum();
        if (w == 0 || profile.total() <= 0) {
            return "no program frame left unnamed";
        }
        String names = by.keySet().stream().map(b -> "[" + b + "]").collect(java.util.stream.Collectors.joining(", "));
        return String.format(java.util.Locale.ROOT, "%.1f%% of samples in unnamed %s frames", 100.0 * w / profile.total(),
                names);
    }

    /** {@link #hintUnnamed(FoldedProfile, FlameCli)} with the profile's {@link Analyzer#unnamedWeights} found already. */
    static void hintUnnamed(FoldedProfile profile, java.util.Map<String, Long> unnamedWeights, FlameCli flame) {
        hintUnnamed(profile, unnamedWeights, flame, null);
    }

    /**
     * As {@link #hintUnnamed(FoldedProfile, java.util.Map, FlameCli)}, for a command that reads a profile
     * ({@code remedy} null: name them with --binary on this command, or record with flame record or
     * flame profile), or with the remedy of the command that recorded (%s: the program's name).
     */
    static void hintUnnamed(FoldedProfile profile, java.util.Map<String, Long> unnamedWeights, FlameCli flame, String remedy) {
        if (profile.total() <= 0) {
            return;
        }
        java.util.Map<String, Long> by = programs(unnamedWeights);
        if (by.isEmpty()) {
            return;
        }
        long w = by.values().stream().mapToLong(Long::longValue).sum();
        if ((double) w / profile.total() < io.github.stackfold.flamegraph.analyze.Report.CANNOT_TELL) {
            return; // a few unnamed frames of tools that ran alongside (bash, git, perl) are no reason to stop a user
        }
        String names = by.keySet().stream().map(b -> "[" + b + "]").collect(java.util.stream.Collectors.joining(", "));
        String first = by.keySet().iterator().next();
        String how = remedy != null ? String.format(java.util.Locale.ROOT, remedy, first)
                : "name them with --binary PATH/" + first + " (on this command or flame collapse), or record with 'flame record' or"
                + " 'flame profile', which name Go frames";
        flame.stderr().println(String.format(java.util.Locale.ROOT, "flame: hint: %.1f%% of samples have unnamed %s frames"
                + " (a stripped binary perf cannot name; a Go one is named from its .gopclntab): %s",
                100.0 * w / profile.total(), names, how));
    }

    /**
     * A flame graph's or viewer's subtitle with the verdict on the unnamed frames of what it draws
     * ({@link io.github.stackfold.flamegraph.analyze.Analyzer#unnamedFrames}) after it, short:
     * {@code cannot tell: 100.0% of CPU is in unnamed kube-apiserver frames; name them: flame flamegraph
     * --binary ./kube-apiserver perf.data}; the subtitle alone when the frames are named.
     */
    static String withVerdict(String subtitle, io.github.stackfold.flamegraph.analyze.Report unnamed, String command) {
        String brief = unnamed.graphVerdict(command);
        return brief.isEmpty() ? subtitle : subtitle.isEmpty() ? brief : subtitle + "; " + brief;
    }

    /**
     * The verdict on unnamed frames in full words ({@link io.github.stackfold.flamegraph.analyze.Report#verdict()}
     * and its remedy) when a flame graph states it ({@link io.github.stackfold.flamegraph.analyze.Report#graphVerdict}),
     * else empty: what the viewer shows under its bar.
     */
    static String fullVerdict(io.github.stackfold.flamegraph.analyze.Report unnamed) {
        return !unnamed.graphVerdict("analyze").isEmpty() ? unnamed.verdict() + "; " + unnamed.remedy() : "";
    }

    /**
     * The short verdict ({@link io.github.stackfold.flamegraph.analyze.Report#graphVerdict}) on standard
     * error as a hint, when there is one: {@code flame: hint: cannot tell: ...; name them: flame COMMAND
     * --binary ./kube-apiserver perf.data}.
     */
    static void hintVerdict(io.github.stackfold.flamegraph.analyze.Report unnamed, String command, FlameCli flame) {
        String brief = unnamed.graphVerdict(command);
        if (!brief.isEmpty()) {
            flame.stderr().println("flame: hint: " + brief);
        }
    }

    /**
     * Starts {@code work} on a daemon thread of its own (named {@code name}) and returns it, to be
     * {@link #join joined} when its result is needed: for work that can overlap writing the output.
     */
    static <T> java.util.concurrent.FutureTask<T> onItsOwnThread(String name, java.util.concurrent.Callable<T> work) {
        java.util.concurrent.FutureTask<T> task = new java.util.concurrent.FutureTask<>(work);
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
        return task;
    }

    /**
     * The result of a task that runs on another thread, once it is done (an interrupt meanwhile is
     * kept for later); what it threw is thrown here.
     */
    static <T> T join(java.util.concurrent.FutureTask<T> task) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
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

    /** A pprof profile's main binary ({@code kube-apiserver}, {@code etcd}), empty when it names none. */
    private static String pprofBinary(byte[] data, String name) {
        try {
            return PprofReader.create().read(data, name).binary();
        } catch (StackfoldException noCpu) {
            return "";
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

    /**
     * Warns that {@code file}'s counts are in another unit than the inputs before it (null: plain counts),
     * so the merged weights add unlike quantities and are drawn as plain counts:
     * {@code flame: warning: b.pb counts cpu-nanoseconds, the inputs before it samples: ...}.
     */
    static void warnUnits(FlameCli flame, ProfileMeta before, ProfileMeta file, String name) {
        flame.stderr().println("flame: warning: " + name + " counts " + unit(file) + ", the inputs before it " + unit(before)
                + ": their counts are added as they are and shown as plain counts (give inputs of one kind, or"
                + " --value samples for pprof)");
    }

    private static String unit(ProfileMeta m) {
        if (m == null || m.plain()) {
            return "samples";
        }
        return m.weight().key() + (m.event().isEmpty() ? "" : " of " + m.event());
    }
}
