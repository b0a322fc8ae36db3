package io.github.stackfold.flamegraph.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Byte scanning shared by the parser and the folder. */
public final class Bytes {
    /** Eight bytes of a byte array as one little-endian long: {@code (long) LONGS.get(b, i)}. */
    public static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private Bytes() {
    }

    /** The first '\n' in b[from, to), eight bytes per step; -1 if none. */
    public static int indexOfNewline(byte[] b, int from, int to) {
        return indexOf(b, from, to, (byte) '\n');
    }

    /**
     * A raw string's bytes (one char per byte, chars up to 0xFF, as folded stacks are kept) copied into
     * {@code buf}, or into a larger buffer when it is too short; returns the buffer holding them. Unlike
     * {@code getBytes(ISO_8859_1)}, nothing is allocated per call once the buffer is large enough.
     */
    @SuppressWarnings("deprecation") // exactly this copy: each char's low byte, into a given array
    public static byte[] rawBytes(String s, byte[] buf) {
        int n = s.length();
        byte[] b = buf.length >= n ? buf : new byte[Math.max(n, buf.length * 2)];
        s.getBytes(0, n, b, 0);
        return b;
    }

    /** The first byte {@code c} in b[from, to), eight bytes per step; -1 if none. */
    public static int indexOf(byte[] b, int from, int to, byte c) {
        long pattern = (c & 0xffL) * ONES;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(b, i) ^ pattern;
            long t = (x - ONES) & ~x & HIGHS; // the lowest set bit marks the first zero byte
            if (t != 0) {
                return i + (Long.numberOfTrailingZeros(t) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether {@code c} is blank as Perl's {@code \s} is: space, tab, newline, vertical tab, form feed
     * or carriage return (small enough for C1 to inline).
     */
    public static boolean isBlank(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /**
     * Whether b[0, length) holds a control byte that text does not: below tab, or 0x0e-0x1f but ESC.
     * Tells binary input (pprof, perf.data, ELF) from text.
     */
    public static boolean hasBinaryByte(byte[] b, int length) {
        for (int i = 0; i < length; i++) {
            int c = b[i] & 0xff;
            if (c < 0x09 || (c > 0x0d && c < 0x20 && c != 0x1b)) {
                return true;
            }
        }
        return false;
    }

    /** One past the last '\n' in b[from, to), or {@code from} if there is none. */
    public static int afterLastNewline(byte[] b, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (b[i] == '\n') {
                return i + 1;
            }
        }
        return from;
    }
}
