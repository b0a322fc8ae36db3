package io.github.stackfold.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the test Go program ({@code src/test/resources/gosym/burn}, standard library only) with each
 * Go toolchain on the machine: Debian's {@code go} on the PATH and any {@code /usr/lib/go-1.NN/bin/go}
 * (Debian's versioned packages, e.g. golang-1.23-go from bookworm-backports). Builds run offline with
 * GOCACHE and GOPATH in one temporary folder per JVM (deleted at exit) and are made once per JVM.
 */
public final class GoPrograms {
    /** One Go toolchain: its {@code go} command and {@code go env GOVERSION}, e.g. go1.19.8. */
    public record Toolchain(Path go, String version) {
        /** The minor version, e.g. 19 for go1.19.8. */
        public int minor() {
            String[] parts = version.substring(2).split("[.a-z]");
            return Integer.parseInt(parts[1]);
        }

        @Override
        public String toString() {
            return version;
        }
    }

    /** How the program is linked. */
    public enum Variant {
        PLAIN(List.of()),
        STRIPPED(List.of("-ldflags=-s -w")),
        PIE(List.of("-buildmode=pie")),
        PIE_STRIPPED(List.of("-buildmode=pie", "-ldflags=-s -w"));

        final List<String> flags;

        Variant(List<String> flags) {
            this.flags = flags;
        }
    }

    private static final Map<String, Path> BUILT = new HashMap<>();
    private static List<Toolchain> toolchains;
    private static Path work;

    private GoPrograms() {
    }

    /** Every Go toolchain found, oldest first (empty when none). */
    public static synchronized List<Toolchain> toolchains() {
        if (toolchains == null) {
            Map<String, Toolchain> found = new LinkedHashMap<>();
            List<Path> candidates = new ArrayList<>();
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                candidates.add(Path.of(dir, "go"));
            }
            try (Stream<Path> s = Files.list(Path.of("/usr/lib"))) {
                s.filter(p -> p.getFileName().toString().matches("go-1\\.\\d+")).sorted()
                        .forEach(p -> candidates.add(p.resolve("bin/go")));
            } catch (IOException e) {
                // no /usr/lib: only PATH
            }
            for (Path go : candidates) {
                if (Files.isExecutable(go)) {
                    try {
                        String v = run(List.of(go.toString(), "env", "GOVERSION"), null, 60).trim();
                        if (v.startsWith("go1.")) {
                            found.putIfAbsent(v, new Toolchain(go, v));
                        }
                    } catch (RuntimeException e) {
                        System.err.println("ignoring " + go + ": " + e.getMessage());
                    }
                }
            }
            List<Toolchain> list = new ArrayList<>(found.values());
            list.sort(Comparator.comparingInt(Toolchain::minor));
            toolchains = List.copyOf(list);
        }
        return toolchains;
    }

    /** The toolchains, or a skipped test (reason printed) when there is none. */
    public static List<Toolchain> requireToolchains() {
        List<Toolchain> t = toolchains();
        Shared.requireThat(!t.isEmpty(), "no Go toolchain (apt-get install golang-go)");
        return t;
    }

    /** The oldest toolchain (Debian's default golang-go on bookworm), or a skipped test. */
    public static Toolchain requireDefault() {
        return requireToolchains().get(0);
    }

    /** The newest toolchain. */
    public static Toolchain newest() {
        List<Toolchain> t = requireToolchains();
        return t.get(t.size() - 1);
    }

    /** The test program built with {@code tc} as {@code variant}, built on first use. */
    public static synchronized Path build(Toolchain tc, Variant variant) {
        String key = tc.version() + "/" + variant;
        Path done = BUILT.get(key);
        if (done != null) {
            return done;
        }
        Path root = work();
        Path src = root.resolve("src-" + tc.version());
        try {
            if (!Files.isDirectory(src)) {
                Files.createDirectories(src);
                for (String f : List.of("go.mod", "main.go")) {
                    try (InputStream in = GoPrograms.class.getResourceAsStream("/gosym/burn/" + f)) {
                        Files.copy(in, src.resolve(f));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path out = root.resolve("burn-" + tc.version() + "-" + variant.name().toLowerCase());
        List<String> cmd = new ArrayList<>(List.of(tc.go().toString(), "build", "-o", out.toString()));
        cmd.addAll(variant.flags);
        cmd.add(".");
        long t0 = System.nanoTime();
        runIn(src, cmd, 600);
        System.err.printf("built %s in %.1f s%n", out.getFileName(), (System.nanoTime() - t0) / 1e9);
        BUILT.put(key, out);
        return out;
    }

    /** Runs {@code go tool NAME args...} of the toolchain and returns its standard output. */
    public static String goTool(Toolchain tc, String... args) {
        List<String> cmd = new ArrayList<>(List.of(tc.go().toString(), "tool"));
        cmd.addAll(List.of(args));
        return runIn(work(), cmd, 300);
    }

    /** Runs a command (stdin from {@code input} when not null) and returns its stdout; fails on a non-zero exit. */
    public static String run(List<String> cmd, Path input, int timeoutSeconds) {
        return exec(null, cmd, input, timeoutSeconds);
    }

    private static String runIn(Path dir, List<String> cmd, int timeoutSeconds) {
        return exec(dir, cmd, null, timeoutSeconds);
    }

    private static String exec(Path dir, List<String> cmd, Path input, int timeoutSeconds) {
        Path out = null;
        Path err = null;
        Process p = null;
        try {
            out = Files.createTempFile("gosym-out", ".txt");
            err = Files.createTempFile("gosym-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.redirectInput(input != null ? ProcessBuilder.Redirect.from(input.toFile())
                    : ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Path root = work();
            Map<String, String> env = pb.environment();
            env.put("GOCACHE", root.resolve("gocache").toString());
            env.put("GOPATH", root.resolve("gopath").toString());
            env.put("GOFLAGS", "-mod=mod");
            env.put("GOTOOLCHAIN", "local");
            env.put("GOPROXY", "off");
            env.put("CGO_ENABLED", "0");
            env.put("GO111MODULE", "on");
            p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException(String.join(" ", cmd) + ": timed out after " + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": "
                        + Files.readString(err, StandardCharsets.ISO_8859_1).strip());
            }
            return Files.readString(out, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static synchronized Path work() {
        if (work == null) {
            try {
                work = Files.createTempDirectory("stackfold-gosym");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path w = work;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(w)));
        }
        return work;
    }

    /** Deletes a folder and everything below it (the Go module cache is read-only: made writable first). */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                p.toFile().setWritable(true);
                deleteQuietly(p);
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: a temp folder
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
