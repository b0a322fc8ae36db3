package io.github.stackfold.flamegraph.html;

import io.github.stackfold.flamegraph.FrameNames;
import io.github.stackfold.flamegraph.diff.DiffProfile;
import io.github.stackfold.flamegraph.folded.FoldedProfile;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The data of an HTML viewer file: folded stacks as a prefix-shared stack tree, before DEFLATE and
 * base64. All numbers are unsigned LEB128 varints ({@code 300} is {@code ac 02}) unless said otherwise.
 * Sections, one after the other:
 *
 * <pre>
 * stacks   per stack, in an order where each subtree's stacks are contiguous (sorted):
 *            shared  frames shared with the previous stack (0 for the first)
 *            fresh   frames that follow (at least 1)
 *            code x fresh   each frame: at depth d, a code below the number of names seen at depth d
 *                           so far is that name; a code equal to it is a name new at this depth and is
 *                           followed by the name's index in the name table
 *            value   the stack's count ("after" count of a diff)
 *            [before] the "before" count, diff files only
 * names    per name: byte length, UTF-8 bytes (folded names are raw bytes, kept as they are)
 * labels   files with short labels only; per name: how many of its bytes the label drops from its
 *          start (the import path or package, {@link FrameNames#shorten}; 0: the label is the name)
 * cells    timed files only; per stack: number of cells, then per cell: cell - previous cell of this
 *          stack (the first: the cell itself), weight. cell = second * rows + row, seconds counted
 *          from the first whole second, row = the fraction of the second * rows
 * trailer  12 int32 little endian: version (1), flags (1 diff, 2 timed), stacks, nodes (frames of
 *          the tree, the root "all" not counted), names, deepest depth, offset of names, offset of
 *          cells (0: none), first second, columns (seconds), rows, offset of labels (0: none, the
 *          labels are the names)
 * </pre>
 *
 * For the stacks {@code a;b 3}, {@code a;b;c 2}, {@code a;d 1}: {@code 0 2 0 0 0 1 3}, {@code 2 1 0 2 2},
 * {@code 1 1 1 3 1} (a is name 0 new at depth 1, b name 1 new at depth 2, ...). Static use only;
 * one call may use a second thread of its own for a large profile (see {@link #encode(Input,
 * FrameNames.Style, OutputStream, int)}).
 */
final class StackEncoder {
    static final int VERSION = 1;

    private StackEncoder() {
    }

    /** What is encoded: distinct stacks as bytes in byte order, their counts, and maybe times. */
    static final class Input {
        final RawStacks stacks;
        /** The "before" counts of a diff, else null. */
        final long[] beforeCounts;
        final TimedProfile timedProfile;
        final int rows;

        private Input(RawStacks stacks, long[] before, TimedProfile timed, int rows) {
            this.stacks = stacks;
            this.beforeCounts = before;
            this.timedProfile = timed;
            this.rows = rows;
        }

        static Input of(RawStacks s) {
            return new Input(s, null, null, 0);
        }

        static Input of(FoldedProfile p) {
            return of(RawStacks.of(p));
        }

        static Input of(DiffProfile d) {
            long[] before = new long[d.size()];
            for (int i = 0; i < before.length; i++) {
                before[i] = d.before(i);
            }
            return new Input(RawStacks.of(d.size(), d::stack, d::after), before, null, 0);
        }

        static Input of(TimedProfile t, int rows) {
            return new Input(RawStacks.of(t.profile()), null, t, rows);
        }

        boolean diff() {
            return beforeCounts != null;
        }

        boolean timed() {
            return timedProfile != null;
        }

        int size() {
            return stacks.size();
        }

        long value(int i) {
            return stacks.count(i);
        }

        long before(int i) {
            return beforeCounts[i];
        }
    }

    static long[] encode(Input in, OutputStream out) throws IOException {
        return encode(in, FrameNames.Style.FULL, out);
    }

    /** Stacks per piece of work handed from the thread that splits stacks into frames to the writing one. */
    static final int CHUNK = 8192;

    /** Writes the data; with short names (see {@link HtmlOptions.Builder#names}) a labels section. */
    static long[] encode(Input in, FrameNames.Style style, OutputStream out) throws IOException {
        return encode(in, style, out, CHUNK);
    }

    /**
     * As {@link #encode(Input, FrameNames.Style, OutputStream)}, the stacks handed over in chunks of
     * {@code chunk}. The stacks section is made in two steps: {@link Frames} splits each stack into
     * frames and interns their names, then the frames become depth codes and varints written to
     * {@code out}. With more than two chunks of stacks the first step runs on a second thread ahead of
     * the second (and of {@code out}, the DEFLATE and base64 of the page): it still goes through the
     * stacks in order, so every name and code is the one a single thread gives.
     *
     * @return the stacks that hold a frame whose name {@link FrameNames#surelyNamed} doubts, as a bit
     *         set by stack index (bit i of word i / 64): the others need no look for unnamed frames
     */
    static long[] encode(Input in, FrameNames.Style style, OutputStream out, int chunk) throws IOException {
        int n = in.size();
        int[] order = frameOrder(in, n);
        Sink sink = new Sink(out);
        Frames frames = new Frames(in.stacks, order, n, chunk);
        DepthCodes codes = new DepthCodes();
        long nodes = 0;
        int maxDepth = 0;
        boolean diff = in.diff();
        // the names are the writer's to read once the last chunk is taken
        AheadThread<Frames.Chunk> ahead = n > 2L * chunk ? new AheadThread<>(frames, () -> new Frames.Chunk(chunk),
                AheadThread.ITEMS, "stackfold-html-frames", "writing the viewer's data") : null;
        try {
            Frames.Chunk c = ahead == null ? new Frames.Chunk(chunk) : null;
            int oi = 0;
            while (oi < n) {
                c = ahead == null ? frames.next(c) : ahead.take();
                int[] t = c.tokens;
                int p = 0;
                for (int k = 0; k < c.stacks; k++, oi++) {
                    int si = order == null ? oi : order[oi];
                    int shared = t[p++];
                    int fresh = t[p++];
                    sink.varint(shared);
                    sink.varint(fresh);
                    for (int f = 0; f < fresh; f++) {
                        int id = t[p++];
                        int d = shared + 1 + f;
                        int code;
                        boolean isNew;
                        int[] row;
                        // a name seen at this depth, found in place: a call per frame costs under the client compiler
                        if (d < DepthCodes.DIRECT_DEPTHS && id < DepthCodes.DIRECT_NAMES && (row = codes.direct[d]) != null
                                && row[id] != 0) {
                            code = row[id] - 1;
                            isNew = false;
                        } else {
                            code = codes.code(d, id);
                            isNew = code == codes.lastNew;
                        }
                        if (code < 0x80 && sink.pos < sink.buf.length) {
                            sink.buf[sink.pos++] = (byte) code;
                        } else {
                            sink.varint(code);
                        }
                        if (isNew) {
                            sink.varint(id);
                        }
                    }
                    nodes += fresh;
                    maxDepth = Math.max(maxDepth, shared + fresh);
                    sink.varint(in.value(si));
                    if (diff) {
                        sink.varint(in.before(si));
                    }
                }
                if (ahead != null) {
                    ahead.recycle(c);
                }
            }
        } finally {
            if (ahead != null) {
                ahead.close(true);
            }
        }
        Names names = frames.names;
        long namesOffset = sink.written();
        for (int i = 0; i < names.size; i++) {
            byte[] name = names.names[i];
            sink.varint(name.length);
            for (byte x : name) {
                sink.b(x);
            }
        }
        long labelsOffset = 0;
        if (names.size > 0 && shortNames(names, style)) {
            labelsOffset = sink.written();
            for (int i = 0; i < names.size; i++) {
                String raw = new String(names.names[i], StandardCharsets.ISO_8859_1);
                sink.varint(raw.length() - FrameNames.shorten(raw).length());
            }
        }
        long cellsOffset = 0;
        long firstSecond = 0;
        int columns = 0;
        if (in.timed()) {
            cellsOffset = sink.written();
            TimedProfile t = in.timedProfile;
            int rows = in.rows;
            int samples = t.samples();
            long minMicros = Long.MAX_VALUE;
            long maxMicros = Long.MIN_VALUE;
            for (int i = 0; i < samples; i++) {
                minMicros = Math.min(minMicros, t.micros(i));
                maxMicros = Math.max(maxMicros, t.micros(i));
            }
            firstSecond = samples == 0 ? 0 : minMicros / 1_000_000;
            columns = samples == 0 ? 0 : (int) (maxMicros / 1_000_000 - firstSecond + 1);
            int[] position = new int[n];
            if (order == null) {
                for (int i = 0; i < n; i++) {
                    position[i] = i;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    position[order[i]] = i;
                }
            }
            long[] keys = new long[samples];
            for (int i = 0; i < samples; i++) {
                long m = t.micros(i);
                long cell = (m / 1_000_000 - firstSecond) * rows + (m % 1_000_000) * rows / 1_000_000;
                keys[i] = ((long) position[t.stackIndex(i)] << 32) | cell;
            }
            Integer[] idx = new Integer[samples];
            for (int i = 0; i < samples; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, (a, b) -> Long.compare(keys[a], keys[b]));
            int k = 0;
            for (int st = 0; st < n; st++) {
                int e = k;
                while (e < samples && (int) (keys[idx[e]] >>> 32) == st) {
                    e++;
                }
                int cells = 0;
                for (int j = k; j < e; j++) {
                    if (j == k || keys[idx[j]] != keys[idx[j - 1]]) {
                        cells++;
                    }
                }
                sink.varint(cells);
                long prevCell = 0;
                int j = k;
                while (j < e) {
                    long key = keys[idx[j]];
                    long w = 0;
                    while (j < e && keys[idx[j]] == key) {
                        w += t.weight(idx[j]);
                        j++;
                    }
                    long cell = key & 0xFFFFFFFFL;
                    sink.varint(cell - prevCell);
                    sink.varint(w);
                    prevCell = cell;
                }
                k = e;
            }
        }
        long[] trailer = {VERSION, (diff ? 1 : 0) | (in.timed() ? 2 : 0), n, nodes, names.size, maxDepth, namesOffset,
            cellsOffset, firstSecond, columns, in.rows, labelsOffset};
        for (long v : trailer) {
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("profile too large for the viewer: " + v);
            }
            int x = (int) v;
            sink.b((byte) x);
            sink.b((byte) (x >>> 8));
            sink.b((byte) (x >>> 16));
            sink.b((byte) (x >>> 24));
        }
        sink.flush();
        return frames.doubted;
    }

    /** Whether labels show short names: SHORT, or AUTO and the names are mostly Go (raw names: the test looks at ASCII only). */
    private static boolean shortNames(Names names, FrameNames.Style style) {
        if (style == FrameNames.Style.FULL) {
            return false;
        }
        return style == FrameNames.Style.SHORT || FrameNames.mostlyGo(new java.util.AbstractList<String>() {
            @Override
            public String get(int i) {
                return new String(names.names[i], StandardCharsets.ISO_8859_1);
            }

            @Override
            public int size() {
                return names.size;
            }
        });
    }

    /**
     * Null when byte order (the stacks' order) already keeps every subtree's stacks
     * together; otherwise an order that does. In byte order the stacks under a frame path {@code S}
     * ({@code S;...}) are contiguous; only the stack {@code S} itself can be apart from them, when
     * stacks {@code S<c>...} with a byte c below {@code ';'} sort between ({@code f1_1} before
     * {@code f1_10;...} before {@code f1_1;...}). Such a stack is moved to just before the first
     * {@code S;...} stack; the rest keep their order.
     */
    static int[] frameOrder(Input in, int n) {
        RawStacks st = in.stacks;
        int[] target = null;
        int moved = 0;
        for (int i = 0; i + 1 < n; i++) {
            int la = st.length(i);
            if (st.length(i + 1) > la && startsWith(st, i + 1, i) && st.bytes(i + 1)[st.from(i + 1) + la] != ';') {
                int p = lowerBound(st, n, i + 1, i);
                if (p < n && startsWithFrames(st, p, i)) {
                    if (target == null) {
                        target = new int[n];
                        Arrays.fill(target, -1);
                    }
                    target[i] = p;
                    moved++;
                }
            }
        }
        if (target == null) {
            return null;
        }
        // (target position, index) of the moved stacks, in target order; shorter stacks first at one target
        long[] movedKeys = new long[moved];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (target[i] >= 0) {
                movedKeys[m++] = (long) target[i] << 32 | i;
            }
        }
        Arrays.sort(movedKeys);
        int[] out = new int[n];
        int o = 0;
        int next = 0;
        for (int i = 0; i < n; i++) {
            int from = next;
            while (next < moved && (int) (movedKeys[next] >>> 32) == i) {
                next++;
            }
            if (next - from > 1) {
                Integer[] group = new Integer[next - from];
                for (int g = from; g < next; g++) {
                    group[g - from] = (int) movedKeys[g];
                }
                Arrays.sort(group, (x, y) -> Integer.compare(st.length(x), st.length(y)));
                for (Integer g : group) {
                    out[o++] = g;
                }
            } else if (next > from) {
                out[o++] = (int) movedKeys[from];
            }
            if (target[i] < 0) {
                out[o++] = i;
            }
        }
        return out;
    }

    /** Whether stack x starts with stack a's bytes. */
    private static boolean startsWith(RawStacks st, int x, int a) {
        int la = st.length(a);
        if (st.length(x) < la) {
            return false;
        }
        int xf = st.from(x);
        int af = st.from(a);
        return Arrays.equals(st.bytes(x), xf, xf + la, st.bytes(a), af, af + la);
    }

    /** Whether stack x starts with stack a's bytes and {@code ;} (a frame path below a). */
    private static boolean startsWithFrames(RawStacks st, int x, int a) {
        int la = st.length(a);
        return st.length(x) > la && startsWith(st, x, a) && st.bytes(x)[st.from(x) + la] == ';';
    }

    /** Stack x compared in byte order with stack a followed by {@code ;}. */
    private static int compareToFramesOf(RawStacks st, int x, int a) {
        byte[] xb = st.bytes(x);
        int xf = st.from(x);
        int lx = st.length(x);
        int la = st.length(a);
        int common = Math.min(lx, la);
        int af = st.from(a);
        int mm = Arrays.mismatch(xb, xf, xf + common, st.bytes(a), af, af + common);
        if (mm >= 0) {
            return Byte.compareUnsigned(xb[xf + mm], st.bytes(a)[af + mm]);
        }
        if (lx <= la) {
            return -1;
        }
        int c = Byte.compareUnsigned(xb[xf + la], (byte) ';');
        return c != 0 ? c : lx == la + 1 ? 0 : 1;
    }

    /** The first index in [from, n) whose stack is not below stack a followed by {@code ;} (stacks are in byte order). */
    private static int lowerBound(RawStacks st, int n, int from, int a) {
        int lo = from;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compareToFramesOf(st, mid, a) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The stacks in encoding order split into frames: per stack the frames it shares with the stack
     * before, the frames that follow, and their interned names. One instance goes through the stacks
     * once, in order, chunk after chunk.
     */
    static final class Frames implements AheadThread.Producer<Frames.Chunk> {
        private final RawStacks stacks;
        private final int[] order;
        private final int n;
        private final int chunk;
        final Names names = new Names();
        private int oi;
        /** Where each frame of the previous stack ends, relative to the stack's start. */
        private int[] prevEnds = new int[64];
        private int prevFrames;
        private byte[] prev;
        private int prevFrom;
        private int prevLen;
        /** Per name id: whether {@link FrameNames#surelyNamed} doubts it; names up to {@code judged} are. */
        private boolean[] doubtedName = new boolean[1024];
        private int judged;
        /** Whether any of the previous stack's frames up to each depth is doubted (as prevEnds). */
        private boolean[] doubtedUpTo = new boolean[64];
        /** The stacks with a doubted frame, one bit per stack index. */
        final long[] doubted;

        Frames(RawStacks stacks, int[] order, int n, int chunk) {
            this.stacks = stacks;
            this.order = order;
            this.n = n;
            this.chunk = chunk;
            doubted = new long[(n + 63) >>> 6];
        }

        /** Up to {@code chunk} stacks: per stack shared, fresh, then the name of each fresh frame. */
        static final class Chunk {
            int[] tokens;
            int stacks;

            Chunk(int chunk) {
                tokens = new int[Math.max(64, Math.min(chunk, 1 << 16) * 16)];
            }
        }

        @Override
        public boolean done() {
            return oi == n;
        }

        /** Fills c with the next stacks and returns it. */
        @Override
        public Chunk next(Chunk c) {
            int[] t = c.tokens;
            int p = 0;
            int last = (int) Math.min(n, (long) oi + chunk);
            int k = 0;
            for (; oi < last; oi++, k++) {
                int si = order == null ? oi : order[oi];
                byte[] s = stacks.bytes(si);
                int base = stacks.from(si);
                int len = stacks.length(si);
                int shared = 0;
                if (prev != null) {
                    int lcp = Arrays.mismatch(prev, prevFrom, prevFrom + prevLen, s, base, base + len);
                    if (lcp < 0) {
                        lcp = len; // equal stacks do not occur (they are merged), but stay safe
                    }
                    if (lcp == prevLen && lcp < len && s[base + lcp] == ';') {
                        shared = prevFrames;
                    } else {
                        while (shared < prevFrames && prevEnds[shared] < lcp) {
                            shared++;
                        }
                    }
                }
                int start = shared == 0 ? 0 : prevEnds[shared - 1] + 1;
                // at most one frame per fresh byte and one more
                int need = p + 3 + len - start;
                if (need > t.length) {
                    t = Arrays.copyOf(t, Math.max(need, t.length * 2));
                    c.tokens = t;
                }
                t[p++] = shared;
                int freshAt = p++;
                // one pass over the fresh bytes: each frame's end and name hash together, the name
                // interned. Offsets (from, end, prevEnds) are relative to the stack's start.
                int depth = shared;
                int from = start;
                boolean doubt = shared > 0 && doubtedUpTo[shared - 1];
                while (true) {
                    int h = 0;
                    long tail = 0;
                    int end = from;
                    byte b;
                    while (end < len && (b = s[base + end]) != ';') {
                        h = 31 * h + b;
                        tail = (tail << 8) | (b & 0xFF);
                        end++;
                    }
                    depth++;
                    if (depth > prevEnds.length) {
                        prevEnds = Arrays.copyOf(prevEnds, prevEnds.length * 2);
                        doubtedUpTo = Arrays.copyOf(doubtedUpTo, prevEnds.length);
                    }
                    prevEnds[depth - 1] = end;
                    int id = names.intern(s, base + from, base + end, h, tail);
                    t[p++] = id;
                    if (id >= judged) { // a new name (ids come in order): judged once
                        if (id >= doubtedName.length) {
                            doubtedName = Arrays.copyOf(doubtedName, Math.max(id + 1, doubtedName.length * 2));
                        }
                        doubtedName[id] = !FrameNames.surelyNamed(s, base + from, base + end);
                        judged = id + 1;
                    }
                    doubt |= doubtedName[id];
                    doubtedUpTo[depth - 1] = doubt;
                    if (end == len) {
                        break;
                    }
                    from = end + 1;
                }
                if (doubt) {
                    doubted[si >>> 6] |= 1L << si;
                }
                t[freshAt] = depth - shared;
                prevFrames = depth;
                prev = s;
                prevFrom = base;
                prevLen = len;
            }
            c.stacks = k;
            return c;
        }
    }

    /**
     * Frame names (raw bytes) interned by byte range, without a copy per lookup. A name's last (up
     * to) 8 bytes are also kept as one long: a lookup compares them at once, and the bytes before
     * them one by one (none for a name of at most 8 bytes).
     */
    static final class Names {
        byte[][] names = new byte[1024][];
        /** Per name: its last (up to) 8 bytes, the last one lowest ({@link #tail}). */
        private long[] tails = new long[1024];
        int size;
        private int[] table = new int[4096];
        private int[] hashes = new int[4096];

        Names() {
            Arrays.fill(table, -1);
        }

        int intern(byte[] s, int from, int to) {
            int h = 0;
            for (int i = from; i < to; i++) {
                h = 31 * h + s[i];
            }
            return intern(s, from, to, h, tail(s, from, to));
        }

        /** The last (up to) 8 bytes of a range, the last one lowest: {@code t = t << 8 | (b & 0xFF)} over all bytes. */
        static long tail(byte[] s, int from, int to) {
            long t = 0;
            for (int i = Math.max(from, to - 8); i < to; i++) {
                t = (t << 8) | (s[i] & 0xFF);
            }
            return t;
        }

        /**
         * As {@link #intern(byte[], int, int)} with the range's hash ({@code h = 31 * h + b}) and
         * {@link #tail} already computed.
         */
        int intern(byte[] s, int from, int to, int rawHash, long tail) {
            int h = rawHash ^ (rawHash >>> 16);
            int mask = table.length - 1;
            int len = to - from;
            for (int slot = h & mask; ; slot = (slot + 1) & mask) {
                int id = table[slot];
                if (id < 0) {
                    if (size == names.length) {
                        names = Arrays.copyOf(names, size * 2);
                        tails = Arrays.copyOf(tails, size * 2);
                    }
                    names[size] = Arrays.copyOfRange(s, from, to);
                    tails[size] = tail;
                    table[slot] = size;
                    hashes[slot] = h;
                    size++;
                    if (size * 2 > table.length) {
                        grow();
                    }
                    return size - 1;
                }
                if (hashes[slot] == h && tails[id] == tail) {
                    byte[] name = names[id];
                    // equal tails: equal last 8 bytes (or all bytes, for equal lengths up to 8)
                    if (name.length == len && (len <= 8 || same(name, s, from, len - 8))) {
                        return id;
                    }
                }
            }
        }

        /** A plain loop: names are short, where a call to Arrays.equals costs more than it saves. */
        private static boolean same(byte[] name, byte[] s, int from, int len) {
            for (int i = 0; i < len; i++) {
                if (name[i] != s[from + i]) {
                    return false;
                }
            }
            return true;
        }

        private void grow() {
            int[] oldTable = table;
            int[] oldHashes = hashes;
            table = new int[oldTable.length * 2];
            hashes = new int[oldTable.length * 2];
            Arrays.fill(table, -1);
            int mask = table.length - 1;
            for (int i = 0; i < oldTable.length; i++) {
                if (oldTable[i] >= 0) {
                    int slot = oldHashes[i] & mask;
                    while (table[slot] >= 0) {
                        slot = (slot + 1) & mask;
                    }
                    table[slot] = oldTable[i];
                    hashes[slot] = oldHashes[i];
                }
            }
        }
    }

    /** Per depth, the names seen there in order of first appearance: (depth, name) to code. */
    static final class DepthCodes {
        private long[] keys = new long[4096];
        private int[] values = new int[4096];
        private int size;
        private int[] perDepth = new int[64];
        private static final int DIRECT_DEPTHS = 256;
        private static final int DIRECT_NAMES = 4096;
        /** Per depth below DIRECT_DEPTHS, per name below DIRECT_NAMES: code + 1, 0 when not seen; the rest in keys. */
        private final int[][] direct = new int[DIRECT_DEPTHS][];
        /** The code {@link #code} gave when the name was new at its depth, else -1. */
        int lastNew = -1;

        DepthCodes() {
            Arrays.fill(keys, -1);
        }

        int code(int depth, int name) {
            if (depth < DIRECT_DEPTHS && name < DIRECT_NAMES) {
                // the common case by direct index: at most DIRECT_DEPTHS * DIRECT_NAMES ints
                int[] row = direct[depth];
                if (row == null) {
                    row = new int[DIRECT_NAMES];
                    direct[depth] = row;
                }
                int v = row[name];
                if (v != 0) {
                    lastNew = -1;
                    return v - 1;
                }
                if (depth >= perDepth.length) {
                    perDepth = Arrays.copyOf(perDepth, Math.max(depth + 1, perDepth.length * 2));
                }
                int code = perDepth[depth]++;
                row[name] = code + 1;
                lastNew = code;
                return code;
            }
            long key = ((long) depth << 32) | name;
            int mask = keys.length - 1;
            long hh = key * 0x9E3779B97F4A7C15L;
            int slot = (int) (hh >>> 32) & mask;
            while (true) {
                long k = keys[slot];
                if (k == key) {
                    lastNew = -1;
                    return values[slot];
                }
                if (k == -1) {
                    break;
                }
                slot = (slot + 1) & mask;
            }
            if (depth >= perDepth.length) {
                perDepth = Arrays.copyOf(perDepth, Math.max(depth + 1, perDepth.length * 2));
            }
            int code = perDepth[depth]++;
            keys[slot] = key;
            values[slot] = code;
            size++;
            if (size * 2 > keys.length) {
                grow();
            }
            lastNew = code;
            return code;
        }

        private void grow() {
            long[] ok = keys;
            int[] ov = values;
            keys = new long[ok.length * 2];
            values = new int[ok.length * 2];
            Arrays.fill(keys, -1);
            int mask = keys.length - 1;
            for (int i = 0; i < ok.length; i++) {
                if (ok[i] != -1) {
                    int slot = (int) ((ok[i] * 0x9E3779B97F4A7C15L) >>> 32) & mask;
                    while (keys[slot] != -1) {
                        slot = (slot + 1) & mask;
                    }
                    keys[slot] = ok[i];
                    values[slot] = ov[i];
                }
            }
        }
    }

    /** Varints into a buffer flushed to the (deflating) stream in blocks. */
    static final class Sink {
        private final OutputStream out;
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private long flushed;

        Sink(OutputStream out) {
            this.out = out;
        }

        void varint(long v) throws IOException {
            if (pos > buf.length - 10) {
                flush();
            }
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void b(byte x) throws IOException {
            if (pos == buf.length) {
                flush();
            }
            buf[pos++] = x;
        }

        long written() {
            return flushed + pos;
        }

        void flush() throws IOException {
            out.write(buf, 0, pos);
            flushed += pos;
            pos = 0;
        }
    }
}
