package io.github.stackfold.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real {@code perf record} / {@code perf script} runs for tests (event cpu-clock, call graphs), and a
 * minimal reader of the frame lines of {@code perf script} output. Every child has a timeout and is
 * killed in {@code finally}.
 */
public final class PerfRuns {
    /** One callchain line of perf script: {@code \t  5e8f4 [unknown] (/path/bin)}. */
    public record Frame(long address, String symbol, String module) {
        public boolean unknown() {
            return symbol.equals("[unknown]");
        }
    }

    private static final Pattern FRAME = Pattern.compile("^\\s+([0-9a-f]+) (.+) \\((.*)\\)$");
    private static Boolean usable;

    private PerfRuns() {
    }

    /** Skips the test (reason printed) unless perf is installed and may record here. */
    public static synchronized void requirePerf() {
        if (usable == null) {
            String why = null;
            try {
                Process p = new ProcessBuilder("perf", "record", "-q", "-e", "cpu-clock", "-o", "/dev/null", "--",
                        "true").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    why = "perf record did not finish";
                } else if (p.exitValue() != 0) {
                    why = "perf record is not permitted here (exit " + p.exitValue() + ")";
                }
            } catch (IOException e) {
                why = "perf is not installed (apt-get install linux-perf)";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                why = "interrupted";
            }
            usable = why == null;
            if (why != null) {
                System.err.println("perf unusable: " + why);
            }
        }
        Shared.requireThat(usable, "perf cannot record here (perf missing or not permitted)");
    }

    /**
     * Runs {@code command} under {@code perf record -e cpu-clock -g} and returns the {@code perf script}
     * text (fields comm,pid,tid,time,ip,sym,dso) written into {@code dir}.
     */
    public static Path record(List<String> command, Path dir, String name) {
        return script(recordData(command, dir, name), dir.resolve(name + ".txt"));
    }

    /** Runs {@code command} under {@code perf record -e cpu-clock -F 999 -g}; returns {@code dir/NAME.data}. */
    public static Path recordData(List<String> command, Path dir, String name) {
        Path data = dir.resolve(name + ".data");
        List<String> cmd = new ArrayList<>(List.of("perf", "record", "-q", "-e", "cpu-clock", "-F", "999", "-g",
                "-o", data.toString(), "--"));
        cmd.addAll(command);
        exec(cmd, dir.resolve(name + ".record.log"), 120);
        return data;
    }

    /** A shell loop of {@code n} steps: a second or so of user CPU per 300,000. */
    public static List<String> busyLoop(int n) {
        return List.of("/bin/sh", "-c", "i=0; while [ $i -lt " + n + " ]; do i=$((i+1)); done");
    }

    /** Records process {@code pid} for {@code seconds} and returns the perf script text. */
    public static Path recordPid(long pid, int seconds, Path dir, String name) {
        Path data = dir.resolve(name + ".data");
        exec(List.of("perf", "record", "-q", "-e", "cpu-clock", "-F", "999", "-g", "-p", Long.toString(pid),
                "-o", data.toString(), "--", "sleep", Integer.toString(seconds)),
                dir.resolve(name + ".record.log"), seconds + 120);
        return script(data, dir.resolve(name + ".txt"));
    }

    private static Path script(Path data, Path out) {
        exec(List.of("perf", "script", "-i", data.toString(), "-F", "comm,pid,tid,time,ip,sym,dso"), out, 300);
        return out;
    }

    /** The callchain frames of a perf script text, in file order. */
    public static List<Frame> frames(Path scriptText) {
        List<Frame> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(scriptText, StandardCharsets.ISO_8859_1)) {
                Matcher m = FRAME.matcher(line);
                if (m.matches()) {
                    out.add(new Frame(Long.parseUnsignedLong(m.group(1), 16), m.group(2), m.group(3)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void exec(List<String> cmd, Path stdout, int timeoutSeconds) {
        Process p = null;
        try {
            Path err = Files.createTempFile("perf-err", ".txt");
            try {
                p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(String.join(" ", cmd) + ": timed out");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": "
                            + Files.readString(err, StandardCharsets.ISO_8859_1).strip());
                }
            } finally {
                Files.deleteIfExists(err);
            }
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
        }
    }
}
