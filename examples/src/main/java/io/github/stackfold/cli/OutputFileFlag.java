package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.io.AtomicOutput;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

import picocli.CommandLine.Option;

/** {@code -o/--output FILE} ({@code @Mixin}) of the commands that write one result to standard output by default. */
final class OutputFileFlag {
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path file;

    /**
     * Writes the one result with {@code w}: to FILE, complete or absent ({@link AtomicOutput}: a failure
     * names FILE and leaves no truncated file; {@code /dev/null} or a pipe is written through), or, without
     * {@code -o}, to standard output, buffered and flushed.
     */
    void write(FlameCli flame, AtomicOutput.Writer w) throws IOException {
        if (file == null) {
            OutputStream out = new BufferedOutputStream(flame.stdout(), 1 << 16);
            w.write(out);
            out.flush();
        } else {
            AtomicOutput.write(file, w);
        }
    }
}
