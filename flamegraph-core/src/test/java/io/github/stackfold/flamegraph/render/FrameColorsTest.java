package io.github.stackfold.flamegraph.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;

import org.junit.jupiter.api.Test;

class FrameColorsTest {

    /** drand48 computed independently with BigInteger: (a * ((seed << 16) + 0x330E) + c) mod 2^48 / 2^48. */
    static double perlRandAfterSrand(long seed) {
        BigInteger x = BigInteger.valueOf(seed).shiftLeft(16).add(BigInteger.valueOf(0x330E));
        x = x.multiply(BigInteger.valueOf(0x5DEECE66DL)).add(BigInteger.valueOf(0xB)).mod(BigInteger.ONE.shiftLeft(48));
        return x.doubleValue() / Math.pow(2, 48);
    }

    @Test
    void seededColoursComeFromPerlRandSeededWithTheSumOfTheNamesCharacters() {
        FrameColors hot = FrameColors.of(Palette.HOT, ColorMode.SEEDED);
        for (String name : new String[] {"main", "vfs_read", "java/lang/Thread:::run", "\u65e5\u672c\u8a9e", "x"}) {
            long sum = name.codePoints().sum();
            double v = perlRandAfterSrand(sum);
            String expected = "rgb(" + (205 + (int) (50 * v)) + "," + (int) (230 * v) + "," + (int) (55 * v) + ")";
            assertThat(hot.color(name)).as(name).isEqualTo(expected);
        }
    }

    @Test
    void rootFrameColourMatchesFlamegraphPl() {
        // flamegraph.pl colours the root by the empty name: srand(0); the reference SVGs show rgb(213,39,9) (hot)
        // and rgb(209,63,63) (red) for "all".
        assertThat(FrameColors.of(Palette.HOT, ColorMode.SEEDED).color("")).isEqualTo("rgb(213,39,9)");
        assertThat(FrameColors.of(Palette.RED, ColorMode.SEEDED).color("")).isEqualTo("rgb(209,63,63)");
    }

    @Test
    void hashModeWeighsTheFirstThreeCharactersOfTheNameAndOfItsReverse() {
        // "abc": 97%10/9*1 + 98%11/10*0.7 + 99%12/11*0.49 over 1+1+0.7+0.49; reversed "cba" likewise
        double v1 = 1 - (7 / 9.0 + 10 / 10.0 * 0.7 + 3 / 11.0 * 0.49) / 3.19;
        double v2 = 1 - (9 / 9.0 + 10 / 10.0 * 0.7 + 1 / 11.0 * 0.49) / 3.19;
        assertThat(FrameColors.nameHash("abc")).isCloseTo(v1, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(FrameColors.of(Palette.HOT, ColorMode.HASH).color("abc"))
                .isEqualTo("rgb(" + (205 + (int) (50 * v2)) + "," + (int) (230 * v1) + "," + (int) (55 * v2) + ")");
        assertThat(FrameColors.nameHash("libc.so.6`malloc")).isEqualTo(FrameColors.nameHash("malloc"));
    }

    @Test
    void javaPaletteChoosesByAnnotationAndPackage() {
        FrameColors java = FrameColors.of(Palette.JAVA, ColorMode.HASH);
        assertThat(kind(java.color("Interpreter_[j]"))).isEqualTo("green");
        assertThat(kind(java.color("java/util/HashMap:.get"))).isEqualTo("green");
        assertThat(kind(java.color("Lio/netty/Foo;.bar"))).isEqualTo("green");
        assertThat(kind(java.color("inlined_[i]"))).isEqualTo("aqua");
        assertThat(kind(java.color("JavaThread::run"))).isEqualTo("yellow");
        assertThat(kind(java.color("tcp_sendmsg_[k]"))).isEqualTo("orange");
        assertThat(kind(java.color("start_thread"))).isEqualTo("red");
    }

    @Test
    void jsPerlChainAndWakeupPalettesChooseFlatPalettesByName() {
        FrameColors js = FrameColors.of(Palette.JS, ColorMode.HASH);
        assertThat(kind(js.color("/app/server.js:10_[j]"))).isEqualTo("green");
        assertThat(kind(js.color("Builtin:Call_[j]"))).isEqualTo("aqua");
        assertThat(kind(js.color("v8::internal::Run"))).isEqualTo("yellow");
        assertThat(kind(js.color("node"))).isEqualTo("red");
        FrameColors perl = FrameColors.of(Palette.PERL, ColorMode.HASH);
        assertThat(kind(perl.color("Perl_pp_entersub"))).isEqualTo("green");
        assertThat(kind(perl.color("Foo::bar"))).isEqualTo("yellow");
        FrameColors chain = FrameColors.of(Palette.CHAIN, ColorMode.HASH);
        assertThat(kind(chain.color("schedule"))).isEqualTo("blue");
        assertThat(kind(chain.color("try_to_wake_up_[w]"))).isEqualTo("aqua");
        assertThat(kind(FrameColors.of(Palette.WAKEUP, ColorMode.HASH).color("x"))).isEqualTo("aqua");
    }

    @Test
    void differentialColoursAreRedForGrowthBlueForShrinkageWhiteForNoChange() {
        assertThat(FrameColors.differential(0, 10, false)).isEqualTo("rgb(255,255,255)");
        assertThat(FrameColors.differential(10, 10, false)).isEqualTo("rgb(255,0,0)");
        assertThat(FrameColors.differential(5, 10, false)).isEqualTo("rgb(255,105,105)");
        assertThat(FrameColors.differential(-5, 10, false)).isEqualTo("rgb(105,105,255)");
        assertThat(FrameColors.differential(5, 10, true)).isEqualTo("rgb(105,105,255)");
    }

    @Test
    void randomModeDiffersBetweenCallsButSeededAndHashDoNot() {
        FrameColors seeded = FrameColors.of(Palette.HOT, ColorMode.SEEDED);
        assertThat(seeded.color("f")).isEqualTo(seeded.color("f"));
        FrameColors random = FrameColors.of(Palette.HOT, ColorMode.RANDOM);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            seen.add(random.color("f"));
        }
        assertThat(seen).hasSizeGreaterThan(1);
    }

    /** The flat palette a colour comes from, told by the shape of its channels. */
    static String kind(String rgb) {
        String[] p = rgb.replaceAll("[^0-9,]", "").split(",");
        int r = Integer.parseInt(p[0]);
        int g = Integer.parseInt(p[1]);
        int b = Integer.parseInt(p[2]);
        if (b == 0) {
            return "orange";
        }
        if (r == b && g >= 200) {
            return "green";
        }
        if (r == g && b <= 70) {
            return "yellow";
        }
        if (g == b && r >= 200) {
            return "red";
        }
        if (g == b && r <= 110) {
            return "aqua";
        }
        if (r == g && b >= 205) {
            return "blue";
        }
        return "other " + rgb;
    }
}
