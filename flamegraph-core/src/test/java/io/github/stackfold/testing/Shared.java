package io.github.stackfold.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the read-only {@code ../shared} material beside the repository. A user's clone has none:
 * then tests that need it are skipped, and the reason is printed so the skip is never hidden.
 */
public final class Shared {
    private Shared() {
    }

    /** The shared folder, or a skipped test (with the reason on stderr) when it is absent. */
    public static Path dir() {
        Path dir = locate();
        requireThat(dir != null, "../shared is not beside the repository (set -Dstackfold.shared=DIR)");
        return dir;
    }

    /** A path inside ../shared, or a skipped test when it is absent. */
    public static Path path(String relative) {
        Path p = dir().resolve(relative);
        requireThat(Files.exists(p), p + " does not exist");
        return p;
    }

    /** Skips the calling test, printing why on stderr, unless {@code condition} holds. */
    public static void requireThat(boolean condition, String reasonToSkip) {
        if (!condition) {
            System.err.println("SKIPPED: " + reasonToSkip);
        }
        assumeTrue(condition, reasonToSkip);
    }

    /** The repository's root folder. */
    public static Path repoRoot() {
        String prop = System.getProperty("stackfold.root");
        if (prop != null) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("flamegraph-core"))) {
            p = p.getParent();
        }
        return p == null ? Path.of("").toAbsolutePath() : p;
    }

    private static Path locate() {
        String prop = System.getProperty("stackfold.shared");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        Path guess = repoRoot().resolve("../shared").normalize();
        return Files.isDirectory(guess) ? guess : null;
    }
}
