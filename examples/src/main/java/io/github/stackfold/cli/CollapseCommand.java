package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.collapse.CollapseListener;
import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.CollapseStats;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.Inputs;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.flamegraph.symbolize.BinaryLocator;
import io.github.stackfold.flamegraph.symbolize.GoSymbolizer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code flame collapse}: perf script text to folded stacks, as stackcollapse-perf.pl does. Only
 * translates flags into {@link CollapseOptions} and reports what the library's listener hears.
 */
public class CollapseCommand implements Callable<Integer> {
    /** How many unrecognised lines are shown on stderr before only counting them. */
    static final int SHOWN_BAD_LINES = 5;

    final FlameCli flame;
    private CommandSpec spec;

    boolean pid;
    boolean tid;
    boolean kernel;
    boolean jit;
    boolean all;
    boolean addrs;
    String eventFilter;
    int threads;
    boolean symbolize;
    Path binary;
    Path symfs;
    boolean inlineGo;
    Path output;
    PprofFlags pprof;
    List<String> files;

    CollapseCommand(FlameCli flame) {
        this.flame = flame;
    }

    /** This command's model: its name, description, options and parameters. */
    CommandSpec spec() {
        spec = Specs.command(this, "collapse",
                "Folds 'perf script' output into folded stacks (frame;frame;... count), byte-identical to",
                "FlameGraph's stackcollapse-perf.pl with the same flags. Files may be gzip, xz, bzip2 or zstd",
                "compressed (recognised by content); several files are merged; '-' is standard input.");
        spec.usageMessage().footer("",
                "Exit codes: 0 ok (unrecognised lines are skipped and counted), 2 not perf script text,",
                "6 a file could not be read or written, 64 wrong command line.");
        spec.addOption(Specs.flag("--pid", "include the PID with the process name (comm-PID)"));
        spec.addOption(Specs.flag("--tid", "include PID and TID with the process name (comm-PID/TID)"));
        spec.addOption(Specs.flag("--kernel", "annotate kernel functions with _[k]"));
        spec.addOption(Specs.flag("--jit", "annotate JIT functions (/tmp/perf-PID.map) with _[j]"));
        spec.addOption(Specs.flag("--all", "all annotations (--kernel --jit)"));
        spec.addOption(Specs.flag("--addrs", "include raw addresses where symbols cannot be found"));
        spec.addOption(Specs.option("--event-filter", "EVENT", String.class)
                .description("keep only samples of this event (default: the first event type in the input)").build());
        spec.addOption(Specs.option("--threads", "N", int.class)
                .defaultValue(String.valueOf(Runtime.getRuntime().availableProcessors()))
                .description("threads folding one input (default: the number of cores, ${DEFAULT-VALUE} here)").build());
        spec.addOption(Specs.flag("--symbolize", "name [unknown] frames of stripped Go binaries from their",
                ".gopclntab (the binary is the frame's module path, or see --binary/--symfs)"));
        spec.addOption(Specs.option("--binary", "PATH", Path.class).description("with --symbolize: read this binary for",
                "frames whose module has the same file name (implies --symbolize)").build());
        spec.addOption(Specs.option("--symfs", "DIR", Path.class).description("with --symbolize: module paths are relative",
                "to DIR, a copy of the target's file system (implies --symbolize)").build());
        spec.addOption(Specs.flag("--inline-go", "with --symbolize: expand calls the Go compiler inlined,",
                "marked _[i] (implies --symbolize)"));
        spec.addOption(Specs.option(new String[] {"-o", "--output"}, "FILE", Path.class)
                .description("write here instead of standard output").build());
        PprofFlags.addTo(spec);
        spec.addPositional(PositionalParamSpec.builder().paramLabel("FILE").arity("0..*").type(List.class)
                .auxiliaryTypes(String.class)
                .description("perf script output or a pprof profile, maybe compressed; '-' or none: standard input").build());
        return Specs.withHelpOptions(spec);
    }

    /** Sets the fields from the command line. */
    private void bind() {
        pid = Specs.flag(spec, "--pid");
        tid = Specs.flag(spec, "--tid");
        kernel = Specs.flag(spec, "--kernel");
        jit = Specs.flag(spec, "--jit");
        all = Specs.flag(spec, "--all");
        addrs = Specs.flag(spec, "--addrs");
        eventFilter = Specs.value(spec, "--event-filter");
        threads = Specs.value(spec, "--threads");
        symbolize = Specs.flag(spec, "--symbolize");
        binary = Specs.value(spec, "--binary");
        symfs = Specs.value(spec, "--symfs");
        inlineGo = Specs.flag(spec, "--inline-go");
        output = Specs.value(spec, "--output");
        pprof = PprofFlags.of(spec);
        files = Specs.positionals(spec);
    }

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
                .threads(threads)
                .maxBadLineReports(SHOWN_BAD_LINES)
                .symbolizer(goSymbolizer())
                .listener(listener);
    }

    /** The Go symbolizer the flags ask for, or null. */
    private GoSymbolizer goSymbolizer() {
        if (!symbolize && binary == null && symfs == null && !inlineGo) {
            return null;
        }
        if (binary != null && symfs != null) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "--binary and --symfs exclude each other");
        }
        BinaryLocator locator = BinaryLocator.modulePath();
        if (binary != null) {
            if (!Files.isRegularFile(binary)) {
                throw new FlameCli.CliExit(ExitCodes.IO_ERROR, "--binary " + binary + ": no such file");
            }
            locator = BinaryLocator.binary(binary);
        } else if (symfs != null) {
            if (!Files.isDirectory(symfs)) {
                throw new FlameCli.CliExit(ExitCodes.IO_ERROR, "--symfs " + symfs + ": no such directory");
            }
            locator = BinaryLocator.symfs(symfs);
        }
        PrintWriter err = flame.stderr();
        return GoSymbolizer.builder()
                .locator(locator)
                .inline(inlineGo)
                .listener((module, message) -> {
                    synchronized (err) {
                        err.println("flame: warning: " + message + "; its frames stay [unknown]");
                    }
                })
                .build();
    }

    @Override
    public Integer call() throws IOException {
        bind();
        PrintWriter err = flame.stderr();
        Reporter reporter = new Reporter(err);
        PerfCollapser collapser = PerfCollapser.create(options(reporter).build());
        PerfCollapser.Session session = collapser.session();
        List<String> inputs = files.isEmpty() ? List.of("-") : files;
        FoldedProfile fromPprof = FoldedProfile.empty();
        for (String name : inputs) {
            Path path = Path.of(name);
            String source = Inputs.sourceName(path);
            try (InputStream in = Inputs.open(path, flame.stdin())) {
                BufferedInputStream b = ProfileLoader.sniffable(in);
                FoldedProfile p = pprof.readIfPprof(b, source);
                if (p != null) {
                    fromPprof = fromPprof.merge(p);
                    continue;
                }
                session.add(b, source);
            } catch (BadInputException e) {
                throw e;
            } catch (IOException e) {
                if (FlameCli.isBrokenPipe(e)) {
                    throw e;
                }
                throw new IOException(source + ": " + describe(e), e);
            }
        }
        FoldedProfile profile = session.finish().merge(fromPprof);
        write(profile);
        reporter.summary();
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

    private void write(FoldedProfile profile) throws IOException {
        if (output == null) {
            OutputStream out = new BufferedOutputStream(flame.stdout(), 1 << 16);
            profile.write(out);
            return;
        }
        if (Files.exists(output, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && !Files.isRegularFile(output, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // /dev/null, a named pipe, a symbolic link: written through, never replaced by a file
            // (moving a file onto /dev/null, as root, turns it into a regular file)
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(output), 1 << 16)) {
                profile.write(out);
            }
            return;
        }
        AtomicOutput.write(output, profile::write);
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
