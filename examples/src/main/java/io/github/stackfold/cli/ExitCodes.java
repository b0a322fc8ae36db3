package io.github.stackfold.cli;

/**
 * The exit codes of {@code flame}, documented in the README. They follow flamegraph.pl where it has
 * one (2: no samples, bad input).
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** An unexpected internal error (a bug: please report it with the message). */
    public static final int INTERNAL = 1;
    /** Bad input: not the expected format, or no samples at all. Nothing useful was written. */
    public static final int BAD_INPUT = 2;
    /** A tool the command needs is missing (perf, kubectl, nsenter, go). */
    public static final int MISSING_TOOL = 3;
    /** Not permitted (perf_event_paranoid, missing CAP_PERFMON / CAP_SYS_ADMIN, file permissions). */
    public static final int NOT_PERMITTED = 4;
    /** The target process was not found, is ambiguous, or exited. */
    public static final int NO_TARGET = 5;
    /** An input or output file could not be read or written. */
    public static final int IO_ERROR = 6;
    /**
     * A profile could not be pushed (the receiver refused it, or kept failing through the retries); it
     * was kept on disk, and the message names the file.
     */
    public static final int PUSH_FAILED = 7;
    /**
     * Out of memory: the message names the input and how far reading got, and how to give the JVM
     * more ({@code FLAME_JAVA_OPTS=-Xmx4g}).
     */
    public static final int OUT_OF_MEMORY = 8;
    /** Interrupted by SIGINT/SIGTERM after writing what was recorded. */
    public static final int INTERRUPTED = 130;
    /** The command line itself was wrong (unknown option, missing argument). */
    public static final int USAGE = 64;

    private ExitCodes() {
    }
}
