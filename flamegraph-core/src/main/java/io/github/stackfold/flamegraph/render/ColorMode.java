package io.github.stackfold.flamegraph.render;

/** How a frame's name is turned into the numbers a {@link Palette} maps to a colour. */
public enum ColorMode {
    /**
     * flamegraph.pl's default: Perl's {@code rand()} seeded with the sum of the name's characters, so
     * a name always gets the same colour, in every graph. Matches flamegraph.pl exactly.
     */
    SEEDED,
    /** flamegraph.pl's {@code --hash}: a hash weighting the first characters of the name (and of its reverse). */
    HASH,
    /** flamegraph.pl's {@code --random}: random colours, different on every run. */
    RANDOM
}
