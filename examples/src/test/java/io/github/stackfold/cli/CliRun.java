package io.github.stackfold.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** One in-process run of the flame command line, as the CLI tests make it: exit code, standard output and error. */
record CliRun(int code, String out, String err) {
    /** {@code flame ARGS} with an empty standard input. */
    static CliRun of(String... args) {
        return withInput(new byte[0], args);
    }

    /** {@code flame ARGS} reading {@code stdin}. */
    static CliRun withInput(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(args, new ByteArrayInputStream(stdin), out, err);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
