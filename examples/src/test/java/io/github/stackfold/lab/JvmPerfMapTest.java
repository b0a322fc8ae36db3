package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The perf map tidying that lets the analysis' name prefixes see the demo's classes. */
class JvmPerfMapTest {

    @Test
    void dropsTheReturnTypeHotSpotWritesBeforeAMethodName() {
        assertThat(JvmPerfMap.tidyLine(
                "0x00007fd584ec71c0 0x0000000000000270 java.lang.Object jdk.internal.misc.Unsafe.getReferenceVolatile(java.lang.Object, long)"))
                .isEqualTo("0x00007fd584ec71c0 0x0000000000000270 jdk.internal.misc.Unsafe.getReferenceVolatile(java.lang.Object, long)");
        assertThat(JvmPerfMap.tidyLine(
                "0x1 0x2 io.github.stackfold.examples.demo.UserInfo io.github.stackfold.examples.demo.Authentication.authenticate(java.lang.String, long)"))
                .isEqualTo("0x1 0x2 io.github.stackfold.examples.demo.Authentication.authenticate(java.lang.String, long)");
        assertThat(JvmPerfMap.tidyLine("0x1 0x2 void java.util.HashMap$Node.<init>(int)"))
                .isEqualTo("0x1 0x2 java.util.HashMap$Node.<init>(int)");
        assertThat(JvmPerfMap.tidyLine("0x1 0x2 byte[] java.util.Arrays.copyOf(byte[], int)"))
                .isEqualTo("0x1 0x2 java.util.Arrays.copyOf(byte[], int)");
    }

    @Test
    void leavesStubNamesAsTheyAre() {
        assertThat(JvmPerfMap.tidyLine("0x7f 0x1 Interpreter")).isEqualTo("0x7f 0x1 Interpreter");
        assertThat(JvmPerfMap.tidyLine("0x7f 0x1 StubRoutines (1)")).isEqualTo("0x7f 0x1 StubRoutines (1)");
        assertThat(JvmPerfMap.tidyLine("0x7f 0x1 I2C/C2I adapters")).isEqualTo("0x7f 0x1 I2C/C2I adapters");
        assertThat(JvmPerfMap.tidyLine("garbage")).isEqualTo("garbage");
    }
}
