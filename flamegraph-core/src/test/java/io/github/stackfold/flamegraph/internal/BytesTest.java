package io.github.stackfold.flamegraph.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.junit.jupiter.api.Test;

class BytesTest {
    /** The plain loop the eight-bytes-per-step scans must agree with. */
    private static int naive(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void indexOfAgreesWithAPlainLoopAtEveryAlignmentAndLength() {
        Random r = new Random(42);
        for (int round = 0; round < 2000; round++) {
            byte[] b = new byte[r.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                // few distinct bytes, so matches are frequent; 0x80+ and 0x00 check the bit tricks' edges
                b[i] = (byte) new int[] {';', '\n', 'a', 0x00, 0x80, 0xff, 0x3a, 0x3c}[r.nextInt(8)];
            }
            int from = b.length == 0 ? 0 : r.nextInt(b.length + 1);
            int to = from + r.nextInt(b.length - from + 1);
            for (byte c : new byte[] {';', '\n', (byte) 0x80, (byte) 0xff, 0x00}) {
                assertThat(Bytes.indexOf(b, from, to, c)).as("%s in [%d, %d)", c, from, to).isEqualTo(naive(b, from, to, c));
            }
            assertThat(Bytes.indexOfNewline(b, from, to)).isEqualTo(naive(b, from, to, (byte) '\n'));
        }
    }

    @Test
    void aByteBelowTheOneSoughtDoesNotMatch() {
        // ';' is 0x3b: 0x3a and 0x3c differ from it in the low bit only
        byte[] b = ":<<:::<<:;".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(Bytes.indexOf(b, 0, b.length, (byte) ';')).isEqualTo(9);
        assertThat(Bytes.indexOf(b, 0, 9, (byte) ';')).isEqualTo(-1);
    }
}
