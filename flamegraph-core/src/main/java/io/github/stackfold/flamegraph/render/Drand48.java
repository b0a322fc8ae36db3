package io.github.stackfold.flamegraph.render;

/**
 * Perl's {@code srand}/{@code rand} (Perl 5.20 and later use their own drand48 on every platform):
 * a 48-bit linear congruential generator, x' = (0x5DEECE66D x + 0xB) mod 2^48, seeded as
 * {@code (seed << 16) + 0x330E}, returning x' / 2^48. flamegraph.pl seeds it per frame name, so the
 * "random" colours are in fact a function of the name.
 */
final class Drand48 {
    private static final long MULTIPLIER = 0x5DEECE66DL;
    private static final long ADDEND = 0xBL;
    private static final long MASK = (1L << 48) - 1;

    private Drand48() {
    }

    /** The first {@code rand()} after {@code srand(seed)}, for a 32-bit seed. */
    static double firstAfterSeed(long seed32) {
        long x = ((seed32 & 0xFFFFFFFFL) << 16) + 0x330EL;
        x = (x * MULTIPLIER + ADDEND) & MASK;
        return x * 0x1.0p-48;
    }
}
