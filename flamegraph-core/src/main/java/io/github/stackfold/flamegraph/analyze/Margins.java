package io.github.stackfold.flamegraph.analyze;

/**
 * How sure a share or a change of shares is: 95 % margins from the normal approximation of the
 * binomial, the same formulas a statistics text gives, so that anyone can recompute them.
 *
 * <pre>
 * share p of n samples:           margin = 1.96 * sqrt(p (1 - p) / n)
 * change p2 - p1 (n1, n2 samples): margin = 1.96 * sqrt(p1 (1 - p1) / n1 + p2 (1 - p2) / n2)
 *                                 z      = (p2 - p1) / sqrt(p1 (1 - p1) / n1 + p2 (1 - p2) / n2)
 * </pre>
 *
 * A change whose size is within its margin (|z| &lt; 1.96) is inside the noise. A share of exactly 0 or 1
 * has margin 0 by the formula, which understates the doubt of a small sample: the warning for too few
 * samples ({@link #TOO_FEW}) covers that.
 */
public final class Margins {
    /** The normal quantile of a two-sided 95 % interval. */
    public static final double Z95 = 1.959963984540054;
    /** Below this many samples a side is too small to conclude anything from (a 5 % share is then ±4.3 pp or worse). */
    public static final long TOO_FEW = 100;

    private Margins() {
    }

    /** The 95 % margin of a share from {@code n} samples (fractions of 1); NaN when n is not positive. */
    public static double share(double p, long n) {
        if (n <= 0) {
            return Double.NaN;
        }
        return Z95 * Math.sqrt(p * (1 - p) / n);
    }

    /** The standard error of a difference of two shares. */
    public static double deltaStdErr(double p1, long n1, double p2, long n2) {
        if (n1 <= 0 || n2 <= 0) {
            return Double.NaN;
        }
        return Math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
    }

    /** The 95 % margin of {@code p2 - p1}; NaN when a side has no samples. */
    public static double delta(double p1, long n1, double p2, long n2) {
        return Z95 * deltaStdErr(p1, n1, p2, n2);
    }

    /**
     * How many standard errors {@code p2 - p1} is from 0; 0 when both shares are equal, and ±infinity
     * when the error is 0 but the shares differ (both 0 and 1).
     */
    public static double z(double p1, long n1, double p2, long n2) {
        double d = p2 - p1;
        if (d == 0) {
            return 0;
        }
        double se = deltaStdErr(p1, n1, p2, n2);
        if (Double.isNaN(se)) {
            return Double.NaN;
        }
        return se == 0 ? Math.copySign(Double.POSITIVE_INFINITY, d) : d / se;
    }

    /** Whether a change is inside the noise: |z| below 1.96, or unknown. */
    public static boolean inNoise(double p1, long n1, double p2, long n2) {
        double z = z(p1, n1, p2, n2);
        return Double.isNaN(z) || Math.abs(z) < Z95;
    }
}
