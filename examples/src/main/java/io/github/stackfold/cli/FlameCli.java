package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.NotEnoughMemoryException;
import io.github.stackfold.flamegraph.StackfoldException;

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
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The {@code flame} command line. Each subcommand translates its flags into the options of a library
 * type and calls it; this class maps the library's exceptions to one-line messages and exit codes.
 * The commands' picocli models are built in code, not from annotations ({@link Specs} says why).
 */
public final class FlameCli implements Runnable {
    /**
     * The subcommands' names, in the order of the help. A run builds only the one it needs
     * ({@link #subcommand}): building all ten cost about 0.2 s of a short run's start-up when they
     * were annotated (FlameCliTest checks each name against its model's).
     */
    static final List<String> SUBCOMMANDS = List.of(
            "help", "analyze", "compare", "collapse", "flamegraph", "diff", "pprof", "record", "profile", "demo");

    private static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

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
        int code = run(args, new FileInputStream(FileDescriptor.in), out, System.err);
        System.exit(code);
    }

    /**
     * Runs the command line in this process (as the tests do) and returns its exit code. Nothing is
     * closed; {@code out} is flushed.
     */
    public static int run(String[] args, InputStream in, OutputStream out, OutputStream err) {
        PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        CommandLine cl = commandLine(new FlameCli(in, out, errWriter), outWriter, errWriter, args);
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

    /**
     * The command line for {@code args}: with only the subcommand that {@code args[0]} names, or with
     * all of them when it names none (help, usage errors and their suggestions need them all).
     */
    static CommandLine commandLine(FlameCli root, PrintWriter out, PrintWriter err, String... args) {
        if (System.getProperty(CONVERTER_EXCLUDES) == null) {
            // no option is a java.sql or java.time type (durations have their own converters): picocli
            // then does not load those packages to register its converters for them (~20 ms of a start)
            System.setProperty(CONVERTER_EXCLUDES, "java\\.sql\\..*,java\\.time\\..*");
        }
        root.spec = Specs.withHelpOptions(Specs.command(root, "flame",
                "perf and pprof profiles into folded stacks, flame graphs and answers.").versionProvider(new Version()));
        root.spec.usageMessage().footer("",
                "Exit codes: 0 ok; 1 internal error; 2 bad input or no samples; 3 a tool is missing;",
                "4 not permitted; 5 no such process; 6 a file could not be read or written (results",
                "are renamed into place only when complete); 7 out of memory (the message names the",
                "input and how far it got; give the JVM more with FLAME_JAVA_OPTS=-Xmx4g);",
                "64 wrong command line; 130 interrupted.");
        CommandLine cl = new CommandLine(root.spec, Specs.FACTORY);
        String only = args.length == 0 || "help".equals(args[0]) || !SUBCOMMANDS.contains(args[0]) ? null : args[0];
        for (String name : SUBCOMMANDS) {
            if (only == null || name.equals(only)) {
                cl.addSubcommand(name, subcommand(name, root));
            }
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler(new UsageErrors());
        cl.setExecutionExceptionHandler(new Failures());
        return cl;
    }

    // The two handlers are classes, not lambdas: a lambda's class is spun at run time (its interface
    // is a picocli class, which class-data sharing cannot archive with it), ~6 ms of every start.

    /** A wrong command line: one line naming the problem, one pointing to the help; exit 64. */
    private static final class UsageErrors implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("flame: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCodes.USAGE;
        }
    }

    /** A command that failed: {@link #report}. */
    private static final class Failures implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine c, CommandLine.ParseResult parseResult) {
            return report(ex, c.getErr());
        }
    }

    /**
     * The subcommand {@code name}: its model, or picocli's annotated help command. Only the class of the
     * branch taken is loaded.
     */
    static Object subcommand(String name, FlameCli root) {
        switch (name) {
            case "help":
                return CommandLine.HelpCommand.class;
            case "analyze":
                return new AnalyzeCommand(root).spec();
            case "compare":
                return new CompareCommand(root).spec();
            case "collapse":
                return new CollapseCommand(root).spec();
            case "flamegraph":
                return new FlameGraphCommand(root).spec();
            case "diff":
                return new DiffCommand(root).spec();
            case "pprof":
                return new PprofCommand(root).spec();
            case "record":
                return new RecordCommand(root).spec();
            case "profile":
                return new ProfileCommand(root).spec();
            case "demo":
                return new DemoCommand(root).spec();
            default:
                throw new IllegalArgumentException("no subcommand " + name);
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
