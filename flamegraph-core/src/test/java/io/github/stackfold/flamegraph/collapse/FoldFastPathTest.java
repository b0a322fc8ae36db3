package io.github.stackfold.flamegraph.collapse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * The collapser's fast paths (stack lines recognised by their first bytes, event lines by their head
 * and tail, reads cut anywhere, pieces folded on several threads) against a plain model of the
 * reference's rules, on generated input made to hit their edges: event lines of several threads with
 * and without a tid, a period and a trailing blank, some of another event (dropped), stack lines
 * shorter than the prefix it hashes, lines that share that prefix and differ after it, a line that
 * another starts with, the same line in a java and a non-java process, samples longer than a piece,
 * whole samples that come again (the same, or with a line more or less, or another first line, in
 * the same or another process), and a last line without its newline.
 */
class FoldFastPathTest {

    /** Frames as perf prints them (leaf first) and the name each folds to. */
    private static final String[][] FRAMES = {
        {"\t    7f595c9416e6 Interpreter+0xb66 (/tmp/perf-1.map)", "Interpreter"},
        {"\t    7f595c9416e6 Interpreter+0xb67 (/tmp/perf-1.map)", "Interpreter"}, // same 24-byte prefix
        {"\t    7f595c9416e6 Interpreter2+0x1 (/tmp/perf-1.map)", "Interpreter2"}, // same prefix, other name
        {"\t    7f595c9416e6 Interpreter (/tmp/perf-1.map)", "Interpreter"},
        {"\t    7f595c9416e6 Interpreter (/tmp/perf-1.map)  ", "Interpreter"}, // the line above and more
        {"\t1 a (m)", "a"}, // shorter than the hashed prefix
        {"\t2 b (m)", "b"},
        {" 3 cc+0x1 (m)", "cc"},
        {"\t    ffffffff8103ce3b native_safe_halt ([kernel.kallsyms])", "native_safe_halt"},
        {"\t          8282d2 JavaCalls::call_helper+0x302 (/usr/lib/jvm/libjvm.so)", "JavaCalls::call_helper"},
        {"\t          4b5d8e net/http.(*conn).serve+0x4ee (/usr/local/bin/server)", "net/http.(*conn).serve"},
        {"\t          4b5d8e net/http.(*conn).serve+0x4ef (/usr/local/bin/server)", "net/http.(*conn).serve"},
        {"\t    7f6d213c2750 [unknown] (/usr/lib64/libkmod.so.2.3.6)", "[libkmod.so.2.3.6]"}, // named by its module
    };
    private static final String[] COMMS = {"java", "server", "pool-1-thread-2", "V8 WorkerThread"};

    @Test
    void everyWayOfReadingAndSplittingGivesTheModelsResult() throws IOException {
        for (long seed = 1; seed <= 12; seed++) {
            Random r = new Random(seed);
            StringBuilder in = new StringBuilder();
            Map<String, Long> model = new TreeMap<>();
            int samples = 50 + r.nextInt(400);
            List<List<Integer>> earlier = new ArrayList<>();
            long folded = 0;
            long droppedEvents = 0;
            for (int s = 0; s < samples; s++) {
                String comm = COMMS[r.nextInt(COMMS.length)];
                long period = r.nextInt(3) == 0 ? 1001001 : 1 + r.nextInt(5000); // often the same, as perf prints it
                // the first event is the filter; another event's samples are dropped (but counted as lines)
                boolean dropped = s > 0 && r.nextInt(6) == 0;
                droppedEvents += dropped ? 1 : 0;
                String ids = r.nextBoolean() ? String.valueOf(100 + r.nextInt(5)) : (100 + r.nextInt(3)) + "/" + (200 + r.nextInt(3));
                in.append(comm).append(' ').append(ids).append(" [00").append(r.nextInt(4))
                        .append("] ").append(1000 + s).append('.').append(r.nextInt(1000000)).append(": ");
                if (r.nextInt(10) > 0) {
                    in.append(period).append(' ');
                } else {
                    period = 1; // no period printed: each sample counts 1
                }
                in.append(dropped ? "cycles:" : "cpu-clock:").append(r.nextBoolean() ? " \n" : "\n");
                List<Integer> frames = stackOf(r, earlier);
                List<String> names = new ArrayList<>();
                for (int f : frames) {
                    in.append(FRAMES[f][0]).append('\n');
                    names.add(0, FRAMES[f][1]);
                }
                boolean last = s == samples - 1;
                if (!last || seed % 3 != 0) {
                    in.append('\n');
                    if (!dropped) {
                        model.merge(comm.replace(' ', '_') + ";" + String.join(";", names), period, Long::sum);
                        folded++;
                    }
                } else if (seed % 2 == 0) {
                    in.setLength(in.length() - 1); // the last stack line has no newline: the sample stays open
                }
            }
            byte[] bytes = in.toString().getBytes(StandardCharsets.ISO_8859_1);
            long lines = in.chars().filter(c -> c == '\n').count() + (in.charAt(in.length() - 1) == '\n' ? 0 : 1);
            String stats = "lines=" + lines + " samples=" + folded + " bad=0 dropped=" + droppedEvents;
            StringBuilder expected = new StringBuilder();
            model.forEach((stack, count) -> expected.append(stack).append(' ').append(count).append('\n'));

            String want = expected + stats;
            assertThat(fold(bytes, 1, 4 << 20, Integer.MAX_VALUE)).as("seed %d, one thread", seed).isEqualTo(want);
            assertThat(fold(bytes, 1, 4 << 20, 1)).as("seed %d, one byte per read", seed).isEqualTo(want);
            assertThat(fold(bytes, 1, 4 << 20, 1 + r.nextInt(100))).as("seed %d, short reads", seed).isEqualTo(want);
            for (int chunk : new int[] {64, 333, 4096}) {
                for (int threads : new int[] {2, 3}) {
                    assertThat(fold(bytes, threads, chunk, 1 + r.nextInt(5000)))
                            .as("seed %d, %d threads, pieces of %d bytes", seed, threads, chunk)
                            .isEqualTo(want);
                }
            }
        }
    }

    /**
     * The frames (indexes in FRAMES, leaf first) of a sample: new ones, or often those of an earlier
     * sample (whole samples seen before take a fast path of their own), the same or changed where
     * that path must notice: one line more or less at the end, another line first, or the same first
     * line and other lines after it. The comm is drawn apart, so the same lines also come in
     * another process.
     */
    private static List<Integer> stackOf(Random r, List<List<Integer>> earlier) {
        List<Integer> frames = new ArrayList<>();
        int pick = earlier.isEmpty() ? 0 : r.nextInt(8);
        if (pick >= 2) {
            frames.addAll(earlier.get(earlier.size() - 1 - r.nextInt(Math.min(earlier.size(), 6))));
            switch (pick) {
                case 2:
                    frames.add(r.nextInt(FRAMES.length));
                    break;
                case 3:
                    if (frames.size() > 1) {
                        frames.remove(frames.size() - 1);
                    }
                    break;
                case 4:
                    frames.set(0, r.nextInt(FRAMES.length));
                    break;
                case 5:
                    if (frames.size() > 1) {
                        frames.set(1 + r.nextInt(frames.size() - 1), r.nextInt(FRAMES.length));
                    }
                    break;
                default: // the same lines
                    break;
            }
        } else {
            int depth = 1 + r.nextInt(r.nextInt(8) == 0 ? 400 : 30); // some samples longer than a piece
            for (int d = 0; d < depth; d++) {
                frames.add(r.nextInt(FRAMES.length));
            }
        }
        earlier.add(frames);
        return frames;
    }

    /** The folded stacks, then the line, sample and bad-line counts the listener was told. */
    private static String fold(byte[] input, int threads, int chunk, int maxRead) throws IOException {
        CollapseStats[] stats = new CollapseStats[1];
        CollapseOptions o = CollapseOptions.builder().threads(threads).chunkBytes(chunk)
                .listener(new CollapseListener() {
                    @Override
                    public void finished(CollapseStats s) {
                        stats[0] = s;
                    }
                }).build();
        String folded = PerfCollapser.create(o).collapse(new ShortReads(input, maxRead), "generated.txt").toString();
        return folded + "lines=" + stats[0].lines() + " samples=" + stats[0].samples() + " bad=" + stats[0].badLines() + " dropped=" + stats[0].droppedSamples();
    }

    /** Returns at most {@code max} bytes per read, as a pipe may. */
    private static final class ShortReads extends InputStream {
        private final ByteArrayInputStream in;
        private final int max;

        ShortReads(byte[] b, int max) {
            this.in = new ByteArrayInputStream(b);
            this.max = max;
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, Math.min(len, max));
        }
    }
}
