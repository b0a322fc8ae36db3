package io.github.stackfold.flamegraph.analyze;

/**
 * How sure a share or a change of shares is: 95 % margins of the binomial, the same formulas a
 * statistics text gives, so that anyone can recompute them.
 *
 * <pre>
 * share p of n samples:           margin = 1.96 / (1 + 1.96^2 / n) * sqrt(p (1 - p) / n + 1.96^2 / (4 n^2))
 * change p2 - p1 (n1, n2 samples): margin = 1.96 * sqrt(p1 (1 - p1) / n1 + p2 (1 - p2) / n2)
 *                                 z      = (p2 - p1) / sqrt(p1 (1 - p1) / n1 + p2 (1 - p2) / n2)
 * </pre>
 *
 * Where a side's share is 0 or 1 (the normal approximation then takes that side as certain: 0 of 15
 * samples would add no spread although the share could be 20 %), the change's interval is Newcombe's
 * hybrid score interval (1998, method 10), built from each side's Wilson interval [l, u]:
 * {@code d - sqrt((p2 - l2)^2 + (u1 - p1)^2)} to {@code d + sqrt((u2 - p2)^2 + (p1 - l1)^2)} for
 * {@code d = p2 - p1}; the margin is its larger half and z is d over that margin / 1.96, so |z| &lt; 1.96
 * exactly when the change is within its margin (at worst conservative). For two shares of 0 that is
 * {@code max(1.96^2 / (n1 + 1.96^2), 1.96^2 / (n2 + 1.96^2))}: 0 of 199 against 0 of 172 samples is
 * +0.0 pp ±2.2, not ±0.0; 0 of 15 against 143 of 1602 is +8.9 pp ±20.4 (inside the noise), not ±1.4.
 *
 * The share's margin is the half-width of the Wilson score interval: for shares well inside (0, 1) it is
 * the familiar 1.96 &middot; &radic;(p(1-p)/n), and unlike that formula it does not shrink to 0 at a
 * share of 0 or 1 (0 of 199 samples is 0.0 % &plusmn;1.0, not &plusmn;0.0: a share nobody saw can still be
 * a percent). A change whose size is within its margin (|z| &lt; 1.96) is inside the noise.
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
        double z2 = Z95 * Z95;
        return Z95 / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
    }

    /** The standard error of a difference of two shares. */
    public static double deltaStdErr(double p1, long n1, double p2, long n2) {
        if (n1 <= 0 || n2 <= 0) {
            return Double.NaN;
        }
        return Math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
    }

    /**
     * The 95 % margin of {@code p2 - p1}; NaN when a side has no samples. Where the normal approximation's
     * is 0, Newcombe's (see the class comment).
     */
    public static double delta(double p1, long n1, double p2, long n2) {
        double se = deltaStdErr(p1, n1, p2, n2);
        if (Double.isNaN(se) || !degenerate(p1, p2)) {
            return Z95 * se;
        }
        return Math.max(newcombeBelow(p1, n1, p2, n2), newcombeAbove(p1, n1, p2, n2));
    }

    /** Whether a side's share is 0 or 1, where the normal approximation gives that side no spread. */
    private static boolean degenerate(double p1, double p2) {
        return p1 <= 0 || p1 >= 1 || p2 <= 0 || p2 >= 1;
    }

    /** How far Newcombe's interval reaches below d = p2 - p1. */
    private static double newcombeBelow(double p1, long n1, double p2, long n2) {
        return Math.hypot(p2 - wilsonLower(p2, n2), wilsonUpper(p1, n1) - p1);
    }

    /** How far Newcombe's interval reaches above d = p2 - p1. */
    private static double newcombeAbove(double p1, long n1, double p2, long n2) {
        return Math.hypot(wilsonUpper(p2, n2) - p2, p1 - wilsonLower(p1, n1));
    }

    /** The Wilson score interval's centre of a share p of n samples. */
    private static double wilsonCentre(double p, long n) {
        double z2 = Z95 * Z95;
        return (p + z2 / (2.0 * n)) / (1 + z2 / n);
    }

    private static double wilsonLower(double p, long n) {
        return Math.max(0, wilsonCentre(p, n) - share(p, n));
    }

    private static double wilsonUpper(double p, long n) {
        return Math.min(1, wilsonCentre(p, n) + share(p, n));
    }

    /**
     * How many standard errors {@code p2 - p1} is from 0; 0 when both shares are equal. Where a side's
     * share is 0 or 1, the standard error is {@link #delta}'s Newcombe margin / 1.96 (see the class comment).
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
        if (degenerate(p1, p2)) {
            // the margin (the larger half of Newcombe's interval) as a standard error
            return d / (delta(p1, n1, p2, n2) / Z95);
        }
        return d / se;
    }

    /** Whether a change is inside the noise: |z| below 1.96, or unknown. */
    public static boolean inNoise(double p1, long n1, double p2, long n2) {
        double z = z(p1, n1, p2, n2);
        return Double.isNaN(z) || Math.abs(z) < Z95;
    }
}
