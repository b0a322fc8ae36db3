package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.collapse.CollapseListener;
import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.CollapseStats;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.Inputs;
import io.github.stackfold.flamegraph.io.ProfileInput;
import io.github.stackfold.flamegraph.perfdata.PerfDataCollapser;
import io.github.stackfold.flamegraph.symbolize.GoSymbolizer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code flame collapse}: perf script text to folded stacks, as stackcollapse-perf.pl does. Only
 * translates flags into {@link CollapseOptions} and reports what the library's listener hears.
 */
@Command(name = "collapse", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        header = "Fold perf script output into folded stacks.",
        description = {"Folds 'perf script' output into folded stacks (frame;frame;... count), byte-identical to"
                + " FlameGraph's stackcollapse-perf.pl with the same flags. Files may be gzip, xz, bzip2 or zstd"
                + " compressed (recognised by content); several files are merged; - is standard input."},
        footer = {"", "Exit codes: 0 ok (unrecognised lines are skipped and counted), 2 not perf script text,"
                + " 6 a file could not be read or written, 64 wrong command line."})
public class CollapseCommand implements Callable<Integer> {
    /** How many unrecognised lines are shown on stderr before only counting them. */
    static final int SHOWN_BAD_LINES = 5;

    @ParentCommand
    FlameCli flame;

    @Option(names = "--pid", description = "Include the PID with the process name (comm-PID).")
    boolean pid;

    @Option(names = "--tid", description = "Include PID and TID with the process name (comm-PID/TID).")
    boolean tid;

    @Option(names = "--kernel", description = "Annotate kernel functions with _[k].")
    boolean kernel;

    @Option(names = "--jit", description = "Annotate JIT functions with _[j] (their names come from /tmp/perf-PID.map).")
    boolean jit;

    @Option(names = "--all", description = "All annotations (--kernel --jit).")
    boolean all;

    @Option(names = "--addrs", description = "Include raw addresses where symbols cannot be found.")
    boolean addrs;

    @Option(names = "--event-filter", paramLabel = "EVENT",
            description = "Keep only samples of this event (default: the first event type in the input).")
    String eventFilter;

    @Option(names = "--srcline", description = "The input is 'perf script -F+srcline' output: each frame gets its"
            + " source line (main:inl.c:48).")
    boolean srcline;

    @Option(names = "--inline", description = "Expand frames into the functions inlined there, with addr2line (and nm)"
            + " on the module path perf printed; folds on one thread.")
    boolean inline;

    @Option(names = "--context", description = "With --inline: each expanded frame gets its source line (mix:inl.c:10).")
    boolean context;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads folding one input (default: the number of cores, ${DEFAULT-VALUE} here).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--symbolize", description = "perf script text: name [unknown] frames of stripped Go binaries from"
            + " their .gopclntab (the binary is the frame's module path, or see --binary and --symfs, which imply it).")
    boolean symbolize;

    @Option(names = "--inline-go", description = "With --symbolize: expand calls the Go compiler inlined, marked _[i]"
            + " (implies --symbolize).")
    boolean inlineGo;

    @Mixin
    ProfileReadFlags reading;

    @Mixin
    OutputFileFlag output;

    @Parameters(paramLabel = "FILE", description = "perf script output, or any other profile to merge with it (perf.data, pprof, folded"
            + " stacks, a flame graph SVG); - or none: standard input.")
    List<String> files = new ArrayList<>();

    /**
     * The library options for the flags. Options added later (such as symbolizing stripped Go frames)
     * extend the builder here.
     */
    protected CollapseOptions.Builder options(CollapseListener listener) {
        if (threads < 1) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "--threads must be at least 1, not " + threads);
        }
        return CollapseOptions.builder()
                .pid(pid)
                .tid(tid)
                .kernel(kernel)
                .jit(jit)
                .all(all)
                .addrs(addrs)
                .eventFilter(eventFilter == null ? null : FoldedProfile.encode(eventFilter))
                .srcline(srcline)
                .inline(inline)
                .context(context)
                .threads(threads)
                .maxBadLineReports(SHOWN_BAD_LINES)
                .symbolizer(goSymbolizer())
                .listener(listener);
    }

    /**
     * The perf.data reader for the flags: the same folding flags; --binary/--symfs say where binaries
     * are; Go frames are named from .gopclntab always (perf script's text has no names for them).
     */
    private PerfDataCollapser perfData() {
        return reading.symbols.perfData(flame)
                .options(options(CollapseListener.IGNORE).symbolizer(null).build())
                .inlineGo(inlineGo)
                .build();
    }

    /** The Go symbolizer the flags ask for (perf script text), or null. */
    private GoSymbolizer goSymbolizer() {
        if (!symbolize && !reading.symbols.locates() && !inlineGo) {
            return null;
        }
        return reading.symbols.goSymbolizer(flame, !reading.symbols.locates(), inlineGo);
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter err = flame.stderr();
        Reporter reporter = new Reporter(err);
        PerfCollapser collapser = PerfCollapser.create(options(reporter).build());
        PerfCollapser.Session session = collapser.session();
        List<String> inputs = files.isEmpty() ? List.of("-") : files;
        FoldedProfile others = FoldedProfile.empty();
        for (String name : inputs) {
            try (ProfileInput in = CliProfiles.open(name, flame)) {
                if (in.kind() == ProfileInput.Kind.PERF_SCRIPT) {
                    session.add(in.stream(), in.source());
                } else if (in.kind() == ProfileInput.Kind.PERF_DATA) {
                    others = others.merge(CliProfiles.warnIfCut(perfData().collapse(in.stream(), in.source()), in.source(),
                            flame).profile());
                } else {
                    others = others.merge(reading.read(in, flame));
                }
            } catch (BadInputException e) {
                throw e;
            } catch (IOException e) {
                if (FlameCli.isBrokenPipe(e)) {
                    throw e;
                }
                throw new IOException((name.equals("-") ? Inputs.STDIN_NAME : name) + ": " + describe(e), e);
            }
        }
        FoldedProfile profile = session.finish().merge(others);
        // with --symbolize a frame left unnamed has its warning already (binary not found, no .gopclntab);
        // else the frames are scanned for the hint while the stacks are written (the machine's other core)
        FutureTask<Map<String, Long>> scan = !symbolize && !reading.symbols.locates()
                ? CliProfiles.onItsOwnThread("flame unnamed-frames scan", () -> Analyzer.unnamedWeights(profile))
                : null;
        output.write(flame, profile::write);
        reporter.summary();
        if (scan != null) {
            CliProfiles.hintUnnamed(profile, CliProfiles.join(scan), flame);
        }
        return ExitCodes.OK;
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Shows the first bad lines, then a count; names the events the default filter dropped. */
    static final class Reporter implements CollapseListener {
        private final PrintWriter err;
        private CollapseStats stats;

        Reporter(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void badLine(BadInputException problem) {
            err.println("flame: warning: " + problem.getMessage());
        }

        @Override
        public void finished(CollapseStats stats) {
            this.stats = stats;
        }

        void summary() {
            if (stats == null) {
                return;
            }
            if (stats.badLines() > 0) {
                err.println("flame: warning: " + stats.badLines() + " unrecognized line"
                        + (stats.badLines() == 1 ? "" : "s") + " skipped"
                        + (stats.badLines() > SHOWN_BAD_LINES ? " (first " + SHOWN_BAD_LINES + " shown)" : ""));
            }
            if (!stats.droppedEvents().isEmpty()) {
                StringBuilder sb = new StringBuilder();
                for (Map.Entry<String, Long> e : stats.droppedEvents().entrySet()) {
                    sb.append(sb.length() == 0 ? "" : ", ").append(FoldedProfile.decode(e.getKey()))
                            .append(" (").append(e.getValue()).append(')');
                }
                err.println("flame: warning: kept only samples of event '" + FoldedProfile.decode(stats.keptEvent())
                        + "'" + (stats.eventDefaulted() ? " (the first event in the input; choose with --event-filter)" : "")
                        + "; dropped " + stats.droppedSamples() + " of other events: " + sb);
            }
            err.flush();
        }
    }
}
