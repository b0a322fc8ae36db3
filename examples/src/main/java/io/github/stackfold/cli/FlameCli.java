package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.StackfoldException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code flame} command line. Each subcommand translates its flags into the options of a library
 * type and calls it; this class maps the library's exceptions to one-line messages and exit codes.
 */
@Command(name = "flame",
        mixinStandardHelpOptions = true,
        versionProvider = FlameCli.Version.class,
        description = "perf and pprof profiles into folded stacks, flame graphs and answers.",
        subcommands = {
            CommandLine.HelpCommand.class,
        })
public final class FlameCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line in this process (as the tests do) and returns its exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine(out, err);
        return cl.execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new FlameCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("flame: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> report(ex, c.getErr()));
        return cl;
    }

    /** One line on stderr for a failure, never a stack trace (unless STACKFOLD_DEBUG is set). */
    static int report(Throwable ex, PrintWriter err) {
        if (System.getenv("STACKFOLD_DEBUG") != null) {
            ex.printStackTrace(err);
        }
        Throwable t = ex instanceof UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
        if (isBrokenPipe(t)) {
            return ExitCodes.OK; // the reader went away (| head): end quietly
        }
        int code = exitCode(t);
        err.println("flame: " + message(t));
        err.flush();
        return code;
    }

    static int exitCode(Throwable t) {
        if (t instanceof CliExit) {
            return ((CliExit) t).code;
        }
        if (t instanceof BadInputException || t instanceof NoSamplesException) {
            return ExitCodes.BAD_INPUT;
        }
        if (t instanceof NoSuchFileException || t instanceof AccessDeniedException || t instanceof IOException) {
            return ExitCodes.IO_ERROR;
        }
        if (t instanceof StackfoldException) {
            return ErrorCodes.of((StackfoldException) t);
        }
        return ExitCodes.INTERNAL;
    }

    private static String message(Throwable t) {
        if (t instanceof NoSuchFileException) {
            return t.getMessage() + ": no such file";
        }
        if (t instanceof AccessDeniedException) {
            return t.getMessage() + ": permission denied";
        }
        if (t instanceof StackfoldException || t instanceof CliExit || t instanceof IOException) {
            return String.valueOf(t.getMessage());
        }
        return "internal error: " + t + " (set STACKFOLD_DEBUG=1 for the stack trace)";
    }

    static boolean isBrokenPipe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException && c.getMessage() != null && c.getMessage().contains("Broken pipe")) {
                return true;
            }
        }
        return false;
    }

    /** Thrown by a subcommand to end with a given code and one-line message. */
    public static final class CliExit extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        public CliExit(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = FlameCli.class.getPackage().getImplementationVersion();
            return new String[] {"flame " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
