package io.github.stackfold.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** {@code -o/--output FILE} ({@code @Mixin}) of the commands that write one result to standard output by default. */
final class OutputFileFlag {
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path file;
}
