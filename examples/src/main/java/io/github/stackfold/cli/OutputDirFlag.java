package io.github.stackfold.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/**
 * {@code --output-dir DIR} ({@code @Mixin}) of the commands that write several files. A command whose
 * default is not {@code results} states its own in its {@code defaultValueProvider} (see
 * {@link CompareCommand}), which the help shows too.
 */
final class OutputDirFlag {
    @Option(names = "--output-dir", paramLabel = "DIR", defaultValue = "results",
            description = "Where the files go (default: ${DEFAULT-VALUE}).")
    Path dir;
}
