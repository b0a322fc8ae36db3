package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.diff.DiffProfile;
import io.github.stackfold.flamegraph.export.ExportProfile;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.folded.ProfileMeta;
import io.github.stackfold.flamegraph.html.RawStacks;
import io.github.stackfold.flamegraph.html.TimedProfile;
import io.github.stackfold.flamegraph.io.ProfileInput;
import io.github.stackfold.flamegraph.perfdata.PerfDataCollapser;
import io.github.stackfold.flamegraph.pprof.PprofOptions;
import io.github.stackfold.flamegraph.pprof.PprofProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Parameters;

/**
 * The inputs of {@code flame html} and {@code flame export} ({@code @Mixin}: their PROFILE arguments), opened
 * and told apart by {@link ProfileInput}
 * (what is no profile is refused as by every command):
 * perf script text is read sample by sample ({@link TimedProfile}: times for the heatmap, sample
 * counts beside the periods), a perf.data recording with its sample counts beside the periods, pprof profiles with both their sample count and their CPU time where
 * they have them, folded text with two counts per line as a diff, other folded text as it is.
 * Several inputs are merged (times and diffs then only when there is one input).
 */
final class ViewerInputs {
    @Parameters(paramLabel = "PROFILE", description = "Folded stacks (flame diff output too), pprof profiles, perf.data, perf script"
            + " text or flame graph SVGs (default: standard input; - is standard input).")
    List<String> files = new ArrayList<>();

    /**
     * What was read: exactly one of raw, timed, diff and export is the input's richest form. raw (only
     * when asked for): one folded input read as bytes for the HTML viewer, and then the only component.
     * perfData: the input was one perf.data recording, whose units ({@link FoldedProfile#meta()} of
     * profile: samples, event total or CPU time) the outputs state as the flame graph does.
     */
    record Loaded(FoldedProfile profile, TimedProfile timed, DiffProfile diff, ExportProfile export, RawStacks raw,
            boolean perfData) {
        Loaded(FoldedProfile profile, TimedProfile timed, DiffProfile diff, ExportProfile export) {
            this(profile, timed, diff, export, null, false);
        }

        boolean isEmpty() {
            return raw != null ? raw.isEmpty() : profile.isEmpty() && diff == null;
        }
    }

    /** The error (exit code 2) for inputs that hold no samples, naming them ({@code <stdin>} for none). */
    NoSamplesException noSamples() {
        return new NoSamplesException((files.isEmpty() ? "<stdin>" : String.join(", ", files)) + ": no samples");
    }

    /**
     * Reads the inputs; with {@code pprof} flags, pprof profiles are read with them (one weight),
     * without, with both their sample counts and CPU time; frames are named with the symbol flags (null:
     * none given); with {@code raw}, one folded input with one count per line is read as bytes
     * ({@link Loaded#raw()}: no String per stack, for the HTML viewer).
     */
    Loaded load(FlameCli flame, PprofFlags pprof, SymbolFlags symbols, boolean raw) throws IOException {
        List<String> fs = files.isEmpty() ? List.of("-") : files;
        if (fs.size() == 1) {
            return loadOne(fs.get(0), flame, pprof, symbols, raw);
        }
        FoldedProfile merged = FoldedProfile.empty();
        List<ExportProfile> exports = new ArrayList<>();
        for (String f : fs) {
            Loaded l = loadOne(f, flame, pprof, symbols, false);
            if (l.diff() != null) {
                throw new BadInputException(f, "a diff (two counts per line) cannot be merged with other inputs");
            }
            if (!merged.isEmpty() && !l.profile().isEmpty() && !ProfileMeta.sameUnit(merged.meta(), l.profile().meta())) {
                CliProfiles.warnUnits(flame, merged.meta(), l.profile().meta(), f);
            }
            merged = merged.merge(l.profile());
            exports.add(l.export());
        }
        // the values keep their types (nanoseconds stay nanoseconds) where every input has them; none in
        // common: no export (flame export refuses the inputs; the viewer draws the merged weights)
        ExportProfile export = ExportProfile.merge(exports).orElse(null);
        return new Loaded(merged, null, null, export);
    }

    private static Loaded loadOne(String file, FlameCli flame, PprofFlags pprof, SymbolFlags symbols, boolean raw)
            throws IOException {
        try (ProfileInput in = CliProfiles.open(file, flame)) {
            String source = in.source();
            switch (in.kind()) {
                case PPROF: {
                    if (pprof != null) {
                        FoldedProfile p = CliProfiles.read(in, pprof, flame, symbols);
                        return new Loaded(p, null, null, ExportProfile.of(p, ExportProfile.ValueType.parse(pprof.value)));
                    }
                    byte[] data = in.stream().readAllBytes();
                    PprofProfile cpuProfile = read(data, source, "cpu");
                    PprofProfile samplesProfile = read(data, source, "samples");
                    if (cpuProfile == null && samplesProfile == null) {
                        // neither type: the reader's default, whose error names what the profile has
                        PprofProfile any = PprofReader.create().read(data, source);
                        return new Loaded(any.folded(), null, null, ExportProfile.of(any.folded())
                                .withHeader(ExportProfile.Header.of(any)));
                    }
                    FoldedProfile cpu = cpuProfile == null ? null : cpuProfile.folded();
                    FoldedProfile samples = samplesProfile == null ? null : samplesProfile.folded();
                    FoldedProfile main = cpu != null ? cpu : samples;
                    ExportProfile e = cpu == null ? ExportProfile.of(samples)
                            : samples == null ? ExportProfile.of(cpu, ExportProfile.ValueType.CPU_NANOS)
                            : ExportProfile.of(samples, cpu);
                    // the profile's period, time, duration and main binary, as it has them
                    e = e.withHeader(ExportProfile.Header.of(cpuProfile != null ? cpuProfile : samplesProfile));
                    return new Loaded(main, null, null, e);
                }
                case PERF_SCRIPT: {
                    TimedProfile t = TimedProfile.readPerfScript(in.stream(), source,
                            CollapseOptions.builder().symbolizer(SymbolFlags.goSymbolizer(symbols, flame)).build());
                    return new Loaded(t.profile(), t, null, ExportProfile.of(t));
                }
                case FOLDED: {
                    if (hasTwoCounts(in.head())) {
                        DiffProfile d = DiffProfile.read(in.stream(), source);
                        FoldedProfile.Builder after = FoldedProfile.builder();
                        for (int i = 0; i < d.size(); i++) {
                            if (d.after(i) > 0) {
                                after.add(d.stack(i), d.after(i));
                            }
                        }
                        FoldedProfile a = after.build();
                        return new Loaded(a, null, d, ExportProfile.of(a));
                    }
                    if (raw) {
                        return new Loaded(null, null, null, null, RawStacks.readFolded(in.stream(), source), false);
                    }
                    FoldedProfile p = FoldedProfile.read(in.stream(), source);
                    return new Loaded(p, null, null, ExportProfile.of(p));
                }
                case PERF_DATA: {
                    // the periods with their units, and each stack's samples beside them (as for perf script text)
                    PerfDataCollapser.Result r = SymbolFlags.perfData(symbols, flame).build().collapse(in.stream(), source);
                    return new Loaded(r.profile(), null, null, ExportProfile.ofPerf(r.profile(), r.samples(), r.fixedPeriod()), null, true);
                }
                default: {
                    // a flame graph SVG and whatever else the input layer reads
                    FoldedProfile p = CliProfiles.read(in, pprof != null ? pprof : defaultPprofFlags(), flame, symbols);
                    return new Loaded(p, null, null, ExportProfile.of(p));
                }
            }
        }
    }

    private static PprofFlags defaultPprofFlags() {
        PprofFlags f = new PprofFlags();
        f.value = "cpu";
        return f;
    }

    private static PprofProfile read(byte[] data, String source, String type) {
        try {
            return PprofReader.create(PprofOptions.builder().sampleType(type).build()).read(data, source);
        } catch (StackfoldException noSuchType) {
            return null;
        }
    }

    /** Whether the first non-blank line of folded text ends in two counts ({@code stack 30 42}). */
    static boolean hasTwoCounts(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        for (String line : text.split("\n", 64)) {
            String l = line.strip();
            if (!l.isEmpty()) {
                return l.matches(".*\\S\\s+\\d+\\s+\\d+");
            }
        }
        return false;
    }
}
