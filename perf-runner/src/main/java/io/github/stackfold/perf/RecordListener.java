package io.github.stackfold.perf;

import java.time.Duration;

/**
 * What a recording reports while it runs; the library never prints. Calls come from the thread that
 * called {@link PerfRecorder#record}, except {@link #warning}, which may also come from the thread
 * reading perf's standard error.
 */
public interface RecordListener {
    /** A listener that ignores everything. */
    RecordListener IGNORE = new RecordListener() {
    };

    /**
     * perf record has been started on {@code process}; it writes {@code dataFile} (a path on the
     * target) in a private directory.
     */
    default void started(FoundProcess process, String dataFile) {
    }

    /**
     * About ten times a second while perf record runs; {@code elapsed} counts from when perf began
     * sampling (it stays 0 while perf starts up, which takes a second or so).
     */
    default void progress(Duration elapsed, Duration total) {
    }

    /**
     * Asked once {@code process} is found, before perf record starts: true when {@link #recorded}
     * writes a symbol map that perf script must read (a JIT's {@code /tmp/perf-PID.map}). perf script
     * then runs after perf record on the whole perf.data instead of reading its output while it
     * records ({@link RecordOptions#stream()}), since it reads the map at the first sample that needs it.
     */
    default boolean writesSymbolMap(FoundProcess process) {
        return false;
    }

    /**
     * perf record has ended. Unless perf script has been reading its output all along
     * ({@link RecordOptions#stream()}), perf script is about to read the samples of {@code process}: the
     * moment for a JIT to write its symbol map ({@code /tmp/perf-PID.map}), which perf script reads
     * (see {@link #writesSymbolMap}).
     */
    default void recorded(FoundProcess process) {
    }

    /**
     * Something worth a person's attention that did not stop the recording: a real message from perf
     * (its routine chatter is filtered out), or hidden kernel symbols ({@code kptr_restrict}).
     */
    default void warning(String message) {
    }

    /**
     * A fact about the recording worth one line that is not a problem, e.g. how the frames of a kubectl
     * target's binary were named ("named 1,200 of 1,210 frames of /usr/bin/etcd through kubectl: fetched
     * 6216 KB of 20.5 MB (cached by build-id 1c7d...)").
     */
    default void note(String message) {
    }
}
