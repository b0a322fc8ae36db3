package io.github.stackfold.perf.internal;

import io.github.stackfold.flamegraph.io.Inputs;
import io.github.stackfold.perf.ExecTarget;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The few file operations a recording needs on the machine perf runs on: done in this JVM for a
 * local target (a child process per operation cost ~50 ms each, some of them after perf record
 * ends), and through the target's commands ({@code mktemp}, {@code cat}, {@code rm}) for nsenter
 * and kubectl, where the files live in another mount namespace.
 */
public interface TargetFiles {
    /** A new private (0700) directory {@code .../stackfold-perf.XXXX}; null with {@code why} filled when none was made. */
    String makeTempDir(StringBuilder why) throws Child.LaunchException;

    /** The stripped text of a small file, or null when it cannot be read. */
    String readText(String path);

    /** Copies a file to {@code out}. */
    void copy(String path, OutputStream out) throws Child.LaunchException, IOException;

    /** Removes a directory tree, quietly. */
    void removeTree(String dir);

    /**
     * The files of {@code target}: this machine's own for a local target; else through commands that
     * end within {@code timeout}, a copy within {@code copyTimeout}.
     */
    static TargetFiles of(ExecTarget target, Duration timeout, Duration copyTimeout) {
        return target.via() == ExecTarget.Via.LOCAL ? new Local() : new Commands(target, timeout, copyTimeout);
    }

    /** This machine's files, handled in this JVM. */
    final class Local implements TargetFiles {
        @Override
        public String makeTempDir(StringBuilder why) {
            try {
                return Files.createTempDirectory("stackfold-perf.").toString(); // 0700 on POSIX
            } catch (IOException e) {
                why.append(e.getMessage());
                return null;
            }
        }

        @Override
        public String readText(String path) {
            try {
                return Files.readString(Path.of(path), java.nio.charset.StandardCharsets.ISO_8859_1).strip();
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        public void copy(String path, OutputStream out) throws IOException {
            try (InputStream in = Inputs.openFile(Path.of(path))) {
                in.transferTo(out);
            }
        }

        @Override
        public void removeTree(String dir) {
            try {
                delete(Path.of(dir));
            } catch (IOException | DirectoryIteratorException e) {
                // already gone, or not ours to remove: nothing more to do
            }
        }

        // A plain walk, not Files.walk: its stream pipeline, first used here, took 8-13 ms of the
        // time flame record spends after perf record ends (the directory holds perf.data).
        private static void delete(Path p) throws IOException {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
                    for (Path c : children) {
                        delete(c);
                    }
                }
            }
            Files.deleteIfExists(p);
        }
    }

    /** The target's files, through its commands. */
    final class Commands implements TargetFiles {
        private final ExecTarget target;
        private final Duration timeout;
        private final Duration copyTimeout;

        Commands(ExecTarget target, Duration timeout, Duration copyTimeout) {
            this.target = target;
            this.timeout = timeout;
            this.copyTimeout = copyTimeout;
        }

        @Override
        public String makeTempDir(StringBuilder why) throws Child.LaunchException {
            Child.Result r = Child.runInTime(target.command("mktemp", "-d", "-t", "stackfold-perf.XXXXXXXXXX"), timeout);
            String dir = r.stdoutText().strip();
            if (r.exitCode() != 0) {
                why.append(r.stderr().isEmpty() ? "mktemp printed '" + dir + "'" : r.stderrText());
                return null;
            }
            return dir;
        }

        @Override
        public String readText(String path) {
            try {
                Child.Result r = Child.runInTime(target.command("cat", path), timeout);
                return r.exitCode() == 0 ? r.stdoutText().strip() : null;
            } catch (Child.LaunchException e) {
                return null;
            }
        }

        /**
         * {@code cat PATH} through the target, within {@code copyTimeout} in all; a copy that sends
         * nothing for the command deadline ({@code timeout}) has hung and is stopped, and the failure
         * names the command and the deadline.
         */
        @Override
        public void copy(String path, OutputStream out) throws Child.LaunchException, IOException {
            List<String> argv = target.command("cat", path);
            try (Child c = Child.start(argv, copyTimeout, true, null)) {
                AtomicLong lastByte = new AtomicLong(System.nanoTime());
                AtomicBoolean stalled = new AtomicBoolean();
                Thread watch = new Thread(() -> {
                    while (!c.hasEnded()) {
                        if (System.nanoTime() - lastByte.get() > timeout.toNanos()) {
                            stalled.set(true);
                            c.close(); // ends the tree; the read below sees the end
                            return;
                        }
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "stackfold-copy-watch");
                watch.setDaemon(true);
                watch.start();
                long copied = 0;
                try (InputStream in = c.stdout()) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        lastByte.set(System.nanoTime());
                        out.write(buf, 0, n);
                        copied += n;
                    }
                } catch (IOException e) {
                    if (!stalled.get()) {
                        throw e;
                    }
                } finally {
                    watch.interrupt();
                }
                Child.Result r = c.waitFor();
                if (stalled.get()) {
                    throw Child.overDeadline(argv, timeout, "sent nothing for", copied + " bytes copied");
                }
                if (r.timedOut()) {
                    throw Child.overDeadline(argv, copyTimeout, "did not end within", copied + " bytes copied");
                }
                if (r.exitCode() != 0) {
                    throw new IOException(r.stderrText());
                }
            }
        }

        @Override
        public void removeTree(String dir) {
            try {
                Child.run(target.command(List.of("rm", "-r", "-f", "--", dir)), timeout);
            } catch (Child.LaunchException e) {
                // the launcher vanished meanwhile: nothing more can be done from here
            }
        }
    }
}
