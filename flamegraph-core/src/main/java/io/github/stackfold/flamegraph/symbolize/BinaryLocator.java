package io.github.stackfold.flamegraph.symbolize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Says which file to read for a module perf printed, e.g. {@code /usr/local/bin/kube-apiserver}.
 * Pick the one that fits where the binary is now:
 * <ul>
 *   <li>{@link #modulePath()}: the path perf printed, on this machine (the default);</li>
 *   <li>{@link #symfs(Path)}: that path below a copy of the target's file system;</li>
 *   <li>{@link #binary(Path)}: one given file, for modules with the same file name;</li>
 *   <li>{@link #process(long)}: through {@code /proc/PID}, for a process that is still running, also
 *       one inside a container (its root is {@code /proc/PID/root});</li>
 *   <li>{@link #processOrModulePath(Path, long)}: through {@code /proc/PID} while the process runs,
 *       and at the path perf printed once it has exited (a process that shares this machine's root).</li>
 * </ul>
 */
@FunctionalInterface
public interface BinaryLocator {
    /**
     * @param module the module as perf printed it (an absolute path, possibly ending in
     *     {@code " (deleted)"})
     * @return the file to read, or {@code null} when this locator has none for the module
     */
    Path locate(String module);

    /** This locator, and {@code other} where this one has no file. */
    default BinaryLocator orElse(BinaryLocator other) {
        return module -> {
            Path p = locate(module);
            return p != null ? p : other.locate(module);
        };
    }

    /** The module's own path, when it exists on this machine. */
    static BinaryLocator modulePath() {
        return module -> {
            Path p = Path.of(stripDeleted(module));
            return p.isAbsolute() && Files.isRegularFile(p) ? p : null;
        };
    }

    /** The module's path taken relative to {@code dir} (like perf's {@code --symfs}). */
    static BinaryLocator symfs(Path dir) {
        return module -> {
            String m = stripDeleted(module);
            while (m.startsWith("/")) {
                m = m.substring(1);
            }
            Path p = dir.resolve(m);
            return Files.isRegularFile(p) ? p : null;
        };
    }

    /**
     * {@code file} for every module with the same file name (so {@code --binary ./kube-apiserver}
     * names the frames of {@code /usr/local/bin/kube-apiserver} but not those of libc).
     */
    static BinaryLocator binary(Path file) {
        String name = String.valueOf(file.getFileName());
        return module -> {
            Path m = Path.of(stripDeleted(module)).getFileName();
            return m != null && m.toString().equals(name) ? file : null;
        };
    }

    /**
     * The binaries of a running process as that process sees them: its executable through
     * {@code /proc/PID/exe} (right even when the file on disk was replaced or deleted since it started),
     * other modules through {@code /proc/PID/root/PATH} (right for a process in a container).
     */
    static BinaryLocator process(long pid) {
        return process(Path.of("/proc"), pid);
    }

    /** As {@link #process(long)}, with the proc file system mounted at {@code procRoot} (e.g. a host's). */
    static BinaryLocator process(Path procRoot, long pid) {
        Path proc = procRoot.resolve(Long.toString(pid));
        return module -> {
            String m = stripDeleted(module);
            try {
                String exe = stripDeleted(Files.readSymbolicLink(proc.resolve("exe")).toString());
                if (exe.equals(m)) {
                    return proc.resolve("exe");
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // the process exited or is not ours to read: try its root below
            }
            if (!m.startsWith("/")) {
                return null;
            }
            Path p = proc.resolve("root").resolve(m.substring(1));
            return Files.isRegularFile(p) ? p : null;
        };
    }

    /**
     * As {@link #process(Path, long)} while the process runs; once it has exited (its {@code /proc}
     * entry is gone, and with it {@code /proc/PID/exe}), the module's own path on this machine, as
     * perf recorded it. What that needs of the process is read when this locator is made, so make it
     * while the process runs: whether its root is this machine's (a process in a container sees other
     * files at the same paths: none is taken then), and the identity (device and inode) of its
     * executable. The executable is taken at its path only when the file there is still that very
     * file: one replaced since the process started (an upgrade, a rebuild) would give wrong names.
     */
    static BinaryLocator processOrModulePath(Path procRoot, long pid) {
        Path proc = procRoot.resolve(Long.toString(pid));
        BinaryLocator running = process(procRoot, pid);
        boolean ourRoot;
        try {
            ourRoot = Files.isSameFile(proc.resolve("root"), Path.of("/"));
        } catch (IOException | SecurityException e) {
            ourRoot = false;
        }
        if (!ourRoot) {
            return running;
        }
        String exe;
        Object exeKey;
        try {
            exe = stripDeleted(Files.readSymbolicLink(proc.resolve("exe")).toString());
            exeKey = Files.readAttributes(proc.resolve("exe"), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            exe = null;
            exeKey = null;
        }
        String exePath = exe;
        Object key = exeKey;
        BinaryLocator atPath = modulePath();
        return module -> {
            Path p = running.locate(module);
            if (p != null) {
                return p;
            }
            Path file = atPath.locate(module);
            if (file == null || key == null || !stripDeleted(module).equals(exePath)) {
                return file;
            }
            try {
                return key.equals(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                        ? file : null;
            } catch (IOException | SecurityException e) {
                return null;
            }
        };
    }

    private static String stripDeleted(String module) {
        return module.endsWith(" (deleted)") ? module.substring(0, module.length() - 10) : module;
    }
}
