package io.github.stackfold.flamegraph.parse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A read-only window on bytes owned by someone else, such as a field of the line a
 * {@link PerfScriptParser} is on. It is valid until that owner moves on (for the parser: until the
 * next call to {@link PerfScriptParser#next()}); copy it ({@link #toString()}, {@link #toByteArray()})
 * to keep it.
 *
 * <p>As a {@link CharSequence} every byte is one {@code char} (ISO-8859-1), the "raw string"
 * convention of {@link io.github.stackfold.flamegraph.folded.FoldedProfile}, so invalid UTF-8 survives
 * byte for byte.
 */
public final class ByteView implements CharSequence {
    private byte[] array = new byte[0];
    private int offset;
    private int length;

    /** An empty view, to be pointed somewhere with {@link #set}. */
    public ByteView() {
    }

    /** Points this view at {@code array[offset, offset + length)}; returns this view. */
    public ByteView set(byte[] array, int offset, int length) {
        this.array = array;
        this.offset = offset;
        this.length = length;
        return this;
    }

    void clear() {
        this.length = 0;
    }

    /** The backing array (not a copy: do not modify it). */
    public byte[] array() {
        return array;
    }

    /** The index of the first byte in {@link #array()}. */
    public int offset() {
        return offset;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public boolean isEmpty() {
        return length == 0;
    }

    /** The i-th byte (0-based). */
    public byte byteAt(int i) {
        return array[offset + i];
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return (char) (array[offset + index] & 0xff);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        if (start < 0 || end > length || start > end) {
            throw new IndexOutOfBoundsException();
        }
        return new ByteView().set(array, offset + start, end - start);
    }

    /** Whether the bytes equal {@code other}'s bytes. */
    public boolean contentEquals(byte[] other) {
        return other.length == length && Arrays.equals(array, offset, offset + length, other, 0, length);
    }

    /** Whether the bytes equal the ASCII / raw string {@code s}. */
    public boolean contentEquals(String s) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if ((array[offset + i] & 0xff) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOfRange(array, offset, offset + length);
    }

    /** The bytes as a raw string (one char per byte, ISO-8859-1). */
    @Override
    public String toString() {
        return new String(array, offset, length, StandardCharsets.ISO_8859_1);
    }
}
