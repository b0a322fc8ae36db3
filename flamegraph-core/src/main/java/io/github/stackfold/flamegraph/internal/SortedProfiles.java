package io.github.stackfold.flamegraph.internal;

import io.github.stackfold.flamegraph.folded.FoldedProfile;

import java.util.function.BiFunction;

/**
 * Makes a {@link FoldedProfile} of stacks a producer inside this module has put in byte order itself
 * (distinct, ascending), without the pass over the text that {@link FoldedProfile#of(String[], long[])}
 * makes to check it. Not exported: outside the module a profile is always checked.
 */
public final class SortedProfiles {
    private static volatile BiFunction<String[], long[], FoldedProfile> maker;

    private SortedProfiles() {
    }

    /** Called once by FoldedProfile, which alone can make a profile unchecked. */
    public static void register(BiFunction<String[], long[], FoldedProfile> m) {
        if (maker != null) {
            throw new IllegalStateException("registered already");
        }
        maker = m;
    }

    /** The profile of {@code stacks}, which must be distinct and in byte order (not checked). */
    public static FoldedProfile ofSorted(String[] stacks, long[] counts) {
        if (maker == null) {
            FoldedProfile.empty(); // initialises FoldedProfile, which registers
        }
        return maker.apply(stacks, counts);
    }
}
