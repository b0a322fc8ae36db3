package io.github.stackfold.flamegraph.render;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.NotEnoughMemoryException;
import io.github.stackfold.flamegraph.diff.DiffProfile;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.folded.ProfileMeta;
import io.github.stackfold.flamegraph.internal.ByteTable;
import io.github.stackfold.flamegraph.internal.Bytes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Folded stacks as flamegraph.pl reads them, in input order: what the renderer draws. Unlike
 * {@link FoldedProfile} (integer weights, merged and sorted), lines are kept as they came (a flame
 * chart needs their order), counts may be fractional, and a line may carry two counts (a
 * differential profile, as written by {@code flame diff} / difffolded.pl):
 *
 * <pre>
 * main;parse;read 42                 one count
 * main;parse;read 0.25               a fractional count
 * main;parse;read 30 42              two counts: before, after (drawn with "after" widths)
 * </pre>
 *
 * <p>A line is {@code STACK WS COUNT} where COUNT is {@code \d+(\.\d*)?} after the last whitespace;
 * a second count is found the same way at the end of STACK. Lines that do not match (including
 * blank lines) are ignored and counted, as flamegraph.pl does ("Ignored N lines with invalid
 * format"). A trailing carriage return is dropped. Stacks are raw strings (one char per byte).
 *
 * <p><b>Repeated stacks are merged while reading</b>, so that memory follows distinct stacks, not
 * input lines ({@code cat *.folded | flame flamegraph} over a week of per-minute profiles, or 180
 * million copies of one line): a one-count line equal to the line before it adds its count to that
 * line, which draws the same graph, as flamegraph.pl merges equal neighbouring stacks into one
 * frame. Readers told that input order does not matter ({@code mergeAnywhere}, a flame graph but not
 * a flame chart) also merge a repeat that is not next to its first occurrence: while lines come
 * sorted, every repeat is a neighbour and costs one comparison; at the first line out of order the
 * lines read so far are hashed and repeats are found by their hash from then on. Two-count lines
 * are never merged: flamegraph.pl ignores the change of a repeated line, not its width. Counts of
 * merged lines are summed in input order.
 *
 * <pre>
 * a;b 1
 * a;b 1        read as  a;b 3
 * a;b 1
 * a;c 2        read as  a;c 2 (and, merging anywhere, a later "a;b 4" makes a;b 7)
 * </pre>
 *
 * <p>Instances are immutable.
 */
public final class FoldedSamples {
    /** The stacks' bytes, one after the other: stack i is data[offsets[i], offsets[i + 1]). */
    private final byte[] data;
    private final int[] offsets;
    private final int size;
    private final double[] counts;
    private final double[] counts2;
    private final long ignoredLines;
    private final String firstIgnored;
    /** The lines laid out as a flame graph while they were read ({@link #readAndLayOut}), or null. */
    private final FrameLayout sortedLayout;
    /** The metadata of a {@link ProfileMeta} header line, or null. */
    private final ProfileMeta meta;
    /** The frame pruning {@link #sortedLayout} was made with, or null. */
    private final FrameLayout.Pruning sortedPruning;
    private final boolean mergedAnywhere;

    private FoldedSamples(byte[] data, int[] offsets, int size, double[] counts, double[] counts2, long ignoredLines,
            String firstIgnored, FrameLayout sortedLayout, FrameLayout.Pruning sortedPruning, boolean mergedAnywhere,
            ProfileMeta meta) {
        this.meta = meta;
        this.sortedPruning = sortedPruning;
        this.mergedAnywhere = mergedAnywhere;
        this.data = data;
        this.offsets = offsets;
        this.size = size;
        this.counts = counts;
        this.counts2 = counts2;
        this.ignoredLines = ignoredLines;
        this.firstIgnored = firstIgnored;
        this.sortedLayout = sortedLayout;
    }

    /**
     * The stacks of a folded profile, one count each, in its (sorted) order; what the profile says
     * of its weights ({@link FoldedProfile#meta()}) as {@link #meta()}.
     */
    public static FoldedSamples of(FoldedProfile profile) {
        Builder b = builder();
        profile.forEach(b::add);
        if (!profile.meta().plain()) {
            b.header = profile.meta(); // the renderer says samples and CPU time from it (FlameGraphRenderer#withUnits)
        }
        return b.build();
    }

    /** The stacks of a differential profile: two counts each (before, after). */
    public static FoldedSamples of(DiffProfile diff) {
        Builder b = builder();
        for (int i = 0; i < diff.size(); i++) {
            b.add(diff.stack(i), diff.before(i), diff.after(i));
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Number of lines (stacks in input order after merging repeats; see the class comment). */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The i-th stack, raw (a new String each call: the stacks are kept as bytes). */
    public String stack(int i) {
        Objects.checkIndex(i, size);
        return new String(data, offsets[i], offsets[i + 1] - offsets[i], StandardCharsets.ISO_8859_1);
    }

    /** The raw bytes of a stack: {@code data[from, to)}, the samples' own array (to be read, not written). */
    @FunctionalInterface
    public interface StackBytes<T> {
        T apply(byte[] data, int from, int to);
    }

    /** {@code f} of the i-th stack's raw bytes, read where they are kept (no String made). */
    public <T> T withStackBytes(int i, StackBytes<T> f) {
        Objects.checkIndex(i, size);
        return f.apply(data, offsets[i], offsets[i + 1]);
    }

    /** The bytes of all stacks (the layout reads them without a String per line); not a copy. */
    byte[] data() {
        return data;
    }

    /** Where the i-th stack starts in {@link #data()}. */
    int from(int i) {
        return offsets[i];
    }

    /** Where the i-th stack ends in {@link #data()}. */
    int to(int i) {
        return offsets[i + 1];
    }

    /** The i-th (first) count. */
    public double count(int i) {
        return counts[i];
    }

    /** Whether the i-th line has a second count. */
    public boolean hasSecondCount(int i) {
        return counts2 != null && !Double.isNaN(counts2[i]);
    }

    /** The i-th second count, NaN when the line has one count. */
    public double secondCount(int i) {
        return counts2 == null ? Double.NaN : counts2[i];
    }

    /**
     * Whether line i may hold a frame with no name (one that {@link io.github.stackfold.flamegraph.FrameNames#surelyNamed}
     * doubts): false only when that is known without reading the line again, for lines laid out while
     * they were read (each distinct frame name judged once, as it was first met); true otherwise. A
     * verdict on unnamed frames may pass the other lines over ({@code Analyzer.unnamedFrames(FoldedSamples,
     * IntToDoubleFunction, IntPredicate)}).
     */
    public boolean mayBeUnnamed(int i) {
        Objects.checkIndex(i, size);
        return sortedLayout == null || sortedLayout.mayBeUnnamed(i);
    }

    /** Whether any line has two counts (the graph is differential). */
    public boolean isDifferential() {
        return counts2 != null;
    }

    /** Lines that were not folded stack lines (blank lines included). */
    public long ignoredLines() {
        return ignoredLines;
    }

    /**
     * The metadata of a stackfold header on the first line ({@code # stackfold: samples=...}, see
     * {@link ProfileMeta}), or null. The header is not counted as an ignored line (flamegraph.pl ignores
     * it as a line of no folded shape; what it draws is the same).
     */
    public ProfileMeta meta() {
        return meta;
    }

    /** "source:line" of the first ignored line, or null when none was. */
    public String firstIgnoredLine() {
        return firstIgnored;
    }

    /** These lines followed by another's (several inputs are concatenated, as flamegraph.pl does). */
    public FoldedSamples concat(FoldedSamples other) {
        if (other.isEmpty() && other.ignoredLines == 0) {
            return this;
        }
        Builder b = builder().mergeAnywhere(mergedAnywhere && other.mergedAnywhere);
        b.addAll(this);
        b.addAll(other);
        // the units stay when both count in the same one (two CPU profiles: nanoseconds)
        b.header = meta == null || other.meta == null ? null : ProfileMeta.merge(meta, other.meta);
        return b.build();
    }

    /** Whether repeats were merged wherever they were (input order of repeats is lost; see the class comment). */
    public boolean mergedAnywhere() {
        return mergedAnywhere;
    }

    /**
     * Reads folded text (see the class comment). Ignored lines are counted; each is also passed to
     * {@code onIgnored} (which may throw it to make reading strict).
     */
    public static FoldedSamples read(InputStream in, String source, Consumer<BadInputException> onIgnored)
            throws IOException {
        return read(in, source, onIgnored, false);
    }

    /**
     * Reads folded text as {@link #read(InputStream, String, Consumer)} does; with
     * {@code mergeAnywhere} a repeated one-count stack is merged into its first occurrence wherever
     * it is (for a flame graph, whose lines are sorted before drawing; not for a flame chart).
     */
    public static FoldedSamples read(InputStream in, String source, Consumer<BadInputException> onIgnored,
            boolean mergeAnywhere) throws IOException {
        Builder b = builder().mergeAnywhere(mergeAnywhere);
        b.readFrom(in, source, onIgnored);
        return b.build();
    }

    /**
     * Reads folded text as {@link #read(InputStream, String, Consumer)} does and, on a second thread
     * while reading, lays the lines out as a flame graph draws them (sorted order, not reversed, no
     * waker chains), so that {@link FrameLayout#of} with those options returns that layout at once.
     * That works when the lines come sorted by stack, as {@code flame collapse} and
     * stackcollapse-perf.pl write them; otherwise the second thread stops at the first line out of
     * order and {@code FrameLayout.of} sorts and lays out as usual. The second thread ends before
     * this method returns.
     */
    public static FoldedSamples readAndLayOut(InputStream in, String source, Consumer<BadInputException> onIgnored)
            throws IOException {
        return readAndLayOut(in, source, onIgnored, null);
    }

    /**
     * Reads and lays out as {@link #readAndLayOut(InputStream, String, Consumer)} does, repeats merged
     * anywhere, and drops while laying out the frames that {@code options} would not draw (narrower
     * than their minimum width): the layout then holds about the frames drawn, not every frame of
     * every distinct stack. {@link FrameLayout#of(FoldedSamples, FlameGraphOptions)} with the same
     * options returns it.
     */
    public static FoldedSamples readAndLayOut(InputStream in, String source, Consumer<BadInputException> onIgnored,
            FlameGraphOptions options) throws IOException {
        FrameLayout.Pruning pruning = options == null ? null : FrameLayout.Pruning.of(options);
        Builder b = builder().mergeAnywhere(true);
        // frames: about one per 85 bytes of a 100k-stack profile; the layout grows its arrays as needed
        // (far fewer when frames too narrow to draw are dropped)
        int bytes = Math.max(0, in.available());
        ConcurrentLayout layout = new ConcurrentLayout(pruning == null ? bytes / 64 : Math.min(bytes / 64, 1 << 16),
                pruning);
        b.concurrent = layout;
        b.sortedPruning = pruning;
        try {
            b.readFrom(in, source, onIgnored);
        } catch (IOException | RuntimeException | Error e) {
            layout.cancel();
            throw e;
        }
        b.concurrent = null;
        b.sortedLayout = layout.finish();
        return b.build();
    }

    /** The lines laid out while they were read (sorted order, not reversed), or null. */
    FrameLayout sortedLayout() {
        return sortedLayout;
    }

    /** The pruning {@link #sortedLayout()} was made with (null: every frame kept). */
    FrameLayout.Pruning sortedPruning() {
        return sortedPruning;
    }

    /** Reads folded text, counting lines that are not folded stacks. */
    public static FoldedSamples read(InputStream in, String source) throws IOException {
        return read(in, source, e -> { });
    }

    /** Collects lines; not thread-safe. */
    public static final class Builder {
        private byte[] data = new byte[1 << 12];
        private int dataLen;
        private int[] offsets = new int[257];
        private double[] counts = new double[256];
        private double[] counts2;
        private int n;
        private long ignored;
        private String firstIgnored;
        private ProfileMeta header;
        /** Whether a built FoldedSamples holds {@link #data}: copy it before changing it. */
        private boolean dataShared;
        /** Where read lines go to be laid out while reading continues ({@link #readAndLayOut}), or null. */
        private ConcurrentLayout concurrent;
        /** The layout of exactly the lines added so far, or null. */
        private FrameLayout sortedLayout;
        private FrameLayout.Pruning sortedPruning;
        /** Whether a repeat is merged wherever it is, or only into the line just before it. */
        private boolean mergeAnywhere;
        /** Whether the lines so far came sorted (then every repeat is the last line's neighbour). */
        private boolean sortedSoFar = true;
        /** Once lines came out of order (merging anywhere): each line's hash and a table of line index + 1. */
        private int[] hashes;
        private int[] slots;

        private Builder() {
        }

        /**
         * Whether a repeated one-count stack is merged into its first occurrence wherever it is
         * (input order does not matter: a flame graph) rather than only into the line just before
         * it (the default, which keeps a flame chart's order).
         */
        public Builder mergeAnywhere(boolean anywhere) {
            if (anywhere && !mergeAnywhere && !sortedSoFar) {
                index();
            }
            this.mergeAnywhere = anywhere;
            return this;
        }

        /** Adds a line with one count. */
        public Builder add(String rawStack, double count) {
            byte[] b = rawStack.getBytes(StandardCharsets.ISO_8859_1);
            return add(b, 0, b.length, count);
        }

        /** Adds a line with two counts (before, after). */
        public Builder add(String rawStack, double before, double after) {
            byte[] b = rawStack.getBytes(StandardCharsets.ISO_8859_1);
            return add(b, 0, b.length, before, after);
        }

        private Builder add(byte[] b, int from, int to, double count) {
            sortedLayout = null;
            int h = 0;
            if (n > 0) {
                int last = n - 1;
                if (sortedSoFar) {
                    int c = Arrays.compareUnsigned(data, offsets[last], offsets[n], b, from, to);
                    if (c == 0 && isOneCount(last)) {
                        counts[last] += count; // never handed over yet: see handOver
                        return this;
                    }
                    if (c > 0) {
                        sortedSoFar = false;
                        if (mergeAnywhere) {
                            index();
                        }
                    }
                } else if (!mergeAnywhere && isOneCount(last)
                        && Arrays.equals(data, offsets[last], offsets[n], b, from, to)) {
                    counts[last] += count;
                    return this;
                }
                if (slots != null) {
                    h = ByteTable.hash(b, from, to - from);
                    int j = find(b, from, to, h);
                    if (j >= 0) {
                        counts[j] += count;
                        if (j < last && concurrent != null) {
                            // a line handed over changed (input out of order: the layout would give up)
                            concurrent.cancel();
                            concurrent = null;
                        }
                        return this;
                    }
                }
            }
            append(b, from, to);
            counts[n] = count;
            if (counts2 != null) {
                counts2[n] = Double.NaN;
            }
            if (slots != null) {
                insert(n, h);
            }
            n++;
            return this;
        }

        private boolean isOneCount(int i) {
            return counts2 == null || Double.isNaN(counts2[i]);
        }

        /** The one-count line equal to {@code b[from, to)} whose hash is {@code h}, or -1. */
        private int find(byte[] b, int from, int to, int h) {
            int mask = slots.length - 1;
            for (int i = h & mask; ; i = (i + 1) & mask) {
                int s = slots[i];
                if (s == 0) {
                    return -1;
                }
                int j = s - 1;
                if (hashes[j] == h && isOneCount(j) && Arrays.equals(data, offsets[j], offsets[j + 1], b, from, to)) {
                    return j;
                }
            }
        }

        /** Records line {@code i}'s hash and its slot (one-count lines only: two-count ones never merge). */
        private void insert(int i, int h) {
            if (i >= hashes.length) {
                hashes = Arrays.copyOf(hashes, Math.max(i + 1, hashes.length * 2));
            }
            hashes[i] = h;
            if (!isOneCount(i)) {
                return;
            }
            if ((i + 1) * 2 > slots.length) {
                slots = new int[slots.length * 2];
                for (int k = 0; k < i; k++) {
                    if (isOneCount(k)) {
                        place(k);
                    }
                }
            }
            place(i);
        }

        private void place(int i) {
            int mask = slots.length - 1;
            int p = hashes[i] & mask;
            while (slots[p] != 0) {
                p = (p + 1) & mask;
            }
            slots[p] = i + 1;
        }

        /** Hashes the lines so far: from now on repeats are found by hash (see the class comment). */
        private void index() {
            int cap = Integer.highestOneBit(Math.max(n, 512)) * 4;
            hashes = new int[Math.max(n, 256)];
            slots = new int[cap];
            for (int i = 0; i < n; i++) {
                hashes[i] = ByteTable.hash(data, offsets[i], offsets[i + 1] - offsets[i]);
                if (isOneCount(i)) {
                    place(i);
                }
            }
        }

        private Builder add(byte[] b, int from, int to, double before, double after) {
            if (n > 0 && sortedSoFar
                    && Arrays.compareUnsigned(data, offsets[n - 1], offsets[n], b, from, to) > 0) {
                sortedSoFar = false;
                if (mergeAnywhere) {
                    index();
                }
            }
            sortedLayout = null;
            append(b, from, to);
            if (counts2 == null) {
                counts2 = new double[counts.length];
                Arrays.fill(counts2, 0, n, Double.NaN);
            }
            counts[n] = before;
            counts2[n] = after;
            if (slots != null) {
                insert(n, ByteTable.hash(b, from, to - from));
            }
            n++;
            return this;
        }

        /** Adds every line of another set, and its count of ignored lines. */
        public Builder addAll(FoldedSamples s) {
            for (int i = 0; i < s.size(); i++) {
                if (s.hasSecondCount(i)) {
                    add(s.data, s.from(i), s.to(i), s.count(i), s.secondCount(i));
                } else {
                    add(s.data, s.from(i), s.to(i), s.count(i));
                }
            }
            if (firstIgnored == null) {
                firstIgnored = s.firstIgnored;
            }
            ignored += s.ignoredLines;
            return this;
        }

        /** Reads folded text and adds its lines (see {@link FoldedSamples#read}). */
        public Builder readFrom(InputStream in, String source, Consumer<BadInputException> onIgnored)
                throws IOException {
            byte[] buf = new byte[1 << 16];
            // a file's remaining size: the stacks take about that much, unless they repeat (then far
            // less), so no more than an eighth of the heap is taken on that guess
            long hint = Math.min(in.available(), Runtime.getRuntime().maxMemory() / 8);
            long lineNo;
            try {
                if (hint > data.length - dataLen && hint < Integer.MAX_VALUE - 8 - dataLen) {
                    data = Arrays.copyOf(data, dataLen + (int) hint);
                    dataShared = false;
                }
                lineNo = readLines(in, source, onIgnored, buf);
            } catch (OutOfMemoryError e) {
                long lines = linesRead;
                int stacks = n;
                release();
                throw new NotEnoughMemoryException(source, NotEnoughMemoryException.lines(lines, stacks), e);
            }
            if (concurrent != null) {
                concurrent.offer(data, offsets, counts, counts2, n);
            }
            return this;
        }

        /** Lines read by the current {@link #readFrom}, for a message when memory runs out. */
        private long linesRead;

        /** Lets go of the lines (memory ran out: what is left goes to the message). */
        private void release() {
            data = new byte[0];
            offsets = new int[1];
            counts = new double[0];
            counts2 = null;
            hashes = null;
            slots = null;
            n = 0;
            dataLen = 0;
            if (concurrent != null) {
                concurrent.cancel();
                concurrent = null;
            }
        }

        private long readLines(InputStream in, String source, Consumer<BadInputException> onIgnored, byte[] buf)
                throws IOException {
            int len = 0;
            int scanned = 0; // bytes of buf already searched for a newline
            long lineNo = 0;
            long offset = 0;
            linesRead = 0;
            while (true) {
                int r = in.read(buf, len, buf.length - len);
                if (r < 0) {
                    break;
                }
                len += r;
                int start = 0;
                int i = scanned;
                while ((i = Bytes.indexOfNewline(buf, i, len)) >= 0) {
                    linesRead = ++lineNo;
                    line(buf, start, i, source, lineNo, offset, onIgnored);
                    offset += i + 1 - start;
                    start = ++i;
                }
                if (start > 0) {
                    System.arraycopy(buf, start, buf, 0, len - start);
                    len -= start;
                    handOver();
                } else if (len == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                scanned = len;
            }
            if (len > 0) {
                linesRead = ++lineNo;
                line(buf, 0, len, source, lineNo, offset, onIgnored);
            }
            return lineNo;
        }

        /**
         * Hands the lines read so far to the layout thread, if there is one, but the last: its count
         * still grows when the next line repeats it (all of them once reading ends).
         */
        private void handOver() {
            if (concurrent != null && n > 1) {
                concurrent.offer(data, offsets, counts, counts2, n - 1);
            }
        }

        private void line(byte[] b, int from, int to, String source, long lineNo, long offset,
                Consumer<BadInputException> onIgnored) {
            if (to > from && b[to - 1] == '\r') {
                to--;
            }
            if (lineNo == 1 && ProfileMeta.isHeader(b, from, to)) {
                header = ProfileMeta.parseHeader(new String(b, from, to - from, StandardCharsets.ISO_8859_1));
                return;
            }
            int num = numberStart(b, from, to);
            if (num < 0) {
                ignore(source, lineNo, offset, onIgnored);
                return;
            }
            double c = parse(b, num, to);
            int stackEnd = num - 1; // the whitespace before the count
            int num2 = numberStart(b, from, stackEnd);
            if (num2 >= 0) {
                add(b, from, num2 - 1, parse(b, num2, stackEnd), c);
            } else {
                add(b, from, stackEnd, c);
            }
        }

        private void ignore(String source, long lineNo, long offset, Consumer<BadInputException> onIgnored) {
            ignored++;
            if (firstIgnored == null) {
                firstIgnored = source + ":" + lineNo;
            }
            onIgnored.accept(new BadInputException(source, lineNo, offset,
                    "expected a folded stack line 'frame;frame;... COUNT' (COUNT a number, optionally a second one)"));
        }

        /**
         * Start of a count {@code \d+(\.\d*)?} that ends at {@code to} and follows a whitespace byte
         * (after the last whitespace of the range), or -1.
         */
        private static int numberStart(byte[] b, int from, int to) {
            // back over the characters a count can hold only: the count is the text after the last
            // blank, so a blank must end this run (anything else means the last word is no count).
            // Scanning back to the last blank instead read a whole space-free stack a second time
            // when looking for the optional second count.
            int ws = to - 1;
            while (ws >= from && (b[ws] >= '0' && b[ws] <= '9' || b[ws] == '.')) {
                ws--;
            }
            if (ws < from || !Bytes.isBlank(b[ws])) {
                return -1;
            }
            int s = ws + 1;
            if (s >= to) {
                return -1;
            }
            int i = s;
            int digits = 0;
            while (i < to && b[i] >= '0' && b[i] <= '9') {
                i++;
                digits++;
            }
            if (digits == 0) {
                return -1;
            }
            if (i < to && b[i] == '.') {
                i++;
                while (i < to && b[i] >= '0' && b[i] <= '9') {
                    i++;
                }
            }
            return i == to ? s : -1;
        }

        private static double parse(byte[] b, int from, int to) {
            if (to - from <= 15) {
                long v = 0;
                int i = from;
                for (; i < to && b[i] != '.'; i++) {
                    v = v * 10 + (b[i] - '0');
                }
                if (i == to) {
                    return v;
                }
            }
            return Double.parseDouble(new String(b, from, to - from, StandardCharsets.ISO_8859_1));
        }

        /** Appends a stack's bytes and makes room for its counts. */
        private void append(byte[] b, int from, int to) {
            int len = to - from;
            if (dataLen + len > data.length || dataShared) {
                data = Arrays.copyOf(data, Math.max(dataShared ? data.length : data.length * 2, dataLen + len));
                dataShared = false;
            }
            System.arraycopy(b, from, data, dataLen, len);
            if (n + 1 >= offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            offsets[n] = dataLen;
            dataLen += len;
            offsets[n + 1] = dataLen;
            if (n == counts.length) {
                counts = Arrays.copyOf(counts, counts.length * 2);
            }
            if (counts2 != null && counts2.length < counts.length) {
                counts2 = Arrays.copyOf(counts2, counts.length);
            }
        }

        public FoldedSamples build() {
            double[] c2 = counts2 == null ? null : Arrays.copyOf(counts2, n);
            if (n == 0) {
                offsets[0] = 0;
            }
            dataShared = true; // not copied: it can be tens of megabytes, and only data[0, dataLen) is read
            return new FoldedSamples(data, Arrays.copyOf(offsets, n + 1), n, Arrays.copyOf(counts, n), c2, ignored,
                    firstIgnored, sortedLayout, sortedLayout == null ? null : sortedPruning, mergeAnywhere, header);
        }
    }
}
