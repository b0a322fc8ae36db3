package io.github.stackfold.flamegraph.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The whole-sample cache on its own: what it finds, what it keeps and what its caps drop. */
class SampleCacheTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Remembers a sample's stack lines for the key. */
    private static void remember(SampleCache c, int key, int pname, String lines, int stack) {
        byte[] b = bytes(lines);
        c.remember(key, pname, b, 0, b.length, (int) lines.chars().filter(ch -> ch == '\n').count(), stack);
    }

    /** The stack found for the key when the input from the sample's first line on is {@code after}. */
    private static int find(SampleCache c, int key, int pname, String after) {
        byte[] b = bytes(after);
        return c.find(key, pname, b, 0, b.length);
    }

    @Test
    void findsATailOnlyWhenAnEmptyLineFollowsItForTheSameLineAndProcess() {
        SampleCache c = new SampleCache();
        remember(c, 3, 1, "\tb (m)\n\tc (m)\n", 42);

        assertThat(find(c, 3, 1, "\tb (m)\n\tc (m)\n\nnext 1 [0] 1.0: x:\n")).isEqualTo(42);
        assertThat(c.foundLength).isEqualTo(14);
        assertThat(c.foundLines).isEqualTo(2);
        assertThat(find(c, 3, 1, "\tb (m)\n\tc (m)\n\td (m)\n\n")).as("a line more").isEqualTo(-1);
        assertThat(find(c, 3, 1, "\tb (m)\n\n")).as("a line less").isEqualTo(-1);
        assertThat(find(c, 3, 1, "\tb (m)\n\tC (m)\n\n")).as("another line").isEqualTo(-1);
        assertThat(find(c, 3, 1, "\tb (m)\n\tc (m)\n")).as("no empty line yet: the end of the buffer").isEqualTo(-1);
        assertThat(find(c, 3, 2, "\tb (m)\n\tc (m)\n\n")).as("another process").isEqualTo(-1);
        assertThat(find(c, 4, 1, "\tb (m)\n\tc (m)\n\n")).as("another first line").isEqualTo(-1);
    }

    @Test
    void anyKeyThatIsNotNegativeIsOne() {
        // the folder's keys are hashes with the sign bit cleared: the largest one, plus one, wraps
        SampleCache c = new SampleCache();
        remember(c, Integer.MAX_VALUE, 0, "\ta (m)\n", 1);
        remember(c, 0, 0, "\tb (m)\n", 2);
        assertThat(find(c, Integer.MAX_VALUE, 0, "\ta (m)\n\n")).isEqualTo(1);
        assertThat(find(c, 0, 0, "\tb (m)\n\n")).isEqualTo(2);
        assertThat(find(c, Integer.MAX_VALUE, 0, "\tb (m)\n\n")).isEqualTo(-1);
    }

    @Test
    void aSampleOfOneLineHasAnEmptyTail() {
        SampleCache c = new SampleCache();
        remember(c, 0, 0, "", 7);

        assertThat(find(c, 0, 0, "\n")).isEqualTo(7);
        assertThat(c.foundLength).isZero();
        assertThat(find(c, 0, 0, "\tb (m)\n\n")).isEqualTo(-1);
    }

    @Test
    void keepsTwoTailsPerKeyAndReplacesTheOneUsedLessRecently() {
        SampleCache c = new SampleCache();
        remember(c, 5, 0, "\tb (m)\n", 1);
        remember(c, 5, 0, "\tc (m)\n", 2);
        assertThat(find(c, 5, 0, "\tb (m)\n\n")).isEqualTo(1);
        assertThat(find(c, 5, 0, "\tc (m)\n\n")).isEqualTo(2);

        assertThat(find(c, 5, 0, "\tb (m)\n\n")).isEqualTo(1); // b is now the more recent
        remember(c, 5, 0, "\td (m)\n\te (m)\n", 3); // longer than c: placed anew
        assertThat(find(c, 5, 0, "\tb (m)\n\n")).isEqualTo(1);
        assertThat(find(c, 5, 0, "\td (m)\n\te (m)\n\n")).isEqualTo(3);
        assertThat(find(c, 5, 0, "\tc (m)\n\n")).isEqualTo(-1);
    }

    @Test
    void growsWithTheKeys() {
        SampleCache c = new SampleCache();
        int keys = 20_000; // the cache starts with 256 sets of two
        for (int k = 0; k < keys; k++) {
            remember(c, k, k % 7, "\tframe" + k + " (m)\n", k);
        }
        int found = 0;
        for (int k = 0; k < keys; k++) {
            if (find(c, k, k % 7, "\tframe" + k + " (m)\n\n") == k) {
                found++;
            }
        }
        // a key is lost only where three or more meet in one set of two
        assertThat(found).isGreaterThan(keys * 9 / 10);
    }

    @Test
    void keepsNoTailLongerThanAChunkAndNothingNewPastItsCap() {
        SampleCache c = new SampleCache();
        String huge = "\tf (m)\n".repeat(300_000 / 7);
        remember(c, 1, 0, huge, 9);
        assertThat(find(c, 1, 0, huge + "\n")).isEqualTo(-1);

        String tail = "\tg (m)\n".repeat(150_000 / 7); // about 150 KB: one per 256 KiB chunk
        remember(c, 2, 0, tail, 10);
        for (int k = 100; k < 300; k++) { // 30 MB in all: past the cap of 16 MiB
            remember(c, k, 0, tail, k);
        }
        assertThat(find(c, 2, 0, tail + "\n")).as("kept before the cap").isEqualTo(10);
        assertThat(find(c, 299, 0, tail + "\n")).as("past the cap").isEqualTo(-1);
    }
}
