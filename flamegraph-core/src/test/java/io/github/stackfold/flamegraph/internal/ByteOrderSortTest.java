package io.github.stackfold.flamegraph.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/**
 * {@link ByteOrderSort} against a stable comparison sort of the same strings: the same permutation,
 * copies of one string in the order of their indexes, on one thread and split over two.
 */
class ByteOrderSortTest {

    @Test
    void theSameOrderAsAStableSortWithCopiesInIndexOrder() {
        Random rnd = new Random(11);
        for (int round = 0; round < 40; round++) {
            int n = 1 + rnd.nextInt(4000);
            // strings packed one after the other in one block, as the renderer's lines are
            byte[][] distinct = new byte[1 + rnd.nextInt(round < 20 ? 50 : 2000)][];
            int common = round % 2 == 0 ? 0 : 15; // a prefix all share: the split descends past it
            for (int i = 0; i < distinct.length; i++) {
                byte[] s = new byte[common + rnd.nextInt(round < 10 ? 3 : 30)];
                Arrays.fill(s, 0, common, (byte) ';');
                for (int k = common; k < s.length; k++) {
                    s[k] = (byte) (rnd.nextBoolean() ? 0 : rnd.nextInt(256)); // zeros, as the keys' padding
                }
                distinct[i] = s;
            }
            byte[] block = new byte[n * (common + 30)];
            long[] pos = new long[n];
            int[] len = new int[n];
            int at = 0;
            for (int i = 0; i < n; i++) {
                byte[] s = distinct[rnd.nextInt(distinct.length)]; // copies of a string are common
                System.arraycopy(s, 0, block, at, s.length);
                pos[i] = at;
                len[i] = s.length;
                at += s.length;
            }
            Integer[] expected = IntStream.range(0, n).boxed().toArray(Integer[]::new);
            Arrays.sort(expected, (x, y) -> Arrays.compareUnsigned(block, (int) pos[x], (int) pos[x] + len[x], block,
                    (int) pos[y], (int) pos[y] + len[y])); // stable
            int[] want = Arrays.stream(expected).mapToInt(Integer::intValue).toArray();
            for (int parallelFrom : new int[] {Integer.MAX_VALUE, 2, 64}) {
                long[] before = pos.clone();
                ByteOrderSort sort = new ByteOrderSort(new byte[][] {block}, pos, len, n);
                int[] got = sort.sort(parallelFrom);
                assertThat(got).as("round %d, parallel from %d", round, parallelFrom).isEqualTo(want);
                assertThat(pos).as("its input is not changed").isEqualTo(before);
                for (int i = 0; i < n; i++) {
                    assertThat(sort.pos()[i]).isEqualTo(pos[want[i]]);
                    assertThat(sort.len()[i]).isEqualTo(len[want[i]]);
                }
            }
        }
    }
}
