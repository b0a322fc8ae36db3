package io.github.stackfold.flamegraph.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class FmtTest {
    /** %.15g from the exact binary value: the plain form, trailing zeros dropped (see perlKnownValues for the rest). */
    private static String percent15g(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new BigDecimal(v).round(new MathContext(15, RoundingMode.HALF_EVEN)).stripTrailingZeros().toPlainString();
    }

    private static String perl(double v) {
        StringBuilder sb = new StringBuilder();
        Fmt.perl(sb, v);
        return sb.toString();
    }

    @Test
    void perlPrintsWhatPercent15gPrintsForDecimalsHalvesAndArbitraryDoubles() {
        SplittableRandom random = new SplittableRandom(42);
        double[] scales = {1, 10, 100, 1000, 10000, 2, 4, 8, 16, 3, 7};
        for (int i = 0; i < 400_000; i++) {
            double v;
            switch (i % 4) {
                case 0 -> v = random.nextLong(-2_000_000_000L, 2_000_000_000L) / scales[random.nextInt(scales.length)];
                case 1 -> v = random.nextInt(0, 5000) + 0.5;
                case 2 -> v = random.nextDouble(-1e10, 1e10);
                default -> v = (0.001 + random.nextDouble()) * Math.pow(10, random.nextInt(0, 10));
            }
            assertThat(perl(v)).as("perl(%s)", v).isEqualTo(percent15g(v));
        }
    }

    /** C's %.Nf, round half to even on the exact binary value. */
    private static String percentF(double v, int decimals) {
        return new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
    }

    @Test
    void fixedPrintsWhatPercentFPrintsForLargeCountsAndTies() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 200_000; i++) {
            double v;
            switch (i % 4) {
                case 0 -> v = random.nextLong(0, 1L << 52) / 2.0; // halves: ties to even
                case 1 -> v = random.nextDouble() * Math.pow(10, random.nextInt(0, 16));
                case 2 -> v = random.nextLong(0, 1_000_000_000_000L) * 1001001.0 / 7;
                default -> v = random.nextDouble() * 1e4;
            }
            for (int d = 0; d <= 2; d++) {
                StringBuilder sb = new StringBuilder();
                Fmt.fixed(sb, v, d);
                assertThat(sb.toString()).as("fixed(%s, %d)", v, d).isEqualTo(percentF(v, d));
                if (v < 1e15) {
                    assertThat(Fmt.scaledRound(v, d)).as("scaledRound(%s, %d)", v, d)
                            .isEqualTo(new BigDecimal(v).setScale(d, RoundingMode.HALF_EVEN).unscaledValue().longValueExact());
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        Fmt.fixed(sb, 2.5, 0);
        Fmt.fixed(sb.append(' '), 3.5, 0);
        Fmt.fixed(sb.append(' '), 1e12 + 0.5, 0);
        assertThat(sb).hasToString("2 4 1000000000000");
    }

    @Test
    void perlKnownValues() {
        // what perl -e 'print $v' prints
        assertThat(perl(101.5)).isEqualTo("101.5");
        assertThat(perl(-0.5)).isEqualTo("-0.5");
        assertThat(perl(0.1)).isEqualTo("0.1");
        assertThat(perl(0.3)).isEqualTo("0.3");
        assertThat(perl(1.0 / 3)).isEqualTo("0.333333333333333");
        assertThat(perl(12.25)).isEqualTo("12.25");
        assertThat(perl(36)).isEqualTo("36");
        assertThat(perl(0.0001234)).isEqualTo("0.0001234");
        assertThat(perl(999999999999999.0)).isEqualTo("999999999999999");
        assertThat(perl(0.00001)).isEqualTo("1e-05");
        assertThat(perl(1.5e-7)).isEqualTo("1.5e-07");
        assertThat(perl(-2.5e-5)).isEqualTo("-2.5e-05");
        assertThat(perl(1.0 / 3 * 1e-9)).isEqualTo("3.33333333333333e-10");
        assertThat(perl(1e15)).isEqualTo("1e+15");
        assertThat(perl(1.5e15)).isEqualTo("1.5e+15");
        assertThat(perl(1e15 - 0.5)).isEqualTo("1e+15");
        assertThat(perl(123456789012345678.0)).isEqualTo("1.23456789012346e+17");
        assertThat(perl(Math.pow(2, 60))).isEqualTo("1.15292150460685e+18");
    }
}
