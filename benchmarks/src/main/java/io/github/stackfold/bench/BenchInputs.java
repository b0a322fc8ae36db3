package io.github.stackfold.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The real inputs every benchmark runs over, read from the read-only {@code ../shared} folder beside
 * the repository (never copied into it).
 *
 * <p>Where the folder is: the system property {@code stackfold.shared}, else the environment variable
 * {@code STACKFOLD_SHARED}, else {@code shared/} next to the working directory or any of its parents
 * (so {@code ../shared} from the repository root or from {@code benchmarks/}). When it is missing the
 * benchmark fails at {@code @Setup} with a message that says where it looked and how to point at it.
 *
 * <p>{@code -Dstackfold.bench.maxBytes=N} cuts the recording to its first samples (at a sample
 * boundary) of at most N bytes: the smoke test uses it to keep benchmark runs to a second.
 */
public final class BenchInputs {
    /** The real recording: perf record -F 999 -g -a, 20 s, a JVM with a perf map, xz, the kernel. */
    public static final String RECORDING = "bench/real-jvm-xz-kernel.perf.txt.gz";

    private static byte[] recording;

    private BenchInputs() {
    }

    /** The {@code ../shared} folder, or an exception that says how to find it. */
    public static Path sharedDir() {
        List<Path> tried = new ArrayList<>();
        String prop = System.getProperty("stackfold.shared");
        if (prop == null || prop.isEmpty()) {
            prop = System.getenv("STACKFOLD_SHARED");
        }
        if (prop != null && !prop.isEmpty()) {
            Path p = Path.of(prop).toAbsolutePath().normalize();
            if (Files.isRegularFile(p.resolve(RECORDING))) {
                return p;
            }
            tried.add(p);
        } else {
            for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
                Path p = d.resolveSibling("shared").normalize();
                if (Files.isRegularFile(p.resolve(RECORDING))) {
                    return p;
                }
                tried.add(p);
            }
        }
        throw new IllegalStateException("benchmark input " + RECORDING + " not found (looked in " + tried
                + "): run from the repository root with ../shared beside it, or pass -Dstackfold.shared=DIR"
                + " (JMH forks inherit -jvmArgsAppend -Dstackfold.shared=DIR) or set STACKFOLD_SHARED=DIR");
    }

    /** The real {@code perf script} recording, decompressed (39 MB; cut by {@code stackfold.bench.maxBytes}). */
    public static synchronized byte[] perfScript() {
        if (recording == null) {
            Path gz = sharedDir().resolve(RECORDING);
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
                recording = cut(in.readAllBytes(), Long.getLong("stackfold.bench.maxBytes", Long.MAX_VALUE));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + gz, e);
            }
        }
        return recording;
    }

    /** The first samples of {@code text}, at most {@code max} bytes, cut after a blank line. */
    static byte[] cut(byte[] text, long max) {
        if (text.length <= max) {
            return text;
        }
        int end = (int) max;
        while (end > 1 && !(text[end - 1] == '\n' && text[end - 2] == '\n')) {
            end--;
        }
        if (end <= 1) {
            throw new IllegalStateException("stackfold.bench.maxBytes=" + max + " is smaller than one sample");
        }
        return java.util.Arrays.copyOf(text, end);
    }

    /** Bytes as decimal megabytes (10^6), the unit every benchmark here reports. */
    public static double megabytes(long bytes) {
        return bytes / 1e6;
    }
}
