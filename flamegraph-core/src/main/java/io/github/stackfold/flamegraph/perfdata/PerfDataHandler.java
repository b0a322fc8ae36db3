package io.github.stackfold.flamegraph.perfdata;

/**
 * Receives what {@link PerfDataReader} reads, record by record, in time order (as perf orders them
 * between {@code FINISHED_ROUND} records). Objects passed in may be reused after the call returns.
 * Every method does nothing by default.
 */
public interface PerfDataHandler {
    /** A {@code PERF_RECORD_SAMPLE}. */
    default void sample(PerfSample s) {
    }

    /**
     * A {@code PERF_RECORD_MMAP} or {@code MMAP2}: {@code [start, start+len)} of process {@code pid}
     * maps {@code filename} from file offset {@code pgoff}.
     *
     * @param buildId lower-case hex when the MMAP2 record carries one, else {@code null}
     * @param cpumode 1 for kernel maps ({@code [kernel.kallsyms]_text}, modules), 2 for user
     */
    default void mmap(int pid, int tid, long start, long len, long pgoff, String filename, String buildId,
            int cpumode, long time) {
    }

    /** A {@code PERF_RECORD_COMM}: thread {@code tid} of {@code pid} is now called {@code comm}. */
    default void comm(int pid, int tid, String comm, boolean exec, long time) {
    }

    /** A {@code PERF_RECORD_FORK}: thread {@code tid} of {@code pid} created by {@code ptid} of {@code ppid}. */
    default void fork(int pid, int ppid, int tid, int ptid, long time) {
    }

    /** A {@code PERF_RECORD_EXIT}. */
    default void exit(int pid, int ppid, int tid, int ptid, long time) {
    }

    /** The end of the file: its header and features, complete now (in a file they follow the records). */
    default void end(PerfDataInfo info) {
    }
}
