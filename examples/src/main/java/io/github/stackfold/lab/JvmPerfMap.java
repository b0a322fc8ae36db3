package io.github.stackfold.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * perf's JIT symbol file for a HotSpot JVM, {@code /tmp/perf-PID.map}, written by
 * {@code jcmd PID Compiler.perfmap} (JDK 17+) between {@code perf record} and {@code perf script},
 * its names tidied from {@code RET pkg.Class.method(ARGS)} to {@code pkg.Class.method(ARGS)} (the
 * return type in front would hide the class from the analysis' name prefixes). A map that already
 * exists (from perf-map-agent, or the JVM's own {@code -XX:+DumpPerfMapAtExit}) is left alone, and
 * only a map written here is removed by {@link #remove}.
 */
final class JvmPerfMap {
    private final long pid;
    private final Path jcmd;
    private boolean written;

    private JvmPerfMap(long pid, Path jcmd) {
        this.pid = pid;
        this.jcmd = jcmd;
    }

    /** For process {@code pid} whose JDK is in {@code javaHome}. */
    static JvmPerfMap forJdk(long pid, Path javaHome) {
        return new JvmPerfMap(pid, javaHome.resolve("bin/jcmd"));
    }

    /**
     * For a process whose executable is {@code exe}, when it is a JVM launcher ({@code .../bin/java}
     * with a {@code jcmd} beside it); otherwise null.
     */
    static JvmPerfMap ifJvm(long pid, String exe) {
        if (exe == null || !exe.endsWith("/bin/java")) {
            return null;
        }
        Path jcmd = Path.of(exe).resolveSibling("jcmd");
        return Files.isExecutable(jcmd) ? new JvmPerfMap(pid, jcmd) : null;
    }

    Path file() {
        return Path.of("/tmp/perf-" + pid + ".map");
    }

    /** Writes the map; returns a warning for the user, or null. */
    String write() {
        if (Files.exists(file())) {
            return null; // someone else's map: perf uses it as it is
        }
        if (!Files.isExecutable(jcmd)) {
            return "no " + jcmd + " (a JRE without the JDK tools): Java frames stay unnamed";
        }
        try {
            int code = Children.run(List.of(jcmd.toString(), Long.toString(pid), "Compiler.perfmap"), 60_000);
            if (code != 0 || !Files.exists(file())) {
                return "jcmd " + pid + " Compiler.perfmap failed (exit " + code + "): Java frames stay unnamed";
            }
            written = true;
            tidy(file());
            return null;
        } catch (IOException e) {
            return "could not write the perf map with jcmd: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while writing the perf map";
        }
    }

    /** Removes the map if it was written here. */
    void remove() {
        if (written) {
            try {
                Files.deleteIfExists(file());
            } catch (IOException ignored) {
                // /tmp is cleaned by the system
            }
        }
    }

    /** Tidies a HotSpot perf map's names in place. */
    static void tidy(Path map) throws IOException {
        List<String> lines = Files.readAllLines(map, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            out.add(tidyLine(line));
        }
        Path tmp = map.resolveSibling(map.getFileName() + ".tmp");
        Files.write(tmp, out, StandardCharsets.ISO_8859_1);
        Files.move(tmp, map, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** {@code START SIZE RET pkg.Class.method(ARGS)} to {@code START SIZE pkg.Class.method(ARGS)}; stubs unchanged. */
    static String tidyLine(String line) {
        int s1 = line.indexOf(' ');
        int s2 = s1 < 0 ? -1 : line.indexOf(' ', s1 + 1);
        if (s2 < 0) {
            return line;
        }
        String name = line.substring(s2 + 1);
        int paren = name.indexOf('(');
        int space = paren < 0 ? -1 : name.lastIndexOf(' ', paren);
        if (space <= 0 || space == paren - 1) {
            return line;
        }
        return line.substring(0, s2 + 1) + name.substring(space + 1);
    }

    /** {@code JvmPerfMap --tidy FILE}: tidies a perf map in place (used by scripts/record-demo-recording.sh). */
    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !args[0].equals("--tidy")) {
            System.err.println("usage: JvmPerfMap --tidy /tmp/perf-PID.map");
            System.exit(64);
        }
        tidy(Path.of(args[1]));
    }
}
