package io.github.stackfold.flamegraph.io;

import io.github.stackfold.flamegraph.BadInputException;

import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Opens profile inputs: a file, or standard input for {@code -}, decompressed by content (the first
 * bytes), never by file name: gzip ({@code 1f 8b}), xz ({@code fd 37 7a 58 5a 00}), bzip2
 * ({@code BZh1}..{@code BZh9}) and zstd ({@code 28 b5 2f fd}); concatenated members/streams are read through. Anything
 * else is passed through unchanged.
 */
public final class Inputs {
    /** The name used for standard input in messages. */
    public static final String STDIN_NAME = "<stdin>";

    private static final int BUFFER = 1 << 16;

    private Inputs() {
    }

    /** Whether {@code path} means standard input ({@code -}). */
    public static boolean isStdin(Path path) {
        return path.toString().equals("-");
    }

    /** A name for messages: the path as given, or {@value #STDIN_NAME}. */
    public static String sourceName(Path path) {
        return isStdin(path) ? STDIN_NAME : path.toString();
    }

    /** Opens {@code path} ({@code -}: this process's standard input, which close() leaves open), decompressed. */
    public static InputStream open(Path path) throws IOException {
        return open(path, System.in);
    }

    /** Opens {@code path} decompressed; {@code -} reads {@code stdin}, which close() leaves open. */
    public static InputStream open(Path path, InputStream stdin) throws IOException {
        if (isStdin(path)) {
            return decompress(new FilterInputStream(stdin) {
                @Override
                public void close() {
                    // standard input belongs to the caller
                }
            }, STDIN_NAME);
        }
        InputStream in = openFile(path);
        try {
            return decompress(in, path.toString());
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * A file's bytes as they are, unbuffered. A {@link FileInputStream} where the path is on the
     * default file system: its {@code read(byte[])} copies a file in the page cache at about twice the
     * speed of {@link Files#newInputStream}'s channel (a 194 MB file: 152 against 283 ms in a fresh
     * JVM, start included; the channel goes through a temporary direct buffer and a ByteBuffer copy).
     * Failures are the NIO exceptions ({@code NoSuchFileException}, {@code AccessDeniedException}, a
     * directory's "Is a directory"), which name the reason where FileInputStream says "not found".
     */
    public static InputStream openFile(Path path) throws IOException {
        if (path.getFileSystem() != FileSystems.getDefault()) {
            return Files.newInputStream(path);
        }
        try {
            return new FileInputStream(path.toFile());
        } catch (FileNotFoundException e) {
            if (Files.isDirectory(path)) {
                throw new IOException("Is a directory"); // as reading one through NIO says
            }
            Files.newInputStream(path).close(); // throws the exception that names the reason
            throw e;
        }
    }

    /** {@code in} decompressed if its first bytes are a known compression magic, else as it is (buffered). */
    public static InputStream decompress(InputStream in) throws IOException {
        return decompress(in, null);
    }

    /**
     * As {@link #decompress(InputStream)}; with a {@code source} name, compressed data that ends early or
     * is corrupt fails with a {@link BadInputException} naming it, e.g. {@code trace.gz: gzip data is
     * truncated or corrupt (Unexpected end of ZLIB input stream)}, instead of the decompressor's bare
     * IOException (xz's has no message at all). A failure to read the bytes themselves stays as it is.
     */
    public static InputStream decompress(InputStream in, String source) throws IOException {
        BufferedInputStream b = in instanceof BufferedInputStream ? (BufferedInputStream) in
                : new BufferedInputStream(in, BUFFER);
        byte[] head = new byte[6];
        b.mark(head.length);
        int n = b.readNBytes(head, 0, head.length);
        b.reset();
        String format;
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            format = "gzip";
        } else if (n >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X' && head[4] == 'Z'
                && head[5] == 0) {
            format = "xz";
        } else if (n >= 4 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h' && head[3] >= '1' && head[3] <= '9') {
            format = "bzip2";
        } else if (n >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
                && (head[3] & 0xff) == 0xfd) {
            format = "zstd";
        } else {
            return b;
        }
        Raw raw = source == null ? null : new Raw(b);
        InputStream c = raw == null ? b : raw;
        InputStream d;
        try {
            d = switch (format) {
                case "gzip" -> new GZIPInputStream(c, BUFFER);
                case "xz" -> new XZCompressorInputStream(c, true);
                case "bzip2" -> new BZip2CompressorInputStream(c, true); // reads the first block already
                default -> new ZstdCompressorInputStream(c);
            };
        } catch (IOException e) {
            if (raw == null || raw.failed) {
                throw e;
            }
            throw Checked.bad(e, source, format);
        }
        return new BufferedInputStream(raw == null ? d : new Checked(d, raw, source, format), BUFFER);
    }

    /** The compressed bytes, remembering whether reading them failed (then it is no decompressor's doing). */
    private static final class Raw extends FilterInputStream {
        boolean failed;

        Raw(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }
    }

    /** A decompressor whose own failures (truncated or corrupt data) become one-line bad input. */
    private static final class Checked extends FilterInputStream {
        private final Raw raw;
        private final String source;
        private final String format;

        Checked(InputStream in, Raw raw, String source, String format) {
            super(in);
            this.raw = raw;
            this.source = source;
            this.format = format;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw named(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw named(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return in.skip(n);
            } catch (IOException e) {
                throw named(e);
            }
        }

        private IOException named(IOException e) {
            if (raw.failed) {
                return e;
            }
            throw bad(e, source, format);
        }

        static BadInputException bad(IOException e, String source, String format) {
            BadInputException bad = new BadInputException(source, format + " data is truncated or corrupt"
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
            bad.initCause(e);
            return bad;
        }
    }
}
