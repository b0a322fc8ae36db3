package io.github.stackfold.flamegraph.render;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Numbers printed as flamegraph.pl prints them, so positions and percentages agree to the digit:
 * C's {@code %.Nf} (round half to even on the exact binary value) and Perl's default number
 * stringification ({@code %.15g}).
 */
final class Fmt {
    private static final double[] POW10 = {1, 10, 100, 1000, 10000};

    private Fmt() {
    }

    /** Appends {@code v} as C's {@code printf("%.<decimals>f", v)}. */
    static void fixed(StringBuilder sb, double v, int decimals) {
        long r = fastScaled(v, decimals);
        if (r >= 0) {
            appendScaled(sb, r, decimals);
            return;
        }
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            sb.append(Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
            return;
        }
        String s = new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        if (v < 0 && s.charAt(0) != '-') {
            sb.append('-');
        }
        sb.append(s);
    }

    static String fixed(double v, int decimals) {
        StringBuilder sb = new StringBuilder(16);
        fixed(sb, v, decimals);
        return sb.toString();
    }

    private static void appendScaled(StringBuilder sb, long r, int decimals) {
        if (decimals == 0) {
            sb.append(r);
            return;
        }
        long p = (long) POW10[decimals];
        sb.append(r / p).append('.');
        long f = r % p;
        for (long q = p / 10; q > 1 && f < q; q /= 10) {
            sb.append('0');
        }
        sb.append(f);
    }

    /** {@code v >= 0} rounded as {@code %.<decimals>f} rounds it, times 10^decimals. */
    static long scaledRound(double v, int decimals) {
        long r = fastScaled(v, decimals);
        return r >= 0 ? r : new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).unscaledValue().longValue();
    }

    /**
     * {@code v} rounded as {@code %.<decimals>f} rounds it, times 10^decimals, where that can be done
     * exactly in doubles; else -1 (negative, NaN, huge, or too near a tie), for BigDecimal to decide.
     * With no decimals below 2^52 a double's fraction is exact, so only an exact .5 is a tie, and C
     * rounds it to even: frame counts in nanoseconds (perf periods, pprof) are 10^9 and more, which
     * the scaled test below sent to BigDecimal (3 % of such a flame graph's main thread).
     */
    private static long fastScaled(double v, int decimals) {
        if (decimals == 0 && v >= 0 && v < 0x1p52) {
            double fl = Math.floor(v);
            double frac = v - fl;
            long r = (long) fl;
            return frac > 0.5 || frac == 0.5 && (r & 1) == 1 ? r + 1 : r;
        }
        if (v >= 0 && v < 1e9) {
            double s = v * POW10[decimals];
            double fl = Math.floor(s);
            double frac = s - fl;
            if (Math.abs(frac - 0.5) > 1e-6) {
                return (long) fl + (frac > 0.5 ? 1 : 0);
            }
        }
        return -1;
    }

    /** Appends a value from {@link #scaledRound} with its decimal point. */
    static void scaled(StringBuilder sb, long r, int decimals) {
        if (r < 0) {
            sb.append('-');
            r = -r;
        }
        appendScaled(sb, r, decimals);
    }

    /** Appends {@code v} as Perl stringifies a number ({@code %.15g}). */
    static void perl(StringBuilder sb, double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            sb.append((long) v);
            return;
        }
        if (fewDecimals(sb, v)) {
            return;
        }
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            sb.append(Double.isNaN(v) ? "NaN" : v > 0 ? "Inf" : "-Inf");
            return;
        }
        BigDecimal bd = new BigDecimal(v).round(new MathContext(15, RoundingMode.HALF_EVEN)).stripTrailingZeros();
        int exp = bd.precision() - bd.scale() - 1;
        if (exp < -4 || exp >= 15) {
            // %g's exponent form, trailing zeros dropped: 1e-05, 1.5e+15 (not reached by graph coordinates)
            String digits = bd.unscaledValue().abs().toString();
            if (v < 0) {
                sb.append('-');
            }
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append(exp < 0 ? "e-" : "e+");
            int e = Math.abs(exp);
            if (e < 10) {
                sb.append('0');
            }
            sb.append(e);
        } else {
            sb.append(bd.toPlainString());
        }
    }

    /**
     * Appends {@code v} when it is, to the double's precision, a decimal of at most four places below
     * 10^9 (the graph's coordinates: half pixels, tenths), and says whether it did. Such a value has at
     * most 13 significant digits and lies within a relative 2^-52 of that decimal, far inside half a
     * unit of %.15g's last digit, so %.15g prints exactly it; the BigDecimal path took 3 % of a
     * 100k-stack flame graph's main thread.
     */
    private static boolean fewDecimals(StringBuilder sb, double v) {
        double a = Math.abs(v);
        if (!(a < 1e9)) {
            return false;
        }
        for (int d = 1; d < POW10.length; d++) {
            double s = a * POW10[d];
            if (s == Math.rint(s)) {
                long r = (long) s;
                int places = d;
                while (places > 0 && r % 10 == 0) {
                    r /= 10;
                    places--;
                }
                if (v < 0) {
                    sb.append('-');
                }
                appendScaled(sb, r, places);
                return true;
            }
        }
        return false;
    }

    /** An integer string with thousands separators: {@code 1234567} becomes {@code 1,234,567}. */
    static void commas(StringBuilder sb, String digits) {
        int start = 0;
        if (digits.startsWith("-") || digits.startsWith("+")) {
            sb.append(digits.charAt(0));
            start = 1;
        }
        int len = digits.length() - start;
        for (int i = 0; i < len; i++) {
            if (i > 0 && (len - i) % 3 == 0) {
                sb.append(',');
            }
            sb.append(digits.charAt(start + i));
        }
    }
}
