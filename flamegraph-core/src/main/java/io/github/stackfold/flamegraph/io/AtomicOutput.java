package io.github.stackfold.flamegraph.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes a result file so that it is either complete or absent: the bytes go to a temporary file
 * beside it ({@code .NAME.XXXX.tmp}) which is renamed onto the name only once written and closed.
 * A full disk or any other failure then leaves no truncated {@code flame.svg} or {@code report.json}
 * looking complete (an older file of that name stays as it was), and the exception names the file
 * that was meant, never the temporary one:
 *
 * <pre>
 * cannot write /out/flame.svg: No space left on device (nothing was written there)
 * </pre>
 *
 * <p>What is not a regular file ({@code /dev/null}, a named pipe) is written through, never replaced.
 */
public final class AtomicOutput {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Writes the bytes of one result. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicOutput() {
    }

    /** Writes {@code target} with {@code w} (buffered; see the class comment). */
    public static void write(Path target, Writer w) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 16)) {
                w.write(out);
            } catch (IOException e) {
                throw failed(target, e);
            }
            return;
        }
        Path abs = target.toAbsolutePath();
        Path tmp = null;
        OutputStream raw = null;
        try {
            // made as a plain write makes a file (its mode from the umask, not createTempFile's 0600)
            for (int tries = 0; raw == null; tries++) {
                tmp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
                try {
                    raw = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    if (tries == 100) {
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            throw failed(target, e);
        }
        try {
            keepMode(abs, tmp);
            try (OutputStream out = new BufferedOutputStream(raw, 1 << 16)) {
                w.write(out);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw failed(target, e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** An existing file's permissions onto its replacement, as a write over it would keep them; where the file system has none, nothing. */
    private static void keepMode(Path target, Path tmp) {
        try {
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // the new file keeps the mode it was made with
        }
    }

    /** Writes {@code text}'s bytes to {@code target} (see {@link #write(Path, Writer)}). */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /**
     * Proves that a file can be made in {@code dir}, or in the nearest directory above it that exists
     * when it does not yet (one is created and deleted there), so that a command that records or fetches for minutes refuses at once an output
     * directory it could not write its results to. The exception names {@code dir} as given:
     *
     * <pre>
     * cannot write to the output directory /ro/results: Read-only file system
     * </pre>
     */
    public static void requireWritableDirectory(Path dir) throws IOException {
        try {
            // the directory, or where it would be made: nothing is left behind by the check
            Path d = dir.toAbsolutePath();
            while (!Files.isDirectory(d) && d.getParent() != null) {
                if (Files.exists(d)) {
                    throw new java.nio.file.FileAlreadyExistsException(d.toString());
                }
                d = d.getParent();
            }
            Path probe = Files.createTempFile(d, ".flame-probe", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new IOException("cannot write to the output directory " + dir + ": " + reason(e), e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "a file of that name is in the way";
        }
        return String.valueOf(e.getMessage());
    }

    /** The failure, said of the file meant. */
    private static IOException failed(Path target, IOException e) {
        String why = e.getMessage();
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            why = fse.getReason();
        } else if (e instanceof java.nio.file.AccessDeniedException) {
            why = "permission denied";
        } else if (e instanceof java.nio.file.NoSuchFileException) {
            why = "no such directory";
        }
        return new IOException("cannot write " + target + ": " + why + " (nothing was written there)", e);
    }
}
