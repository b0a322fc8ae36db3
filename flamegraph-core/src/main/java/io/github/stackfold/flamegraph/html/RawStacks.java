package io.github.stackfold.flamegraph.html;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.NotEnoughMemoryException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.folded.ProfileMeta;
import io.github.stackfold.flamegraph.internal.ByteOrderSort;
import io.github.stackfold.flamegraph.render.FoldedSamples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.IntToLongFunction;

/**
 * Distinct folded stacks as their raw bytes, in byte order, with their weights: what the HTML viewer
 * encodes, held without a {@code String} (nor a map entry) per stack. The bytes of all stacks are
 * packed into large blocks; a stack is a range of one block.
 *
 * <p>{@link #readFolded} reads folded text at byte level with the rules of {@link FoldedProfile#read}
 * (same lines, counts, blank lines, header line and error for a malformed line), so a viewer of
 * {@code readFolded(in)} is byte-identical to one of {@code FoldedProfile.read(in)}. Sorted input (what
 * every folded producer writes) is merged as it comes: equal stacks are next to each other, and memory
 * follows the distinct stacks' bytes. Unsorted input is found out at its first line out of order; from
 * there equal stacks are found by hashing and the stacks are sorted once at the end.
 *
 * <p>Immutable once built.
 */
public final class RawStacks {
    private static final int BLOCK = 1 << 22;
    private static final RawStacks EMPTY = new RawStacks(new byte[0][], new long[0], new int[0], new long[0], 0);

    private final byte[][] blocks;
    /** Per stack: block index << 32 | offset in the block. */
    private final long[] pos;
    private final int[] len;
    private final long[] counts;
    private final int size;

    private RawStacks(byte[][] blocks, long[] pos, int[] len, long[] counts, int size) {
        this.blocks = blocks;
        this.pos = pos;
        this.len = len;
        this.counts = counts;
        this.size = size;
    }

    /** Number of distinct stacks. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The weight of the i-th stack in byte order. */
    public long count(int i) {
        return counts[i];
    }

    /** The i-th stack as a raw string (one char per byte); for tests and messages, not for bulk use. */
    public String stack(int i) {
        return new String(bytes(i), from(i), length(i), StandardCharsets.ISO_8859_1);
    }

    /** {@code f} of the i-th stack's raw bytes, read where they are kept (no String made). */
    public <T> T withStackBytes(int i, FoldedSamples.StackBytes<T> f) {
        Objects.checkIndex(i, size);
        int from = from(i);
        return f.apply(bytes(i), from, from + length(i));
    }

    /** The block that holds the i-th stack's bytes. */
    byte[] bytes(int i) {
        return blocks[(int) (pos[i] >>> 32)];
    }

    /** Where the i-th stack starts in {@link #bytes(int)}. */
    int from(int i) {
        return (int) pos[i];
    }

    int length(int i) {
        return len[i];
    }

    /** The stacks of a profile (already distinct and in byte order). */
    public static RawStacks of(FoldedProfile profile) {
        return of(profile.size(), profile::stack, profile::count);
    }

    /** n distinct raw stacks in byte order, with their weights. */
    static RawStacks of(int n, IntFunction<String> stack, IntToLongFunction count) {
        Builder b = new Builder();
        for (int i = 0; i < n; i++) {
            byte[] s = stack.apply(i).getBytes(StandardCharsets.ISO_8859_1);
            b.append(s, 0, s.length, count.applyAsLong(i));
        }
        return b.build();
    }

    /**
     * Reads folded text as {@link FoldedProfile#read(InputStream, String)} does, rejecting the first
     * malformed line with a {@link BadInputException} naming the source and line; out of memory is a
     * {@link NotEnoughMemoryException}. Input longer than one batch (4,096 stacks or 256 KiB) is read
     * and parsed on a second thread, started and ended within the call, while this one merges.
     */
    public static RawStacks readFolded(InputStream in, String source) throws IOException {
        Builder b = new Builder();
        Lines lines = new Lines(new LineReader(in), source);
        long lineNo = 0;
        // the first batch here; a longer input is read and parsed on a second thread ahead of the merge
        Lines.Batch batch;
        try {
            batch = lines.next(new Lines.Batch());
        } catch (OutOfMemoryError e) {
            throw new NotEnoughMemoryException(source, NotEnoughMemoryException.lines(lines.reader.lineNo, 0), e);
        }
        // the first batch, taken here, goes round with those the thread makes
        AheadThread<Lines.Batch> ahead = lines.done() ? null
                : new AheadThread<>(lines, Lines.Batch::new, AheadThread.ITEMS - 1, "stackfold-folded-lines",
                        "reading folded stacks");
        boolean ok = false;
        try {
            while (batch != null) {
                b.add(batch);
                lineNo = batch.lineNo;
                if (ahead == null) {
                    break;
                }
                ahead.recycle(batch);
                batch = ahead.take();
            }
            ok = true;
        } catch (OutOfMemoryError e) {
            int stacks = b.size;
            b.clear();
            throw new NotEnoughMemoryException(source, NotEnoughMemoryException.lines(lineNo, stacks), e);
        } finally {
            if (ahead != null) {
                ahead.close(ok);
            }
        }
        return b.build();
    }

    private static void line(LineReader r, String source, Lines.Batch b) {
        byte[] buf = r.buf;
        int start = r.start;
        int end = r.end;
        if (r.lineNo == 1 && ProfileMeta.isHeader(buf, start, end)) {
            // the header says what the weights mean; the viewer only needs it to be well formed
            ProfileMeta.parseHeader(new String(buf, start, end - start, StandardCharsets.ISO_8859_1));
            return;
        }
        while (end > start && isWhitespace(buf[end - 1])) {
            end--;
        }
        int sp = end;
        while (sp > start && buf[sp - 1] >= '0' && buf[sp - 1] <= '9') {
            sp--;
        }
        // the stack is everything before the one blank before the count (see FoldedProfile.read)
        int stackEnd = sp - 1;
        if (sp == end || stackEnd < start || !isBlank(buf[stackEnd]) || end - sp > 18) {
            throw new BadInputException(source, r.lineNo, r.lineOffset,
                    "expected a folded stack line 'frame;frame;... COUNT' with an integer count");
        }
        long count = 0;
        for (int i = sp; i < end; i++) {
            count = count * 10 + (buf[i] - '0');
        }
        b.add(buf, start, stackEnd, count);
    }

    /** {@link Character#isWhitespace} of the byte as a char (ISO-8859-1). */
    static boolean isWhitespace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F);
    }

    /** Perl's {@code \s} in byte semantics, as {@code FoldedProfile}. */
    private static boolean isBlank(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /**
     * The non-blank lines of a stream as ranges of a buffer, with the numbering and offsets of
     * {@code TextLines} (a line ends at LF, CR or CR LF; a line's offset counts one byte per line end).
     */
    static final class LineReader {
        private final InputStream in;
        byte[] buf = new byte[1 << 20];
        private int limit;
        private int at;
        private boolean eof;
        private boolean skipLf;
        int start;
        int end;
        long lineNo;
        long lineOffset;
        private long offset;

        LineReader(InputStream in) {
            this.in = in;
        }

        /** Moves to the next non-blank line; false at the end of the input. */
        boolean next() throws IOException {
            while (true) {
                if (!nextLine()) {
                    return false;
                }
                lineNo++;
                lineOffset = offset;
                offset += end - start + 1;
                for (int i = start; i < end; i++) {
                    if (!isWhitespace(buf[i])) {
                        return true;
                    }
                }
            }
        }

        private boolean nextLine() throws IOException {
            if (skipLf) {
                skipLf = false;
                if (at == limit && !fill()) {
                    return false;
                }
                if (buf[at] == '\n') {
                    at++;
                }
            }
            int i = at;
            while (true) {
                byte[] b = buf;
                int lim = limit;
                while (i < lim) {
                    byte c = b[i];
                    if (c == '\n' || c == '\r') {
                        start = at;
                        end = i;
                        at = i + 1;
                        skipLf = c == '\r';
                        return true;
                    }
                    i++;
                }
                int scanned = i - at;
                if (!fill()) {
                    if (limit > at) { // a last line without a line end
                        start = at;
                        end = limit;
                        at = limit;
                        return true;
                    }
                    return false;
                }
                i = at + scanned;
            }
        }

        /** Keeps the unread bytes at the buffer's start and reads more; false at the end of the input. */
        private boolean fill() throws IOException {
            if (eof) {
                return false;
            }
            int keep = limit - at;
            if (at > 0) {
                System.arraycopy(buf, at, buf, 0, keep);
            } else if (keep == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            at = 0;
            limit = keep;
            int n = in.read(buf, limit, buf.length - limit);
            if (n <= 0) {
                eof = true;
                return false;
            }
            limit += n;
            return true;
        }
    }

    /** The stacks of folded lines in batches: each batch a copy of its stacks' bytes, their counts and hashes. */
    static final class Lines implements AheadThread.Producer<Lines.Batch> {
        /** Bytes of stacks, or stacks, that fill a batch. */
        private static final int BATCH_BYTES = 1 << 18;
        private static final int BATCH_STACKS = 4096;
        final LineReader reader;
        private final String source;
        private boolean done;

        Lines(LineReader reader, String source) {
            this.reader = reader;
            this.source = source;
        }

        static final class Batch {
            byte[] data = new byte[BATCH_BYTES];
            int used;
            /** Per stack: where it ends in data (it starts where the one before ends), count, hash. */
            int[] ends = new int[BATCH_STACKS];
            long[] counts = new long[BATCH_STACKS];
            int[] hashes = new int[BATCH_STACKS];
            int size;
            /** Lines read up to the end of this batch. */
            long lineNo;

            void add(byte[] src, int from, int to, long count) {
                int n = to - from;
                if (used + n > data.length) {
                    data = Arrays.copyOf(data, Math.max(data.length * 2, used + n));
                }
                int h = 1;
                byte[] d = data;
                int at = used;
                for (int i = from; i < to; i++) {
                    byte c = src[i];
                    d[at++] = c;
                    h = 31 * h + c;
                }
                used = at;
                ends[size] = at;
                counts[size] = count;
                hashes[size] = h;
                size++;
            }

            boolean full() {
                return used >= BATCH_BYTES || size == BATCH_STACKS;
            }
        }

        @Override
        public boolean done() {
            return done;
        }

        /** Fills b with the stacks of the next lines and returns it. */
        @Override
        public Batch next(Batch b) throws IOException {
            b.used = 0;
            b.size = 0;
            while (!b.full()) {
                if (!reader.next()) {
                    done = true;
                    break;
                }
                line(reader, source, b);
            }
            b.lineNo = reader.lineNo;
            return b;
        }
    }

    /**
     * Collects stacks: equal neighbours are merged; from the first stack out of byte order on, equal
     * stacks are found by hash, and {@link #build} sorts.
     */
    static final class Builder {
        private byte[][] blocks = new byte[8][];
        private int nBlocks;
        private byte[] block;
        private int blockPos;
        private long[] pos = new long[1024];
        private int[] len = new int[1024];
        private long[] counts = new long[1024];
        int size;
        private boolean sorted = true;
        /** Hash table of stack index + 1, only once the input was found unsorted. */
        private int[] table;
        private int[] hashes;

        /** Adds the stacks of a batch. */
        void add(Lines.Batch batch) {
            int from = 0;
            for (int i = 0; i < batch.size; i++) {
                int to = batch.ends[i];
                add(batch.data, from, to, batch.counts[i], batch.hashes[i]);
                from = to;
            }
        }

        /** Adds weight to a stack, a range of {@code src} (copied) whose {@link #hash} is h. */
        void add(byte[] src, int from, int to, long count, int h) {
            if (size > 0) {
                int last = size - 1;
                int c = compare(last, src, from, to);
                if (c == 0) {
                    counts[last] += count;
                    return;
                }
                if (c > 0 && sorted) {
                    sorted = false;
                    index();
                }
            }
            if (!sorted) {
                int mask = table.length - 1;
                int slot = mix(h) & mask;
                for (int id; (id = table[slot]) != 0; slot = (slot + 1) & mask) {
                    id--;
                    if (hashes[id] == h && compare(id, src, from, to) == 0) {
                        counts[id] += count;
                        return;
                    }
                }
                append(src, from, to, count);
                if (hashes.length < pos.length) {
                    hashes = Arrays.copyOf(hashes, pos.length);
                }
                hashes[size - 1] = h;
                table[slot] = size;
                if (size * 2 > table.length) {
                    rehash(table.length * 2);
                }
                return;
            }
            append(src, from, to, count);
        }

        /** Appends a stack that is not there yet. */
        void append(byte[] src, int from, int to, long count) {
            int n = to - from;
            if (block == null || blockPos + n > block.length) {
                if (nBlocks == blocks.length) {
                    blocks = Arrays.copyOf(blocks, nBlocks * 2);
                }
                block = new byte[Math.max(BLOCK, n)];
                blocks[nBlocks++] = block;
                blockPos = 0;
            }
            System.arraycopy(src, from, block, blockPos, n);
            if (size == pos.length) {
                int cap = size + (size >> 1);
                pos = Arrays.copyOf(pos, cap);
                len = Arrays.copyOf(len, cap);
                counts = Arrays.copyOf(counts, cap);
            }
            pos[size] = ((long) (nBlocks - 1) << 32) | blockPos;
            len[size] = n;
            counts[size] = count;
            size++;
            blockPos += n;
        }

        private int compare(int i, byte[] b, int from, int to) {
            byte[] a = blocks[(int) (pos[i] >>> 32)];
            int af = (int) pos[i];
            return Arrays.compareUnsigned(a, af, af + len[i], b, from, to);
        }

        private void index() {
            hashes = new int[pos.length];
            for (int i = 0; i < size; i++) {
                byte[] a = blocks[(int) (pos[i] >>> 32)];
                int af = (int) pos[i];
                hashes[i] = hash(a, af, af + len[i]);
            }
            rehash(Math.max(1024, Integer.highestOneBit(Math.max(1, size)) * 4));
        }

        private void rehash(int capacity) {
            table = new int[capacity];
            int mask = capacity - 1;
            for (int i = 0; i < size; i++) {
                int slot = mix(hashes[i]) & mask;
                while (table[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                table[slot] = i + 1;
            }
        }

        private static int hash(byte[] b, int from, int to) {
            int h = 1;
            for (int i = from; i < to; i++) {
                h = 31 * h + b[i];
            }
            return h;
        }

        private static int mix(int h) {
            return (h * 0x9E3779B9) ^ (h >>> 16);
        }

        void clear() {
            blocks = new byte[0][];
            block = null;
            pos = new long[0];
            len = new int[0];
            counts = new long[0];
            table = null;
            hashes = null;
            size = 0;
        }

        RawStacks build() {
            if (size == 0) {
                return EMPTY;
            }
            table = null;
            hashes = null;
            if (!sorted) {
                ByteOrderSort sorter = new ByteOrderSort(blocks, pos, len, size);
                int[] order = sorter.sort();
                long[] c = new long[size];
                for (int i = 0; i < size; i++) {
                    c[i] = counts[order[i]];
                }
                // the sorter moved where-and-length along with the indexes: they are in order already
                pos = sorter.pos();
                len = sorter.len();
                counts = c;
            }
            return new RawStacks(Arrays.copyOf(blocks, nBlocks), pos, len, counts, size);
        }
    }
}
