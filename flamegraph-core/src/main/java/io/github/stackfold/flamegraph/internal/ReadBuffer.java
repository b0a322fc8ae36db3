package io.github.stackfold.flamegraph.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A read buffer for line-oriented readers: {@code buf[start, limit)} is read and not yet consumed,
 * {@code base} is the input offset of {@code buf[0]}. Fields are public for the readers' hot loops.
 * Not thread-safe.
 */
public final class ReadBuffer {
    public byte[] buf;
    public int start;
    public int limit;
    public boolean eof;
    public long base;

    public ReadBuffer(byte[] buf, int start, int limit, boolean eof, long base) {
        set(buf, start, limit, eof, base);
    }

    /** Makes this buffer hold {@code buf[start, limit)} at input offset {@code base + start}, as if made anew. */
    public void set(byte[] buf, int start, int limit, boolean eof, long base) {
        this.buf = buf;
        this.start = start;
        this.limit = limit;
        this.eof = eof;
        this.base = base;
    }

    /**
     * Reads more after {@code limit}; when the buffer is full it first drops what was consumed
     * ({@code buf[0, start)}) or, when nothing was, doubles. Sets {@link #eof} at the end of {@code in}.
     */
    public void fill(InputStream in) throws IOException {
        if (limit == buf.length) {
            if (start > 0) {
                int remaining = limit - start;
                System.arraycopy(buf, start, buf, 0, remaining);
                base += start;
                start = 0;
                limit = remaining;
            } else {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }
}
