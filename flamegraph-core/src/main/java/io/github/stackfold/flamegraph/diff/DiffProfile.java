package io.github.stackfold.flamegraph.diff;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.internal.TextLines;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;

/**
 * A differential profile: every stack of two profiles with its count in each (0 where absent), the
 * format of FlameGraph's difffolded.pl and the input of a differential flame graph. One line per
 * stack, sorted by stack (difffolded.pl prints them in hash order):
 *
 * <pre>
 * main;parse;read 30 42        30 before, 42 after
 * main;parse;lex 0 7           new
 * main;old_path 12 0           gone
 * </pre>
 *
 * <p>Stacks are raw strings (one char per byte, see {@link FoldedProfile}). Immutable.
 */
public final class DiffProfile {
    private final String[] stacks;
    private final long[] before;
    private final long[] after;

    /**
     * The stacks of {@code counts} (per stack: its before and after count) in byte order, each before count
     * mapped by {@code scale}.
     */
    private DiffProfile(Map<String, long[]> counts, LongUnaryOperator scale) {
        stacks = counts.keySet().toArray(new String[0]);
        Arrays.sort(stacks);
        before = new long[stacks.length];
        after = new long[stacks.length];
        for (int i = 0; i < stacks.length; i++) {
            long[] c = counts.get(stacks[i]);
            before[i] = scale.applyAsLong(c[0]);
            after[i] = c[1];
        }
    }

    /**
     * Compares two profiles as {@code difffolded.pl [-n] [-s] BEFORE AFTER} does. With
     * {@link DiffOptions#normalize()} each first count becomes {@code int(count * total2 / total1)}.
     * With {@link DiffOptions#stripHex()} every {@code 0x} followed by hex digits becomes {@code 0x...}
     * (before the stacks are matched, so their counts add up).
     */
    public static DiffProfile of(FoldedProfile first, FoldedProfile second, DiffOptions options) {
        Map<String, long[]> m = new HashMap<>(Math.max(16, (first.size() + second.size()) * 2));
        first.forEach((s, c) -> m.computeIfAbsent(options.stripHex() ? stripHex(s) : s, k -> new long[2])[0] += c);
        second.forEach((s, c) -> m.computeIfAbsent(options.stripHex() ? stripHex(s) : s, k -> new long[2])[1] += c);
        long total1 = first.total();
        long total2 = second.total();
        boolean normalize = options.normalize() && total1 != total2;
        return new DiffProfile(m, normalize ? c -> scale(c, total2, total1) : LongUnaryOperator.identity());
    }

    /** int(c * t2 / t1) with Perl's arithmetic: exact when the integers allow, else in doubles. */
    static long scale(long c, long t2, long t1) {
        if (t1 == 0) {
            return c; // Perl would die dividing by zero; an empty first profile has no counts to scale
        }
        long hi = Math.multiplyHigh(c, t2);
        long p = c * t2;
        if ((hi == 0 && p >= 0) || (hi == -1 && p < 0)) {
            if (p % t1 == 0) {
                return p / t1;
            }
            return (long) ((double) p / (double) t1);
        }
        return (long) ((double) c * (double) t2 / (double) t1);
    }

    /** difffolded.pl's -s: {@code 0x} followed by hex digits becomes {@code 0x...}. */
    public static String stripHex(String stack) {
        int i = stack.indexOf("0x");
        if (i < 0) {
            return stack;
        }
        StringBuilder sb = new StringBuilder(stack.length());
        int from = 0;
        while (i >= 0) {
            int j = i + 2;
            while (j < stack.length() && isHex(stack.charAt(j))) {
                j++;
            }
            if (j == i + 2) {
                sb.append(stack, from, i + 2);
                from = i + 2;
            } else {
                sb.append(stack, from, i).append("0x...");
                from = j;
            }
            i = stack.indexOf("0x", from);
        }
        sb.append(stack, from, stack.length());
        return sb.toString();
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    public int size() {
        return stacks.length;
    }

    /** The i-th stack, raw, in byte order. */
    public String stack(int i) {
        return stacks[i];
    }

    /** The i-th count of the first (before) profile, normalised when asked. */
    public long before(int i) {
        return before[i];
    }

    /** The i-th count of the second (after) profile. */
    public long after(int i) {
        return after[i];
    }

    public long beforeTotal() {
        return Arrays.stream(before).sum();
    }

    public long afterTotal() {
        return Arrays.stream(after).sum();
    }

    /** Writes {@code stack before after} lines in byte order. The stream is flushed, not closed. */
    public void write(OutputStream out) throws IOException {
        StringBuilder sb = new StringBuilder(1 << 16);
        for (int i = 0; i < stacks.length; i++) {
            sb.append(stacks[i]).append(' ').append(before[i]).append(' ').append(after[i]).append('\n');
            if (sb.length() > (1 << 15)) {
                out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
                sb.setLength(0);
            }
        }
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /**
     * Reads {@code STACK BEFORE AFTER} lines (two non-negative integers, each after one blank; other
     * blanks before them belong to the stack, as flamegraph.pl reads it). Equal stacks add up. Blank lines are skipped; any other line without two counts is
     * passed to {@code onBadLine} (which may throw it) and skipped.
     */
    public static DiffProfile read(InputStream in, String source, Consumer<BadInputException> onBadLine)
            throws IOException {
        Map<String, long[]> m = new HashMap<>();
        TextLines.forEach(in, (line, lineNo, lineOffset) -> {
            int end = line.length();
            while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t' || line.charAt(end - 1) == '\r')) {
                end--;
            }
            // each count follows one blank, and the stack keeps any other blanks before it, as
            // flamegraph.pl and difffolded.pl split (/^(.*)\s+?(\d+...)$/): "a;b;  3 0" is "a;b; "
            int s2 = digitsStart(line, end);
            int e1 = s2 - 1;
            int s1 = e1 > 0 && isBlank(line.charAt(e1)) ? digitsStart(line, e1) : e1;
            int stackEnd = s1 - 1;
            if (s2 == end || e1 < 0 || !isBlank(line.charAt(e1)) || s1 == e1 || stackEnd < 0
                    || !isBlank(line.charAt(stackEnd)) || end - s2 > 18 || e1 - s1 > 18) {
                onBadLine.accept(new BadInputException(source, lineNo, lineOffset,
                        "expected a differential folded line 'frame;frame;... BEFORE AFTER' with two integer counts"));
                return;
            }
            long[] c = m.computeIfAbsent(line.substring(0, stackEnd), k -> new long[2]);
            c[0] += Long.parseLong(line, s1, e1, 10);
            c[1] += Long.parseLong(line, s2, end, 10);
        });
        return new DiffProfile(m, LongUnaryOperator.identity());
    }

    /** Reads a differential profile, rejecting the first malformed line. */
    public static DiffProfile read(InputStream in, String source) throws IOException {
        return read(in, source, e -> {
            throw e;
        });
    }

    /** Perl's {@code \s} in byte semantics. */
    private static boolean isBlank(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static int digitsStart(String line, int end) {
        int s = end;
        while (s > 0 && line.charAt(s - 1) >= '0' && line.charAt(s - 1) <= '9') {
            s--;
        }
        return s;
    }

    /** The text of {@link #write}, as a raw string. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < stacks.length; i++) {
            sb.append(stacks[i]).append(' ').append(before[i]).append(' ').append(after[i]).append('\n');
        }
        return sb.toString();
    }
}
