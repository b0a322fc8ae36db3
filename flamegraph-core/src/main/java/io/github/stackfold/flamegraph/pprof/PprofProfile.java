package io.github.stackfold.flamegraph.pprof;

import io.github.stackfold.flamegraph.folded.FoldedProfile;

/**
 * A pprof profile read by {@link PprofReader}: the folded stacks plus what the profile says about
 * itself. Not the whole profile: mappings other than the first, line numbers and addresses of named
 * frames are dropped.
 *
 * @param folded        the stacks, root first, weighted by the chosen sample type
 * @param sampleType    the sample type used as the weight, {@code type/unit} (e.g. {@code cpu/nanoseconds})
 * @param binary        the file name of the profile's first mapping (pprof's main binary), without
 *                      directories, e.g. {@code kube-apiserver}; empty when the profile has none
 * @param timeNanos     when the profile was taken, nanoseconds since the epoch (0 when unknown)
 * @param durationNanos how long it covers (0 when unknown)
 * @param mainMapping   the first mapping's file name as the profile has it, e.g.
 *                      {@code /usr/local/bin/kube-apiserver}; empty when the profile has none
 * @param periodType    the profile's {@code period_type}, {@code type/unit} (e.g. {@code cpu/nanoseconds});
 *                      empty when it has none
 * @param period        its {@code period} (e.g. 10,000,000 ns at 100 Hz); 0 when unknown
 */
public record PprofProfile(FoldedProfile folded, String sampleType, String binary, long timeNanos,
        long durationNanos, String mainMapping, String periodType, long period) {

    /** A profile known by its stacks, binary name, time and duration only (no mapping path, no period). */
    public PprofProfile(FoldedProfile folded, String sampleType, String binary, long timeNanos, long durationNanos) {
        this(folded, sampleType, binary, timeNanos, durationNanos, binary, "", 0);
    }
}
