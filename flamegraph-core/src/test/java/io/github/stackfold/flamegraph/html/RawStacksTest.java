package io.github.stackfold.flamegraph.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.internal.ByteOrderSort;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Folded text read at byte level for the viewer gives the stacks, counts and errors of
 * {@link FoldedProfile#read} (the reader every other command uses), and the same viewer data.
 */
class RawStacksTest {
    private static RawStacks raw(byte[] text) throws IOException {
        return RawStacks.readFolded(new ByteArrayInputStream(text), "in.folded");
    }

    private static Map<String, Long> asMap(RawStacks r) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < r.size(); i++) {
            m.put(r.stack(i), r.count(i));
        }
        return m;
    }

    private static void sameAsFoldedProfile(byte[] text) throws IOException {
        FoldedProfile p = FoldedProfile.read(new ByteArrayInputStream(text), "in.folded");
        RawStacks r = raw(text);
        // LinkedHashMap equality ignores order: compare the entries in order
        assertThat(new ArrayList<>(asMap(r).entrySet())).isEqualTo(new ArrayList<>(p.asMap().entrySet()));
        byte[] expected = encoded(StackEncoder.Input.of(p));
        assertThat(encoded(StackEncoder.Input.of(r))).isEqualTo(expected);
        // in chunks of 1 and 3 stacks: frames split on a second thread when there are more than two chunks
        for (int chunk : new int[] {1, 3}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            StackEncoder.encode(StackEncoder.Input.of(r), io.github.stackfold.flamegraph.FrameNames.Style.FULL, out, chunk);
            assertThat(out.toByteArray()).as("chunks of %d", chunk).isEqualTo(expected);
        }
    }

    private static byte[] encoded(StackEncoder.Input in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StackEncoder.encode(in, out);
        return out.toByteArray();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void linesAsFoldedProfileReadsThem() throws IOException {
        sameAsFoldedProfile(bytes("a;b 3\na;b;c 2\r\na;d 1\ra;b 4\n\n   \n"));
        sameAsFoldedProfile(bytes("# stackfold: samples=9 counts=samples event=cpu-clock\nx;y 9\n"));
        sameAsFoldedProfile(bytes("a;b;  3\na\t7\n 5\nlast;line;no;newline 11"));
        sameAsFoldedProfile(bytes("f;f1_1 1\nf;f1_10;x 2\nf;f1_1;y 3\nf;f1_1;y;z 4\nf;f1_1!;q 5\n"));
        sameAsFoldedProfile(bytes("trailing;blanks 3 \t\u001c\nname with spaces;b\u00ff\u0000c 8\n\u00e9;\u0080 1\n"));
        sameAsFoldedProfile(bytes("a;b 0\na;b 0\nz 1\r\n\r\n"));
        sameAsFoldedProfile(bytes(""));
    }

    @Test
    void unsortedInputIsMergedAndSortedAsFoldedProfileDoes() throws IOException {
        sameAsFoldedProfile(bytes("z;y 1\na;b 2\nz;y 3\na 4\na;b 5\nm 6\na;b;c 7\na;b0 8\na 9\n"));
        Random rnd = new Random(11);
        for (int round = 0; round < 20; round++) {
            StringBuilder sb = new StringBuilder();
            int lines = 1 + rnd.nextInt(400);
            for (int i = 0; i < lines; i++) {
                int depth = 1 + rnd.nextInt(12);
                for (int d = 0; d < depth; d++) {
                    if (d > 0) {
                        sb.append(';');
                    }
                    // short names from a small alphabet: many shared prefixes, prefixes of each other, bytes below ';'
                    int n = rnd.nextInt(4);
                    for (int k = 0; k < n; k++) {
                        sb.append("ab1:\u0000\u00ff".charAt(rnd.nextInt(6)));
                    }
                }
                sb.append(' ').append(rnd.nextInt(50)).append(rnd.nextInt(5) == 0 ? "\r\n" : "\n");
            }
            sameAsFoldedProfile(bytes(sb.toString()));
        }
    }

    @Test
    void theSorterGivesByteOrder() {
        Random rnd = new Random(5);
        for (int round = 0; round < 30; round++) {
            int n = 1 + rnd.nextInt(3000);
            RawStacks.Builder b = new RawStacks.Builder();
            List<byte[]> all = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                // from round 20 on, 17 bytes common to all: the two-thread split descends past them
                int common = round < 20 ? 0 : 17;
                byte[] s = new byte[common + rnd.nextInt(round < 10 ? 30 : 3)];
                Arrays.fill(s, 0, common, (byte) 'c');
                for (int k = common; k < s.length; k++) {
                    s[k] = (byte) (rnd.nextBoolean() ? 0 : rnd.nextInt(256)); // zero bytes, as the padding of the keys
                }
                if (seen.add(new String(s, StandardCharsets.ISO_8859_1))) {
                    all.add(s);
                    b.append(s, 0, s.length, i);
                }
            }
            RawStacks built = b.build();
            // append() alone never saw the order: sort what was appended
            byte[][] expect = all.toArray(new byte[0][]);
            Arrays.sort(expect, Arrays::compareUnsigned);
            // one thread, and two from 2 and from 64 strings on
            for (int parallelFrom : new int[] {Integer.MAX_VALUE, 2, 64}) {
                int[] order = new ByteOrderSort(blocksOf(built), posOf(built), lenOf(built), built.size())
                        .sort(parallelFrom);
                for (int i = 0; i < expect.length; i++) {
                    assertThat(bytes(built.stack(order[i]))).as("round %d, parallel from %d, position %d", round,
                            parallelFrom, i).isEqualTo(expect[i]);
                }
            }
        }
    }

    private static byte[][] blocksOf(RawStacks r) {
        byte[][] b = new byte[r.size()][];
        for (int i = 0; i < r.size(); i++) {
            b[i] = r.bytes(i);
        }
        return b;
    }

    private static long[] posOf(RawStacks r) {
        long[] p = new long[r.size()];
        for (int i = 0; i < r.size(); i++) {
            p[i] = ((long) i << 32) | r.from(i);
        }
        return p;
    }

    private static int[] lenOf(RawStacks r) {
        int[] l = new int[r.size()];
        for (int i = 0; i < r.size(); i++) {
            l[i] = r.length(i);
        }
        return l;
    }

    @Test
    void aMalformedLineIsTheSameErrorAsFoldedProfiles() throws IOException {
        byte[] text = bytes("a;b 3\n\r\nno count here\na 1\n");
        String expected = null;
        try {
            FoldedProfile.read(new ByteArrayInputStream(text), "in.folded");
        } catch (BadInputException e) {
            expected = e.getMessage();
        }
        assertThat(expected).startsWith("in.folded:3:"); // line 3: CR LF is one line end
        assertThatThrownBy(() -> raw(text)).isInstanceOf(BadInputException.class).hasMessage(expected);
        assertThatThrownBy(() -> raw(bytes("a 1234567890123456789\n"))).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("in.folded:1:");
    }

    @Test
    void readsInputThatArrivesInSmallPiecesAndLinesLongerThanTheBuffer() throws IOException {
        StringBuilder longStack = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            longStack.append("frame").append(i % 97).append(';');
        }
        byte[] text = bytes("a;b 1\r" + longStack + "end 2\r\nb 3\n");
        InputStream trickle = new ByteArrayInputStream(text) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 7)); // CR and LF of one line end in different reads
            }
        };
        RawStacks r = RawStacks.readFolded(trickle, "pipe");
        FoldedProfile p = FoldedProfile.read(new ByteArrayInputStream(text), "pipe");
        assertThat(new ArrayList<>(asMap(r).entrySet())).isEqualTo(new ArrayList<>(p.asMap().entrySet()));
        assertThat(r.size()).isEqualTo(3);
    }

    /** Lines of random stacks over a small alphabet of frames, unsorted, many repeated. */
    private static String randomLines(Random rnd, int lines) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            int depth = 1 + rnd.nextInt(20);
            for (int d = 0; d < depth; d++) {
                sb.append(d == 0 ? "" : ";").append('f').append(d).append('_').append(rnd.nextInt(d < 3 ? 3 : 12));
            }
            sb.append(' ').append(1 + rnd.nextInt(9)).append('\n');
        }
        return sb.toString();
    }

    @Test
    void aLongInputReadOnASecondThreadIsTheSameAsFoldedProfiles() throws IOException {
        // 30,000 lines: several batches of 4,096 stacks handed from the reading thread to the merge
        sameAsFoldedProfile(bytes(randomLines(new Random(3), 30_000)));
        String head = randomLines(new Random(4), 20_000);
        byte[] bad = bytes(head + "a;b 1\nno count here\n" + randomLines(new Random(5), 5_000));
        assertThatThrownBy(() -> raw(bad)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("in.folded:20002:");
    }

    @Test
    void frameNamesAreInternedByAllTheirBytes() {
        // names that share their last 8 bytes, or differ by a leading zero byte, or only in length
        String[] names = {"a", "\u0000a", "\u0000\u0000a", "xlong_name_tail", "ylong_name_tail", "long_name_tail",
            "ong_name_tail", "12345678", "012345678", "\u00ff2345678", "", "\u00ff", "\u0000"};
        StackEncoder.Names interned = new StackEncoder.Names();
        Map<String, Integer> expected = new LinkedHashMap<>();
        Random rnd = new Random(9);
        for (int i = 0; i < 2000; i++) {
            String n = names[rnd.nextInt(names.length)];
            byte[] padded = bytes("<<" + n + ">>"); // interned from the middle of a larger array
            int id = interned.intern(padded, 2, padded.length - 2);
            expected.putIfAbsent(n, expected.size());
            assertThat(id).as("name %s", n).isEqualTo(expected.get(n));
        }
        assertThat(interned.size).isEqualTo(expected.size());
    }
}
