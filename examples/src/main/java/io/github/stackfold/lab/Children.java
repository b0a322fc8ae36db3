package io.github.stackfold.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The child processes the lab's commands start (demo server, etcd, kubectl load loops, jcmd): each is
 * registered here and ended, with its descendants, by {@link #end} in a {@code finally} or, if the
 * JVM is going down first, by a shutdown hook. Nothing started here outlives the command.
 */
final class Children {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process p : LIVE) {
                end(p, 500);
            }
        }, "stackfold-lab-reaper"));
    }

    private Children() {
    }

    /** Starts {@code command} and registers it. */
    static Process start(ProcessBuilder pb) throws IOException {
        Process p = pb.start();
        LIVE.add(p);
        return p;
    }

    /**
     * Starts a target {@code command} in a session of its own (through {@code setsid}, where installed),
     * and registers it. A terminal's Ctrl-C goes to the foreground process group: a target in ours
     * would die of it while perf still records it, and its Go frames, named through
     * {@code /proc/PID/exe}, would stay unnamed; a target of {@code flame record} is no child and never
     * gets that signal. We end it ourselves ({@link #end}). A child of the JVM is no process group
     * leader, so setsid runs the command in its own process (the PID is the command's).
     */
    static Process startTarget(ProcessBuilder pb) throws IOException {
        if (!Files.isExecutable(SETSID)) {
            return start(pb);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(SETSID.toString());
        cmd.addAll(pb.command());
        return start(pb.command(cmd));
    }

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    /** Starts {@code command} with stdin, stdout and stderr discarded / closed. */
    static Process startQuiet(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = start(pb);
        p.getOutputStream().close();
        return p;
    }

    /**
     * Ends {@code p} and its descendants: SIGTERM, then SIGKILL after {@code graceMillis}; waits for
     * them to be gone.
     */
    static void end(Process p, long graceMillis) {
        if (p == null) {
            return;
        }
        List<ProcessHandle> tree = p.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(2, TimeUnit.SECONDS);
            }
            for (ProcessHandle h : tree) {
                if (h.isAlive()) {
                    h.destroyForcibly();
                }
                h.onExit().get(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            tree.forEach(ProcessHandle::destroyForcibly);
        } finally {
            LIVE.remove(p);
        }
    }

    /**
     * Runs a short command to its end within {@code timeoutMillis} (killed after it), output discarded;
     * returns its exit code, or -1 on timeout.
     */
    static int run(List<String> command, long timeoutMillis) throws IOException, InterruptedException {
        Process p = startQuiet(command);
        try {
            return p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS) ? p.exitValue() : -1;
        } finally {
            end(p, 200);
        }
    }
}
