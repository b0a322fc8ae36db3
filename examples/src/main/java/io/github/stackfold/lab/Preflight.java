package io.github.stackfold.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Cheap checks before starting anything: is there a perf to run at all. */
final class Preflight {
    private Preflight() {
    }

    /**
     * Why perf cannot be used here, or null when it looks usable (permission problems that only
     * perf itself can see are reported by the recorder).
     */
    static String perfProblem() {
        try {
            int code = Children.run(List.of("perf", "--version"), 20_000);
            if (code != 0) {
                return "'perf --version' failed (exit " + code + "); on Debian install it with: apt-get install linux-perf";
            }
        } catch (IOException e) {
            return "perf is not installed (on Debian: apt-get install linux-perf)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        Path paranoid = Path.of("/proc/sys/kernel/perf_event_paranoid");
        try {
            int level = Integer.parseInt(Files.readString(paranoid).trim());
            if (level > 2 && !isRoot()) {
                return "kernel.perf_event_paranoid is " + level + " and this user is not root "
                        + "(sysctl -w kernel.perf_event_paranoid=1, or run as root)";
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux-like /proc: leave the verdict to perf
        }
        return null;
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return f.length > 1 && f[1].equals("0");
                }
            }
        } catch (IOException e) {
            // unknown: assume not
        }
        return false;
    }
}
