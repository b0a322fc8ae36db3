package io.github.stackfold.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Counts the input megabytes (10^6 bytes) a benchmark consumed. JMH reports an
 * {@link AuxCounters.Type#OPERATIONS} counter as a rate in the benchmark's time unit, so with
 * {@code @OutputTimeUnit(SECONDS)} the secondary result {@code :MB} of every benchmark here reads as
 * <b>MB/s of input</b> (JMH prints the unit as {@code ops/s}; {@link Summary} prints it as MB/s).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Megabytes {
    /** Input megabytes consumed in this iteration. */
    public double MB;

    @Setup(Level.Iteration)
    public void reset() {
        MB = 0;
    }

    /** Records that one operation consumed {@code bytes} bytes of input. */
    public void consumed(long bytes) {
        MB += bytes / 1e6;
    }
}
