package io.github.stackfold.lab;

import io.github.stackfold.flamegraph.analyze.Rules;

import java.io.IOException;
import java.time.Duration;

/**
 * A server {@code flame demo} starts on 127.0.0.1 to profile: Debian's etcd when installed
 * ({@link EtcdDemoTarget}), otherwise the repository's apiserver-like JVM server
 * ({@link JvmDemoTarget}). {@link #close} ends it and removes what it wrote (data dir, perf map).
 */
public interface DemoTarget extends AutoCloseable {
    /** A short name: {@code etcd} or {@code demo-server}. */
    String name();

    /** One line for a person: what runs, where, with which PID. */
    String description();

    /** The process perf records. */
    long pid();

    /** The analysis' categories for this target's frames. */
    Rules rules() throws IOException;

    /** Starts {@code clients} bounded load loops for {@code duration}. */
    LoadRun startLoad(int clients, Duration duration);

    /**
     * Called after recording and before perf script reads the samples: a JVM writes its JIT symbol
     * map here so perf can name compiled frames. Never fails the run: problems come back as a warning.
     *
     * @return a warning for the user, or null
     */
    default String beforeScript() {
        return null;
    }

    /**
     * True when {@link #beforeScript} writes a symbol map that perf script must read: perf script then
     * runs after perf record instead of reading its output while it records.
     */
    default boolean writesSymbolMap() {
        return false;
    }

    @Override
    void close();
}
