package io.github.stackfold.flamegraph.render;

import io.github.stackfold.flamegraph.FrameNames;
import io.github.stackfold.flamegraph.internal.ByteOrderSort;
import io.github.stackfold.flamegraph.internal.ByteTable;
import io.github.stackfold.flamegraph.internal.Bytes;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.HashMap;
import java.util.Map;

/**
 * The merged frame tree of a flame graph with each frame's position, in sample units (not pixels),
 * so that other outputs (SVG, HTML canvas, JSON) can draw the same graph.
 *
 * <p>Frames are merged exactly as flamegraph.pl merges them: lines are sorted by stack (or kept in
 * input order for a flame chart), and a frame continues from one line to the next only while the
 * frames below it are the same. Frame {@code i} spans {@code [start(i), end(i))} on the x axis at
 * {@code depth(i)} (0 is the root frame "all", whose name is the empty string); {@code parent(i)} is
 * the frame below it. In a differential graph {@code delta(i)} is the change of the samples that
 * end in that frame (after - before); otherwise it is NaN.
 *
 * <p>Frames are not pruned here unless a {@link Pruning} is given (a renderer's minimum width): then
 * a frame narrower than that width at the total so far is dropped, with the frames above it, as
 * soon as it ends. The total only grows, so such a frame is narrower than the minimum width at the
 * end too and would not be drawn; the layout then holds about the frames drawn rather than every
 * frame of every distinct stack (1 M random stacks: some 20 M frames, a few thousand drawn).
 * Instances are immutable.
 */
public final class FrameLayout {
    /** How lines are ordered before merging. */
    public enum Order {
        /** Sorted by stack: a flame graph (equal stacks merge, the x axis is alphabetical). */
        SORTED,
        /** Input order: a flame chart (the x axis is time, when the input is in time order). */
        INPUT
    }

    private final String[] names;
    private final int[] nameIds;
    private final int[] depths;
    private final int[] parents;
    private final double[] starts;
    private final double[] ends;
    private final double[] deltas;
    private final int size;
    private final double total;
    private final double maxDelta;
    private final boolean differential;
    private final int maxDepth;
    private final long pruned;
    /** Laid out while read: the lines with a doubted frame name, one bit per line; else null. */
    private final long[] doubtedLines;
    private final int lines;

    /**
     * Which frames may be dropped while laying out: those narrower than a flame graph's minimum width
     * ({@code minWidth} pixels of an image {@code width} pixels wide with {@code xpad} pixels of margin
     * each side, or {@code minWidth} percent of the total), measured at the total so far.
     */
    public record Pruning(double minWidth, boolean percent, int width, int xpad) {
        /** The pruning a renderer with these options does (null when it keeps every frame). */
        public static Pruning of(FlameGraphOptions o) {
            if (!(o.minWidth() > 0) || (!o.minWidthPercent() && o.width() - 2 * FlameGraphRenderer.XPAD <= 0)) {
                return null;
            }
            return new Pruning(o.minWidth(), o.minWidthPercent(), o.width(), FlameGraphRenderer.XPAD);
        }

        /**
         * Frames narrower than this at total {@code time} are not drawn at any total of at least
         * {@code time}; a little under the renderer's bound, so that rounding never drops a frame
         * the renderer would draw.
         */
        double threshold(double time) {
            double t = percent ? time * minWidth / 100 : minWidth * time / (width - 2.0 * xpad);
            return t * (1 - 1e-9);
        }
    }

    private FrameLayout(Builder b) {
        this(b, null, 0);
    }

    private FrameLayout(Builder b, long[] doubtedLines, int lines) {
        this.doubtedLines = doubtedLines;
        this.lines = lines;
        this.pruned = b.pruned;
        // the builder's arrays as they are (used once; only [0, size) is read): copying them cost a
        // pass over ~15 MB for 400k frames
        this.names = Arrays.copyOf(b.interner.names, b.interner.count);
        this.nameIds = b.nameIds;
        this.depths = b.depths;
        this.parents = b.parents;
        this.starts = b.starts;
        this.ends = b.ends;
        this.deltas = b.deltas;
        this.size = b.n;
        this.total = b.time;
        this.maxDelta = b.maxDelta;
        this.differential = b.differential;
        int md = 0;
        for (int i = 0; i < size; i++) {
            md = Math.max(md, depths[i]);
        }
        this.maxDepth = md;
    }

    /**
     * Merges lines into frames.
     *
     * @param samples the lines
     * @param order sorted (flame graph) or input order (flame chart)
     * @param reverse reverse each stack first (leaf at the bottom), flamegraph.pl's --reverse
     * @param chainWakers append a {@code --} frame to each stack and mark the frames after a
     *     {@code --} separator as wakers ({@code _[w]}), as flamegraph.pl does for {@code --colors chain}
     */
    public static FrameLayout of(FoldedSamples samples, Order order, boolean reverse, boolean chainWakers) {
        return of(samples, order, reverse, chainWakers, null);
    }

    /**
     * Merges lines into frames as {@link #of(FoldedSamples, Order, boolean, boolean)} does, dropping
     * frames that {@code pruning} says will not be drawn (none when it is null).
     */
    public static FrameLayout of(FoldedSamples samples, Order order, boolean reverse, boolean chainWakers,
            Pruning pruning) {
        if (madeWhileRead(order, reverse, chainWakers) && samples.sortedLayout() != null
                && Objects.equals(samples.sortedPruning(), pruning)) {
            return samples.sortedLayout(); // laid out while it was read
        }
        if (reverse || chainWakers) {
            samples = transformed(samples, reverse, chainWakers);
        }
        int n = samples.size();
        byte[] data = samples.data();
        int[] idx = order(samples, order);
        // frames: a few new ones per line, typically; far fewer are kept when narrow ones are dropped
        Builder b = new Builder(Math.max(1024, pruning == null ? n * 2 : Math.min(n * 2, 1 << 16)), pruning);
        for (int k = 0; k < n; k++) {
            int i = idx == null ? k : idx[k];
            if (samples.hasSecondCount(i)) {
                b.flow(data, samples.from(i), samples.to(i), samples.secondCount(i),
                        samples.secondCount(i) - samples.count(i), true);
            } else {
                b.flow(data, samples.from(i), samples.to(i), samples.count(i), 0, false);
            }
        }
        b.finish();
        return new FrameLayout(b);
    }

    /**
     * A sorted-order layout made one line at a time, as lines arrive (see
     * {@link FoldedSamples#readAndLayOut}): lines that come sorted by stack merge exactly as
     * {@link #of} merges them. It gives up at the first line that sorts before the one before it,
     * since a flame graph of such input needs all lines sorted first. Not thread-safe: one thread
     * adds the lines.
     */
    static final class Incremental {
        private final Builder b;
        /** The lines added that have a frame whose name is in doubt, one bit per line. */
        private long[] doubtedLines = new long[64];
        private int lines;
        private byte[] lastData;
        private int lastFrom;
        private int lastTo;
        private boolean sorted = true;

        Incremental(int capacity, Pruning pruning) {
            b = new Builder(Math.max(1024, capacity), pruning);
        }

        /**
         * Adds the next line, {@code data[from, to)} with its count and second count (NaN when it
         * has one count). Returns false, and adds nothing more, once a line came out of order.
         */
        boolean add(byte[] data, int from, int to, double count, double count2) {
            if (!sorted) {
                return false;
            }
            if (lastData != null && Arrays.compareUnsigned(lastData, lastFrom, lastTo, data, from, to) > 0) {
                sorted = false;
                return false;
            }
            lastData = data;
            lastFrom = from;
            lastTo = to;
            if (Double.isNaN(count2)) {
                b.flow(data, from, to, count, 0, false);
            } else {
                b.flow(data, from, to, count2, count2 - count, true);
            }
            if ((lines >>> 6) == doubtedLines.length) {
                doubtedLines = Arrays.copyOf(doubtedLines, doubtedLines.length * 2);
            }
            if (b.lastLineDoubted) {
                doubtedLines[lines >>> 6] |= 1L << lines;
            }
            lines++;
            return true;
        }

        /** The layout of every line added, or null when they did not come sorted. Call once. */
        FrameLayout finish() {
            if (!sorted) {
                return null;
            }
            b.finish();
            return new FrameLayout(b, doubtedLines, lines);
        }
    }

    /** The samples with each stack reversed and/or its waker frames marked (options that rewrite text). */
    private static FoldedSamples transformed(FoldedSamples samples, boolean reverse, boolean chainWakers) {
        FoldedSamples.Builder t = FoldedSamples.builder();
        for (int i = 0; i < samples.size(); i++) {
            String s = samples.stack(i);
            if (reverse) {
                s = reverseStack(s);
            }
            if (chainWakers) {
                s = markWakers(s);
            }
            if (samples.hasSecondCount(i)) {
                t.add(s, samples.count(i), samples.secondCount(i));
            } else {
                t.add(s, samples.count(i));
            }
        }
        return t.build();
    }

    /** The layout a renderer with these options draws, without the frames it would not draw. */
    public static FrameLayout of(FoldedSamples samples, FlameGraphOptions options) {
        return of(samples, orderOf(options), options.reverse(), chainsWakers(options), Pruning.of(options));
    }

    /**
     * Whether these options draw the layout {@link FoldedSamples#readAndLayOut} makes while it reads:
     * sorted, not reversed, no waker chains (otherwise that layout is not used, and making it is waste).
     */
    public static boolean isMadeWhileRead(FlameGraphOptions options) {
        return madeWhileRead(orderOf(options), options.reverse(), chainsWakers(options));
    }

    private static boolean madeWhileRead(Order order, boolean reverse, boolean chainWakers) {
        return order == Order.SORTED && !reverse && !chainWakers;
    }

    private static Order orderOf(FlameGraphOptions options) {
        return options.flameChart() ? Order.INPUT : Order.SORTED;
    }

    private static boolean chainsWakers(FlameGraphOptions options) {
        return options.palette() == Palette.CHAIN;
    }

    /** Number of frames (the root included, when there are samples). */
    public int size() {
        return size;
    }

    /** The raw name (one char per byte) of frame i; the root's is empty. */
    public String name(int i) {
        return names[nameIds[Objects.checkIndex(i, size)]];
    }

    /** An id of frame i's name, equal for equal names (an index into {@link #names()}). */
    public int nameId(int i) {
        return nameIds[Objects.checkIndex(i, size)];
    }

    /** The distinct raw names, indexed by {@link #nameId}. */
    public String[] names() {
        return names.clone();
    }

    /** Number of distinct names. */
    public int nameCount() {
        return names.length;
    }

    /** The raw name with the given id. */
    public String nameOf(int nameId) {
        return names[nameId];
    }

    public int depth(int i) {
        return depths[Objects.checkIndex(i, size)];
    }

    /** The frame below frame i, or -1 for the root. */
    public int parent(int i) {
        return parents[Objects.checkIndex(i, size)];
    }

    /** Left edge of frame i in samples from the left of the graph. */
    public double start(int i) {
        return starts[Objects.checkIndex(i, size)];
    }

    /** Right edge of frame i in samples. */
    public double end(int i) {
        return ends[Objects.checkIndex(i, size)];
    }

    /** The change of the samples ending in frame i (differential graphs), or NaN. */
    public double delta(int i) {
        return deltas[Objects.checkIndex(i, size)];
    }

    /** Total samples (of the second count in a differential graph). */
    public double total() {
        return total;
    }

    /** The largest absolute change of one line, at least 1 (the scale of differential colours). */
    public double maxDelta() {
        return maxDelta;
    }

    /** Whether any line had two counts. */
    public boolean isDifferential() {
        return differential;
    }

    /**
     * Whether line i of the samples laid out may hold a frame with no name ({@link FrameNames#surelyNamed}
     * doubts one of its frames): known for the lines of a layout made while they were read, judged
     * once per distinct name; true for any other (not known).
     */
    boolean mayBeUnnamed(int i) {
        return doubtedLines == null || i >= lines || (doubtedLines[i >>> 6] & 1L << i) != 0;
    }

    /** Frames dropped while laying out because they were too narrow to draw (see {@link Pruning}). */
    public long pruned() {
        return pruned;
    }

    /** The largest depth of any frame (0 when only the root exists). */
    public int maxDepth() {
        return maxDepth;
    }

    /** A stack with its frames in reverse order (trailing empty frames dropped, as Perl's split does). */
    static String reverseStack(String stack) {
        int end = stack.length();
        while (end > 0 && stack.charAt(end - 1) == ';') {
            end--;
        }
        StringBuilder sb = new StringBuilder(end);
        int to = end;
        for (int i = end - 1; i >= -1; i--) {
            if (i < 0 || stack.charAt(i) == ';') {
                if (sb.length() > 0 || to < end) {
                    sb.append(';');
                }
                sb.append(stack, i + 1, to);
                to = i;
            }
        }
        return end == 0 ? "" : sb.toString();
    }

    /** flamegraph.pl's chain-graph rewrite: {@code a;--;b;c} becomes {@code a;--;b_[w];c_[w];--}. */
    static String markWakers(String stack) {
        String[] parts = stack.split(";--;");
        StringBuilder sb = new StringBuilder(stack.length() + 16);
        if (parts.length > 0) {
            sb.append(parts[0]);
        }
        sb.append(";--;");
        for (int p = 1; p < parts.length; p++) {
            if (p > 1) {
                sb.append(";--;");
            }
            sb.append(parts[p].replace(";", "_[w];")).append("_[w]");
        }
        return sb.toString();
    }

    /**
     * The order to draw lines in: null for input order (or when already sorted), else indices sorted
     * by stack, equal stacks in input order. Bytes compare unsigned, which is String order for raw (one
     * char per byte) strings.
     */
    private static int[] order(FoldedSamples samples, Order order) {
        if (order == Order.INPUT) {
            return null;
        }
        byte[] d = samples.data();
        boolean sorted = true;
        for (int i = 1; i < samples.size() && sorted; i++) {
            sorted = compare(d, samples, i - 1, i) <= 0;
        }
        if (sorted) {
            return null;
        }
        int n = samples.size();
        long[] pos = new long[n];
        int[] len = new int[n];
        for (int i = 0; i < n; i++) {
            pos[i] = samples.from(i);
            len[i] = samples.to(i) - samples.from(i);
        }
        return new ByteOrderSort(new byte[][] {d}, pos, len, n).sort();
    }

    private static int compare(byte[] d, FoldedSamples s, int a, int b) {
        return Arrays.compareUnsigned(d, s.from(a), s.to(a), d, s.from(b), s.to(b));
    }

    /** Frame names to ids; names are looked up by their bytes (a {@link ByteTable}) and made Strings once each. */
    static final class Interner {
        String[] names = new String[1024];
        /** Per name id: whether {@link FrameNames#surelyNamed} doubts it (judged once, when interned). */
        boolean[] doubted = new boolean[1024];
        int count;
        private final ByteTable ids = new ByteTable();

        Interner() {
            intern(new byte[0], 0, 0); // id 0: the root
        }

        int intern(byte[] d, int from, int to) {
            int len = to - from;
            int h = ByteTable.hash(d, from, len);
            int id = ids.get(d, from, len, h);
            if (id >= 0) {
                return id;
            }
            if (count == names.length) {
                names = Arrays.copyOf(names, count * 2);
                doubted = Arrays.copyOf(doubted, count * 2);
            }
            id = count++;
            names[id] = new String(d, from, len, StandardCharsets.ISO_8859_1);
            doubted[id] = !FrameNames.surelyNamed(d, from, to);
            ids.put(d, from, len, h, id);
            return id;
        }
    }

    private static final class Builder {
        final Interner interner = new Interner();
        int[] nameIds;
        int[] depths;
        int[] parents;
        double[] starts;
        double[] ends;
        double[] deltas;
        int n;
        double time;
        double maxDelta = 1;
        boolean differential;
        /** Null once a line did not move the time on (then frames can merge with closed ones: keep all). */
        Pruning pruning;
        long pruned;

        Builder(int capacity, Pruning pruning) {
            this.pruning = pruning;
            nameIds = new int[capacity];
            depths = new int[capacity];
            parents = new int[capacity];
            starts = new double[capacity];
            ends = new double[capacity];
            deltas = new double[capacity];
        }

        private int[] prev = new int[64];
        private int prevLen;
        /** The previous line's stack: data[prevFrom, prevFrom + prevEnd); prevBounds[k] ends its frame k + 1. */
        private byte[] prevData;
        private int prevFrom;
        private int prevEnd;
        private int[] prevBounds = new int[64];
        private int[] curBounds = new int[64];
        private int[] cur = new int[64];
        /** Whether any frame of the line up to each depth is doubted (0: the root, never), this line's and the previous. */
        private boolean[] curDoubt = new boolean[64];
        private boolean[] prevDoubt = new boolean[64];
        /** Whether the line laid out last has a frame whose name is in doubt. */
        boolean lastLineDoubted;
        private int[] open = new int[64];
        // frames closed at closedTime: a frame closing at the same time, depth and name as one closed
        // by an earlier line (possible after zero counts) replaces it, as in flamegraph.pl's %Node
        private int[] closed = new int[64];
        private int closedCount;
        private int closedBeforeThisLine;
        private double closedTime = Double.NaN;
        private Map<Integer, Integer> replaced;

        void flow(byte[] data, int from, int to, double count, double delta, boolean hasDelta) {
            if (pruning != null && !(time + count > time)) {
                // frames closed at one time by two lines are merged (see close): never drop a frame
                // that a later one may still replace
                pruning = null;
            }
            int len = split(data, from, to);
            int same = 0;
            while (same < prevLen && same < len && prev[same] == cur[same]) {
                same++;
            }
            closedBeforeThisLine = closedCount;
            for (int i = prevLen - 1; i >= same; i--) {
                close(i);
            }
            if (hasDelta) {
                differential = true;
                maxDelta = Math.max(maxDelta, Math.abs(delta));
            }
            for (int i = same; i < len; i++) {
                openFrame(i, cur[i], hasDelta ? (i == len - 1 ? delta : 0) : Double.NaN);
            }
            lastLineDoubted = curDoubt[len - 1];
            int[] t = prev;
            prev = cur;
            cur = t;
            boolean[] td = prevDoubt;
            prevDoubt = curDoubt;
            curDoubt = td;
            prevLen = len;
            time += count;
        }

        void finish() {
            closedBeforeThisLine = closedCount;
            for (int i = prevLen - 1; i >= 0; i--) {
                close(i);
            }
            prevLen = 0;
            if (replaced != null) {
                compact();
            }
        }

        /**
         * Splits {@code d[from, to)} at ';' into cur[1..] (cur[0] is the root) and returns the frame
         * count plus one. The frames it shares with the previous line are not looked up again: the
         * common prefix is found with one vectorised mismatch, and the previous line's frame ends say
         * how many whole frames it covers. A trailing run of ';' is ignored.
         */
        private int split(byte[] d, int from, int to) {
            int end = to - from;
            while (end > 0 && d[from + end - 1] == ';') {
                end--;
            }
            cur[0] = 0;
            int reuse = 0;
            int next = 0; // where the first frame not reused starts, relative to from
            byte[] p = prevData;
            int pFrom = prevFrom;
            int pEnd = prevEnd;
            int pFrames = prevLen - 1;
            if (p != null && pEnd > 0 && end > 0) {
                int max = Math.min(end, pEnd);
                int i = Arrays.mismatch(d, from, from + max, p, pFrom, pFrom + max);
                if (i < 0) {
                    i = max;
                }
                while (reuse < pFrames && prevBounds[reuse] < i) {
                    reuse++;
                }
                // a frame ending exactly where the common part ends is shared when this line's frame
                // ends there too (the previous line's does: it is one of its frame ends)
                if (i == max && reuse < pFrames && prevBounds[reuse] == i && (i == end || d[from + i] == ';')) {
                    reuse++;
                }
                if (reuse + 1 > cur.length) {
                    grow(Math.max(cur.length * 2, reuse + 1));
                }
                System.arraycopy(prev, 1, cur, 1, reuse);
                System.arraycopy(prevDoubt, 1, curDoubt, 1, reuse);
                System.arraycopy(prevBounds, 0, curBounds, 0, reuse);
                next = reuse == 0 ? 0 : prevBounds[reuse - 1] + 1;
            }
            int len = reuse + 1;
            if (end > 0 && next <= end) {
                // the new frames: each ends at the next ';' (found eight bytes per step) or at the end
                int limit = from + end;
                int f = from + next;
                while (true) {
                    int semi = Bytes.indexOf(d, f, limit, (byte) ';');
                    int e = semi < 0 ? limit : semi;
                    if (len == cur.length) {
                        grow(len * 2);
                    }
                    int id = interner.intern(d, f, e);
                    cur[len] = id;
                    curDoubt[len] = curDoubt[len - 1] || interner.doubted[id];
                    curBounds[len - 1] = e - from;
                    len++;
                    if (semi < 0) {
                        break;
                    }
                    f = semi + 1;
                }
            }
            prevData = d;
            prevFrom = from;
            prevEnd = end;
            int[] t = prevBounds;
            prevBounds = curBounds;
            curBounds = t;
            return len;
        }

        private void grow(int cap) {
            cur = Arrays.copyOf(cur, cap);
            prev = Arrays.copyOf(prev, cap);
            curDoubt = Arrays.copyOf(curDoubt, cap);
            prevDoubt = Arrays.copyOf(prevDoubt, cap);
            open = Arrays.copyOf(open, cap);
            prevBounds = Arrays.copyOf(prevBounds, cap);
            curBounds = Arrays.copyOf(curBounds, cap);
        }

        private void openFrame(int depth, int nameId, double delta) {
            if (n == nameIds.length) {
                int cap = n * 2;
                nameIds = Arrays.copyOf(nameIds, cap);
                depths = Arrays.copyOf(depths, cap);
                parents = Arrays.copyOf(parents, cap);
                starts = Arrays.copyOf(starts, cap);
                ends = Arrays.copyOf(ends, cap);
                deltas = Arrays.copyOf(deltas, cap);
            }
            nameIds[n] = nameId;
            depths[n] = depth;
            parents[n] = depth == 0 ? -1 : open[depth - 1];
            starts[n] = time;
            ends[n] = Double.NaN;
            deltas[n] = delta;
            open[depth] = n;
            n++;
        }

        private void close(int depth) {
            int f = open[depth];
            ends[f] = time;
            if (pruning != null && depth > 0 && time - starts[f] < pruning.threshold(time)) {
                // too narrow to be drawn at any later total; the frames above it were opened after it
                // and have all ended: drop them all
                pruned += n - f;
                n = f;
                int k = 0;
                int before = 0;
                for (int j = 0; j < closedCount; j++) {
                    if (closed[j] < f) {
                        if (j < closedBeforeThisLine) {
                            before++;
                        }
                        closed[k++] = closed[j];
                    }
                }
                closedCount = k;
                closedBeforeThisLine = before;
                return;
            }
            if (time != closedTime) {
                closedTime = time;
                closedCount = 0;
                closedBeforeThisLine = 0;
            }
            for (int k = 0; k < closedBeforeThisLine; k++) {
                int g = closed[k];
                if (depths[g] == depth && nameIds[g] == nameIds[f]) {
                    starts[g] = starts[f];
                    if (!Double.isNaN(deltas[f])) {
                        deltas[g] = deltas[f];
                    }
                    ends[f] = Double.NaN; // dead: merged into g
                    if (replaced == null) {
                        replaced = new HashMap<>();
                    }
                    replaced.put(f, g);
                    return;
                }
            }
            if (closedCount == closed.length) {
                closed = Arrays.copyOf(closed, closedCount * 2);
            }
            closed[closedCount++] = f;
        }

        private void compact() {
            int[] newIndex = new int[n];
            int m = 0;
            for (int i = 0; i < n; i++) {
                newIndex[i] = Double.isNaN(ends[i]) ? -1 : m++;
            }
            int w = 0;
            for (int i = 0; i < n; i++) {
                if (newIndex[i] < 0) {
                    continue;
                }
                int p = parents[i];
                while (p >= 0 && newIndex[p] < 0) {
                    p = replaced.getOrDefault(p, -1);
                }
                nameIds[w] = nameIds[i];
                depths[w] = depths[i];
                parents[w] = p < 0 ? -1 : newIndex[p];
                starts[w] = starts[i];
                ends[w] = ends[i];
                deltas[w] = deltas[i];
                w++;
            }
            n = w;
        }
    }
}
