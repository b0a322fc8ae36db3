package io.github.stackfold.flamegraph.pprof;

import io.github.stackfold.flamegraph.folded.FoldedProfile;

/**
 * A pprof profile read by {@link PprofReader}: the folded stacks plus what the profile says about
 * itself. Not the whole profile: mappings, line numbers and addresses of named frames are dropped.
 *
 * @param folded        the stacks, root first, weighted by the chosen sample type
 * @param sampleType    the sample type used as the weight, {@code type/unit} (e.g. {@code cpu/nanoseconds})
 * @param binary        the file name of the profile's first mapping (pprof's main binary), without
 *                      directories, e.g. {@code kube-apiserver}; empty when the profile has none
 * @param timeNanos     when the profile was taken, nanoseconds since the epoch (0 when unknown)
 * @param durationNanos how long it covers (0 when unknown)
 */
public record PprofProfile(FoldedProfile folded, String sampleType, String binary, long timeNanos,
        long durationNanos) {
}
