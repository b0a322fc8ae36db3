package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.NotEnoughMemoryException;
import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.io.Inputs;
import io.github.stackfold.flamegraph.io.NotAProfileException;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code flame} command line. Each subcommand is one {@code @Command} class with annotated
 * {@code @Option}/{@code @Parameters} fields; flags shared by several commands are {@code @Mixin} classes
 * declared once ({@link PprofFlags}, {@link RenderFlags}, {@link RulesFlag}, {@link ReportFlags},
 * {@link OutputFileFlag}, {@link OutputDirFlag}, {@link TargetFlags}, {@link RecordingFlags}, {@link PushFlags}). A subcommand
 * reaches standard input and output through its {@code @ParentCommand FlameCli}. This class registers
 * the subcommands (the one list below) and maps the library's exceptions to one-line messages and
 * exit codes.
 */
@Command(name = "flame", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        description = "perf and pprof profiles into folded stacks, flame graphs and answers.",
        // one paragraph, which picocli wraps to the help's width (lines of their own were wrapped again)
        footer = {"",
            "Exit codes: 0 ok; 1 internal error; 2 bad input or no samples; 3 a tool is missing;"
            + " 4 not permitted; 5 no such process or server; 6 a file could not be read or written"
            + " (results are renamed into place only when complete); 7 a profile could not be pushed"
            + " (it was kept on disk); 8 out of memory (the message names the input and how far it got;"
            + " give the JVM more with FLAME_JAVA_OPTS=-Xmx4g); 64 wrong command line; 130 interrupted."},
        subcommands = {
            CommandLine.HelpCommand.class,
            AnalyzeCommand.class,
            CompareCommand.class,
            CollapseCommand.class,
            FlameGraphCommand.class,
            HtmlCommand.class,
            ExportCommand.class,
            DiffCommand.class,
            PprofCommand.class,
            RecordCommand.class,
            ProfileCommand.class,
            DemoCommand.class,
            PushCommand.class,
        })
public final class FlameCli implements Runnable {
    @Spec
    private CommandSpec spec;

    private final InputStream stdin;
    private final OutputStream stdout;
    private final PrintWriter stderr;

    FlameCli(InputStream stdin, OutputStream stdout, PrintWriter stderr) {
        this.stdin = stdin;
        this.stdout = new StandardOutput(stdout);
        this.stderr = stderr;
    }

    /**
     * Standard output whose write failures say that it was standard output that could not be written
     * ("cannot write standard output: No space left on device"), since a command's message cannot
     * name a file there.
     */
    private static final class StandardOutput extends java.io.FilterOutputStream {
        StandardOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw named(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw named(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw named(e);
            }
        }

        private static IOException named(IOException e) {
            String m = String.valueOf(e.getMessage());
            return m.startsWith("cannot write standard output") ? e
                    : new IOException("cannot write standard output: " + m, e);
        }
    }

    /**
     * Standard input for a subcommand ({@code flame.stdin()}): the real
     * one, or what a test passed to {@link #run}.
     */
    public InputStream stdin() {
        return stdin;
    }

    /** Standard output as bytes (folded stacks and SVG are written as bytes, unbuffered: wrap it). */
    public OutputStream stdout() {
        return stdout;
    }

    /** Standard error, for warnings and one-line errors. */
    public PrintWriter stderr() {
        return stderr;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    public static void main(String[] args) {
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        // a plain stream over fd 0: FileInputStream's own readAllBytes/readNBytes ask the file's size and
        // position, which a pipe does not have ("Illegal seek")
        InputStream in = new java.io.BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16);
        int code = run(args, in, out, System.err);
        System.exit(code);
    }

    /**
     * Runs the command line in this process (as the tests do) and returns its exit code. Nothing is
     * closed; {@code out} is flushed.
     */
    public static int run(String[] args, InputStream in, OutputStream out, OutputStream err) {
        PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        CommandLine cl = commandLine(new FlameCli(in, out, errWriter), outWriter, errWriter);
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) {
            // not while reading an input (readers say which and how far: NotEnoughMemoryException),
            // but laying out, analysing or writing
            code = report(e, errWriter, args);
        }
        outWriter.flush();
        errWriter.flush();
        try {
            out.flush();
        } catch (IOException e) {
            if (!isBrokenPipe(e)) {
                errWriter.println("flame: cannot write standard output: " + e.getMessage());
                return ExitCodes.IO_ERROR;
            }
        }
        return code;
    }

    /** The command line with every subcommand, writing help and messages to {@code out} and {@code err}. */
    static CommandLine commandLine(FlameCli root, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(root);
        HtmlCommand.hideSvgOnly(cl.getSubcommands().get("html").getCommandSpec());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler(new UsageErrors());
        cl.setExecutionExceptionHandler(new Failures());
        return cl;
    }

    /**
     * A wrong command line: one line naming the problem, the closest command or option for a mistyped
     * one, and one line pointing to the help; exit 64.
     */
    private static final class UsageErrors implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            CommandLine c = ex.getCommandLine();
            String m = String.valueOf(ex.getMessage());
            // picocli starts some of its messages (a missing choice of an argument group) with its own "Error: "
            c.getErr().println("flame: " + (m.startsWith("Error: ") ? m.substring("Error: ".length()) : m));
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCodes.USAGE;
        }
    }

    /** A command that failed: {@link #report}. */
    private static final class Failures implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine c, CommandLine.ParseResult parseResult) {
            return report(ex, c.getErr(), c.getCommandName());
        }
    }

    /** One line on stderr for running out of memory outside a reader. */
    private static int report(OutOfMemoryError e, PrintWriter err, String[] args) {
        if (System.getenv("STACKFOLD_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.println("flame: out of memory running 'flame " + String.join(" ", args) + "'; "
                + moreMemory());
        err.flush();
        return ExitCodes.OUT_OF_MEMORY;
    }

    /** How to give the JVM more memory than it has now. */
    static String moreMemory() {
        long max = Runtime.getRuntime().maxMemory();
        long mb = max / (1024 * 1024);
        long suggest = Math.max(256, Long.highestOneBit(Math.max(1, mb)) * 4);
        String size = suggest >= 1024 ? suggest / 1024 + "g" : suggest + "m";
        return "the Java heap holds at most " + mb + " MB; give it more with FLAME_JAVA_OPTS=-Xmx" + size;
    }

    /**
     * One line on stderr for a failure of {@code flame COMMAND}, never a stack trace (unless
     * STACKFOLD_DEBUG is set).
     */
    static int report(Throwable ex, PrintWriter err, String command) {
        if (System.getenv("STACKFOLD_DEBUG") != null) {
            ex.printStackTrace(err);
        }
        Throwable t = ex instanceof UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
        if (isBrokenPipe(t)) {
            return ExitCodes.OK; // the reader went away (| head): end quietly
        }
        int code = exitCode(t);
        err.println("flame: " + (t instanceof NotAProfileException ? refusal((NotAProfileException) t, command) : message(t)));
        err.flush();
        return code;
    }

    /**
     * The one message of every command for an input that is no profile: the path, what it looks like,
     * and what to give instead.
     */
    static String refusal(NotAProfileException e, String command) {
        String file = e.source().equals(Inputs.STDIN_NAME) ? "perf.data" : e.source();
        String instead = switch (e.kind()) {
            case PERF_DATA -> "turn it into text first: perf script -i " + file + " | flame " + command + " -";
            case ELF -> "that is a program; record it with flame record (--pid PID or --process NAME)";
            case DIRECTORY -> "give a profile file in it: " + NotAProfileException.EXPECTED;
            default -> "give " + NotAProfileException.EXPECTED;
        };
        return e.source() + ": " + e.what() + ", not a profile; " + instead;
    }

    static int exitCode(Throwable t) {
        if (t instanceof CliExit) {
            return ((CliExit) t).code;
        }
        if (t instanceof NotEnoughMemoryException || t instanceof OutOfMemoryError) {
            return ExitCodes.OUT_OF_MEMORY;
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
        if (t instanceof NotEnoughMemoryException) {
            return t.getMessage() + "; " + moreMemory();
        }
        if (t instanceof OutOfMemoryError) {
            return "out of memory; " + moreMemory();
        }
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
