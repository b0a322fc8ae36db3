package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.perfdata.PerfDataCollapser;
import io.github.stackfold.flamegraph.symbolize.BinaryLocator;
import io.github.stackfold.flamegraph.symbolize.GoSymbolizer;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;

/**
 * Where the binaries and kernel symbols of a recording are ({@code @Mixin} of every command that reads
 * perf.data or perf script text): {@code --binary} (repeatable), {@code --symfs}, {@code --kallsyms}.
 * Mapped once here into the library's options: the {@link PerfDataCollapser} for perf.data and the
 * {@link GoSymbolizer} for perf script text ({@code [unknown]} frames of stripped Go binaries).
 */
final class SymbolFlags {
    @Option(names = "--binary", paramLabel = "PATH",
            description = "Name the frames of a module with this file name from this binary (its symbol table, or"
                    + " the function table of a stripped Go binary), e.g. --binary kube-apiserver for"
                    + " /usr/local/bin/kube-apiserver; repeatable. In a recording, a build-id that differs from the"
                    + " recorded one is a warning and those frames stay unnamed; in perf script text, [unknown] Go"
                    + " frames are named.")
    List<Path> binaries = new ArrayList<>();

    @Option(names = "--symfs", paramLabel = "DIR",
            description = "Module paths are relative to DIR, a copy of the recording machine's file system (perf's"
                    + " --symfs).")
    Path symfs;

    @Option(names = "--kallsyms", paramLabel = "FILE",
            description = "Name the kernel frames of a recording from this copy of /proc/kallsyms of the machine"
                    + " that recorded (default: this machine's, when the recording was made on this host and kernel).")
    Path kallsyms;

    /** Whether a flag names where binaries are. */
    boolean locates() {
        return !binaries.isEmpty() || symfs != null;
    }

    /** Where binaries are: the --binary files, or below --symfs (not both); null when neither was given. */
    BinaryLocator locator() {
        if (!binaries.isEmpty() && symfs != null) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "--binary and --symfs exclude each other");
        }
        BinaryLocator l = null;
        for (Path b : binaries) {
            if (!Files.isRegularFile(b)) {
                throw new FlameCli.CliExit(ExitCodes.IO_ERROR, "--binary " + b + ": no such file");
            }
            BinaryLocator one = BinaryLocator.binary(b);
            l = l == null ? one : l.orElse(one);
        }
        if (symfs != null) {
            if (!Files.isDirectory(symfs)) {
                throw new FlameCli.CliExit(ExitCodes.IO_ERROR, "--symfs " + symfs + ": no such directory");
            }
            BinaryLocator s = BinaryLocator.symfs(symfs);
            l = l == null ? s : l.orElse(s);
        }
        return l;
    }

    private Path kallsyms() {
        if (kallsyms != null && !Files.isRegularFile(kallsyms)) {
            throw new FlameCli.CliExit(ExitCodes.IO_ERROR, "--kallsyms " + kallsyms + ": no such file");
        }
        return kallsyms;
    }

    /** The perf.data reader for these flags, its warnings on standard error; the caller adds the folding flags. */
    PerfDataCollapser.Builder perfData(FlameCli flame) {
        PrintWriter err = flame.stderr();
        return PerfDataCollapser.builder()
                .locator(locator())
                .kallsyms(kallsyms())
                .listener((module, message) -> {
                    synchronized (err) {
                        err.println("flame: warning: " + message + otherNames(module, message));
                    }
                });
    }

    /**
     * For a module whose binary was not found although --binary was given: that --binary matches by
     * file name, so the one given names other modules ("; --binary ./etcd names only modules called
     * etcd: give the kube-apiserver of the same release"); empty otherwise.
     */
    String otherNames(String module, String message) {
        if (binaries.isEmpty() || !message.contains(": binary not found") || module == null || !module.startsWith("/")) {
            return "";
        }
        Path name = Path.of(module).getFileName();
        if (name == null || binaries.stream().anyMatch(b -> name.equals(b.getFileName()))) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        for (Path b : binaries) {
            s.append("; --binary ").append(b).append(" names only modules called ").append(b.getFileName());
        }
        return s.append(": give the ").append(name).append(" of the same release").toString();
    }

    /** The reader of {@code flags}, or of no flags when null. */
    static PerfDataCollapser.Builder perfData(SymbolFlags flags, FlameCli flame) {
        return (flags != null ? flags : new SymbolFlags()).perfData(flame);
    }

    /**
     * The Go symbolizer for perf script text: with --binary or --symfs those binaries (the module's own
     * path after them when {@code modulePath}); with neither, the module's path when {@code modulePath},
     * else null (frames stay as perf printed them).
     */
    GoSymbolizer goSymbolizer(FlameCli flame, boolean modulePath, boolean inline) {
        BinaryLocator l = locator();
        if (l == null && !modulePath) {
            return null;
        }
        if (modulePath) {
            l = l == null ? BinaryLocator.modulePath() : l.orElse(BinaryLocator.modulePath());
        }
        PrintWriter err = flame.stderr();
        return GoSymbolizer.builder()
                .locator(l)
                .inline(inline)
                .listener((module, message) -> {
                    synchronized (err) {
                        err.println("flame: warning: " + message + "; its frames stay [unknown]");
                    }
                })
                .build();
    }

    /** {@link #goSymbolizer} of {@code flags} without the module path, or null when there are no flags. */
    static GoSymbolizer goSymbolizer(SymbolFlags flags, FlameCli flame) {
        return flags == null ? null : flags.goSymbolizer(flame, false, false);
    }
}
