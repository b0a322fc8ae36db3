package io.github.stackfold.flamegraph.folded;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.NotEnoughMemoryException;
import io.github.stackfold.flamegraph.internal.Bytes;
import io.github.stackfold.flamegraph.internal.TextLines;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Folded stacks with weights: the contract between every stage (collapse, render, diff, analyze),
 * as in FlameGraph, inferno and async-profiler. One line per distinct stack, root frame first, frames
 * joined by {@code ;}, then one space and the weight:
 *
 * <pre>
 * java;start_thread;thread_native_entry;JavaThread::run 42
 * swapper;secondary_startup_64;cpu_startup_entry;do_idle_[k] 7
 * </pre>
 *
 * <p><b>Raw strings.</b> Frame names are bytes from the profiled machine and need not be valid
 * UTF-8. To keep every byte (folded output must be byte-identical to the reference tools), the
 * strings held here are <em>raw</em>: one {@code char} per byte (ISO-8859-1). Use {@link #decode} to
 * show a name to a person and {@link #encode} to turn Java text into a raw string. Sorting raw
 * strings with {@link String#compareTo} is byte order, the order {@code sort} gives in Perl.
 *
 * <p>Instances are immutable and thread-safe; stacks are kept sorted.
 */
public final class FoldedProfile {
    private static final FoldedProfile EMPTY = new FoldedProfile(new String[0], new long[0]);

    static {
        io.github.stackfold.flamegraph.internal.SortedProfiles.register(
                (stacks, counts) -> stacks.length == 0 ? EMPTY : new FoldedProfile(stacks, counts));
    }

    private final String[] stacks;
    private final long[] counts;
    private final long total;
    /** What the weights mean, or null: plain counts. */
    private final ProfileMeta meta;

    private FoldedProfile(String[] sortedStacks, long[] counts) {
        this.stacks = sortedStacks;
        this.counts = counts;
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        this.total = t;
        this.meta = null;
    }

    private FoldedProfile(FoldedProfile p, ProfileMeta meta) {
        this.stacks = p.stacks;
        this.counts = p.counts;
        this.total = p.total;
        this.meta = meta;
    }

    /**
     * What the weights mean (see {@link ProfileMeta}): what the producer said, or plain counts (each
     * count a sample, {@code samples} = {@link #total()}) when it said nothing.
     */
    public ProfileMeta meta() {
        return meta != null ? meta : ProfileMeta.counts(total);
    }

    /** Whether a producer said what the weights mean ({@link #withMeta}). */
    public boolean hasMeta() {
        return meta != null;
    }

    /** The same stacks and weights with this metadata. */
    public FoldedProfile withMeta(ProfileMeta meta) {
        return new FoldedProfile(this, Objects.requireNonNull(meta, "meta"));
    }

    /** A profile with no stacks. */
    public static FoldedProfile empty() {
        return EMPTY;
    }

    /**
     * A profile from raw stacks and weights (weights of equal stacks are added).
     *
     * @throws IllegalArgumentException for a negative weight (it names the stack)
     */
    public static FoldedProfile of(Map<String, Long> weights) {
        Builder b = builder();
        weights.forEach(b::add);
        return b.build();
    }

    /**
     * The profile of {@code stacks[i]} with weight {@code counts[i]}; equal stacks add up. Stacks already
     * in byte order and distinct (a producer that orders them itself) are taken as they are, after one
     * pass that checks it, instead of being hashed and looked up one by one; the arrays must not change after.
     *
     * @throws IllegalArgumentException for arrays of different lengths or a negative weight (it names the stack)
     */
    public static FoldedProfile of(String[] stacks, long[] counts) {
        if (stacks.length != counts.length) {
            throw new IllegalArgumentException(stacks.length + " stacks but " + counts.length + " counts");
        }
        if (stacks.length == 0) {
            return EMPTY;
        }
        for (int i = 0; i < counts.length; i++) {
            checkWeight(stacks[i], counts[i]);
        }
        for (int i = 1; i < stacks.length; i++) {
            if (stacks[i - 1].compareTo(stacks[i]) >= 0) {
                Builder b = builder();
                for (int k = 0; k < stacks.length; k++) {
                    b.add(stacks[k], counts[k]);
                }
                return b.build();
            }
        }
        return new FoldedProfile(stacks, counts);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Weights are counts or periods: a negative one (a caller's subtraction, an overflow) would make shares below 0. */
    private static void checkWeight(String stack, long count) {
        if (count < 0) {
            String shown = decode(stack);
            shown = shown.length() > 200 ? shown.substring(0, 200) + "..." : shown;
            throw new IllegalArgumentException("negative weight " + count + " for stack '" + shown
                    + "': weights of folded stacks are counts or periods, 0 or more");
        }
    }

    /** A builder for producers that hold raw stacks as bytes (see {@link RawBuilder}). */
    public static RawBuilder rawBuilder() {
        return new RawBuilder();
    }

    /** Number of distinct stacks. */
    public int size() {
        return stacks.length;
    }

    public boolean isEmpty() {
        return stacks.length == 0;
    }

    /** The i-th stack in byte order, as a raw string. */
    public String stack(int i) {
        return stacks[i];
    }

    /** The weight of the i-th stack. */
    public long count(int i) {
        return counts[i];
    }

    /** The sum of all weights. */
    public long total() {
        return total;
    }

    /** The weight of one raw stack, 0 when absent. */
    public long count(String stack) {
        int i = Arrays.binarySearch(stacks, stack);
        return i >= 0 ? counts[i] : 0;
    }

    /** Visits every stack in byte order. */
    public void forEach(StackVisitor visitor) {
        for (int i = 0; i < stacks.length; i++) {
            visitor.visit(stacks[i], counts[i]);
        }
    }

    /** An unmodifiable map view, in byte order of the stacks. */
    public Map<String, Long> asMap() {
        Map<String, Long> m = new LinkedHashMap<>(stacks.length * 2);
        for (int i = 0; i < stacks.length; i++) {
            m.put(stacks[i], counts[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * This profile and another merged: equal stacks add up. The metadata is kept, samples and CPU time
     * added ({@link ProfileMeta#merge}), when both count in the same unit; otherwise the merged counts
     * are plain ({@link #meta()} says only their total).
     */
    public FoldedProfile merge(FoldedProfile other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Builder b = builder();
        forEach(b::add);
        other.forEach(b::add);
        FoldedProfile merged = b.build();
        ProfileMeta m = ProfileMeta.merge(meta(), other.meta());
        return m == null || m.plain() ? merged : merged.withMeta(m);
    }


    /**
     * Writes the folded text, one {@code stack weight\n} line per stack in byte order. The stream is
     * flushed, not closed.
     */
    public void write(OutputStream out) throws IOException {
        OutputStream o = out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 16);
        byte[] tail = new byte[22]; // " " + a long's digits + "\n"
        byte[] line = new byte[256];
        for (int i = 0; i < stacks.length; i++) {
            line = Bytes.rawBytes(stacks[i], line);
            o.write(line, 0, stacks[i].length());
            long c = counts[i];
            if (c < 0) {
                o.write((" " + c + "\n").getBytes(StandardCharsets.ISO_8859_1));
                continue;
            }
            int p = tail.length;
            tail[--p] = '\n';
            do {
                tail[--p] = (byte) ('0' + c % 10);
                c /= 10;
            } while (c != 0);
            tail[--p] = ' ';
            o.write(tail, p, tail.length - p);
        }
        o.flush();
    }

    /**
     * Writes the folded text as stackfold's own files hold it: the {@link ProfileMeta} header line,
     * then one line per stack with one count per sample ({@link ProfileMeta#asCounts}). For a profile
     * whose weights cannot be turned into sample counts exactly (perf periods that vary), the weights are
     * written as they are and the header's {@code counts=} says their unit. flamegraph.pl skips the
     * header (it does not end in a number) and draws the lines.
     */
    public void writeWithHeader(OutputStream out) throws IOException {
        FoldedProfile c = ProfileMeta.asCounts(this);
        out.write((c.meta().header() + "\n").getBytes(StandardCharsets.ISO_8859_1));
        c.write(out);
    }

    /** The folded text as a raw string (see {@link #write}). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < stacks.length; i++) {
            sb.append(stacks[i]).append(' ').append(counts[i]).append('\n');
        }
        return sb.toString();
    }

    /**
     * Reads folded text. A line is {@code STACK COUNT} where the count is a non-negative integer after
     * the last space (several spaces or tabs before it are allowed, as flamegraph.pl allows). Blank
     * lines are skipped. A line without a count is not fatal: it is passed to {@code onBadLine} as a
     * {@link BadInputException} naming source and line, and reading goes on. A {@link ProfileMeta}
     * header on the first line ({@code # stackfold: samples=...}) gives the profile its metadata.
     */
    public static FoldedProfile read(InputStream in, String source, Consumer<BadInputException> onBadLine)
            throws IOException {
        Builder b = builder();
        long[] lines = new long[1];
        ProfileMeta[] header = new ProfileMeta[1];
        try {
            read(in, source, onBadLine, b, lines, header);
        } catch (OutOfMemoryError e) {
            int stacks = b.size();
            b.clear();
            throw new NotEnoughMemoryException(source, NotEnoughMemoryException.lines(lines[0], stacks), e);
        }
        FoldedProfile p = b.build();
        return header[0] == null ? p : p.withMeta(header[0]);
    }

    private static void read(InputStream in, String source, Consumer<BadInputException> onBadLine, Builder b,
            long[] lines, ProfileMeta[] header) throws IOException {
        TextLines.forEach(in, (line, lineNo, lineOffset) -> {
            lines[0] = lineNo;
            if (lineNo == 1 && line.startsWith(ProfileMeta.HEADER_PREFIX)) {
                header[0] = ProfileMeta.parseHeader(line.toString());
                return;
            }
            int end = line.length();
            while (end > 0 && Character.isWhitespace(line.charAt(end - 1))) {
                end--;
            }
            int sp = end;
            while (sp > 0 && line.charAt(sp - 1) >= '0' && line.charAt(sp - 1) <= '9') {
                sp--;
            }
            // the stack is everything before the one blank before the count, other blanks included:
            // flamegraph.pl and difffolded.pl split with /^(.*)\s+?(\d+...)$/, so "a;b;  3" is "a;b; "
            int stackEnd = sp - 1;
            if (sp == end || stackEnd < 0 || !isBlank(line.charAt(stackEnd)) || end - sp > 18) {
                onBadLine.accept(new BadInputException(source, lineNo, lineOffset,
                        "expected a folded stack line 'frame;frame;... COUNT' with an integer count"));
                return;
            }
            b.add(line.substring(0, stackEnd), Long.parseLong(line, sp, end, 10));
        });
    }

    /** Perl's {@code \s} in byte semantics: space, tab, line feed, vertical tab, form feed, carriage return. */
    static boolean isBlank(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** Reads folded text, rejecting the first malformed line with a {@link BadInputException}. */
    public static FoldedProfile read(InputStream in, String source) throws IOException {
        return read(in, source, e -> {
            throw e;
        });
    }

    /** The frames of a raw stack, root first. */
    public static List<String> frames(String stack) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < stack.length(); i++) {
            if (stack.charAt(i) == ';') {
                out.add(stack.substring(start, i));
                start = i + 1;
            }
        }
        out.add(stack.substring(start));
        return out;
    }

    /** A raw string (one char per byte) shown as text: its bytes decoded as UTF-8, bad bytes replaced. */
    public static String decode(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) >= 0x80) {
                return new String(raw.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
        }
        return raw;
    }

    /** Java text as a raw string: its UTF-8 bytes, one char each. */
    public static String encode(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return text;
    }

    /** Receives one stack and its weight. */
    @FunctionalInterface
    public interface StackVisitor {
        void visit(String stack, long count);
    }

    /** Accumulates weights per raw stack; not thread-safe. */
    public static final class Builder {
        private final HashMap<String, long[]> weights = new HashMap<>();
        /** Stacks in the order first added, and whether that order is already sorted (folded files usually are). */
        private final ArrayList<String> order = new ArrayList<>();
        private boolean sorted = true;

        private Builder() {
        }

        /** Adds weight to a raw stack; a negative weight is an {@link IllegalArgumentException} naming the stack. */
        public Builder add(String stack, long count) {
            checkWeight(stack, count);
            long[] w = weights.get(stack);
            if (w == null) {
                weights.put(stack, new long[] {count});
                if (sorted && !order.isEmpty() && order.get(order.size() - 1).compareTo(stack) > 0) {
                    sorted = false;
                }
                order.add(stack);
            } else {
                w[0] += count;
            }
            return this;
        }

        /** Adds every stack of a profile. */
        public Builder addAll(FoldedProfile profile) {
            profile.forEach(this::add);
            return this;
        }

        public int size() {
            return weights.size();
        }

        /** Forgets every stack. */
        void clear() {
            weights.clear();
            order.clear();
            order.trimToSize();
            sorted = true;
        }

        public FoldedProfile build() {
            if (weights.isEmpty()) {
                return EMPTY;
            }
            String[] keys = order.toArray(new String[0]);
            if (!sorted) {
                Arrays.sort(keys); // sorting 100k long stacks that share long prefixes is not free: only when needed
            }
            long[] counts = new long[keys.length];
            for (int i = 0; i < keys.length; i++) {
                counts[i] = weights.get(keys[i])[0];
            }
            return new FoldedProfile(keys, counts);
        }
    }

    /**
     * Builds a profile from raw stacks given as bytes, one byte per char of the raw string, in any
     * order; equal stacks add up. For producers that make stacks from bytes (the collapser): byte
     * arrays are sorted by {@link Arrays#compareUnsigned(byte[], byte[])}, which compares eight bytes
     * at a time, and equal ones are found next to each other after the sort, where a {@link Builder}
     * hashes every string and compares strings char by char, re-reading the long prefixes that
     * stacks share (a third of a 194 MB collapse's last 25 ms, with the hashing and the strings' copies).
     * The order is the same: byte order.
     */
    public static final class RawBuilder {
        private byte[][] stacks = new byte[64][];
        private long[] counts = new long[64];
        private int size;

        private RawBuilder() {
        }

        /**
         * Adds weight to a raw stack; the builder keeps {@code stack}, which must not change after. A negative
         * weight is an {@link IllegalArgumentException} naming the stack.
         */
        public RawBuilder add(byte[] stack, long count) {
            if (count < 0) {
                checkWeight(new String(stack, java.nio.charset.StandardCharsets.ISO_8859_1), count);
            }
            if (size == stacks.length) {
                stacks = Arrays.copyOf(stacks, size * 2);
                counts = Arrays.copyOf(counts, size * 2);
            }
            stacks[size] = stack;
            counts[size++] = count;
            return this;
        }

        public FoldedProfile build() {
            if (size == 0) {
                return EMPTY;
            }
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            Arrays.sort(order, new ByBytes(stacks));
            String[] keys = new String[size];
            long[] weights = new long[size];
            int n = 0;
            byte[] last = null;
            for (Integer i : order) {
                byte[] s = stacks[i];
                if (last != null && Arrays.equals(last, s)) {
                    weights[n - 1] += counts[i];
                    continue;
                }
                keys[n] = new String(s, StandardCharsets.ISO_8859_1);
                weights[n++] = counts[i];
                last = s;
            }
            return new FoldedProfile(n == size ? keys : Arrays.copyOf(keys, n), n == size ? weights : Arrays.copyOf(weights, n));
        }

        /** Indices ordered by their stacks' bytes, unsigned (a class, not a lambda spun at start). */
        private static final class ByBytes implements java.util.Comparator<Integer> {
            private final byte[][] stacks;

            ByBytes(byte[][] stacks) {
                this.stacks = stacks;
            }

            @Override
            public int compare(Integer a, Integer b) {
                return Arrays.compareUnsigned(stacks[a], stacks[b]);
            }
        }
    }
}
