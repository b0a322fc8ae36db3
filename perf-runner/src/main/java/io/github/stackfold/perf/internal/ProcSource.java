package io.github.stackfold.perf.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Read access to a /proc tree: a directory on this machine (the real /proc, another namespace's
 * /proc, or a fixture tree built by a test), or the /proc of a pod read through commands. Texts are
 * raw (one char per byte). Missing or unreadable entries read as null: processes come and go.
 */
public interface ProcSource {
    /** The numeric entries of the /proc root. */
    List<Long> pids() throws IOException;

    /** {@code comm} of each PID (without the newline); PIDs whose comm cannot be read are left out. */
    Map<Long, String> comms(List<Long> pids) throws IOException;

    /** The whole text of {@code /proc/PID/FILE}, or null. */
    String read(long pid, String file);

    /** The target of the symbolic link {@code /proc/PID/FILE} ({@code exe}, {@code ns/pid}), or null. */
    String link(long pid, String file);

    /** A directory on this machine. */
    static ProcSource directory(Path root) {
        return new DirectorySource(root);
    }

    /** See {@link ProcSource#directory}. */
    final class DirectorySource implements ProcSource {
        private final Path root;

        DirectorySource(Path root) {
            this.root = root;
        }

        @Override
        public List<Long> pids() throws IOException {
            List<Long> out = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
                for (Path p : ds) {
                    long pid = parsePid(p.getFileName().toString());
                    if (pid > 0) {
                        out.add(pid);
                    }
                }
            }
            out.sort(null);
            return out;
        }

        @Override
        public Map<Long, String> comms(List<Long> pids) {
            Map<Long, String> out = new LinkedHashMap<>();
            for (long pid : pids) {
                String c = read(pid, "comm");
                if (c != null) {
                    out.put(pid, stripNewline(c));
                }
            }
            return out;
        }

        @Override
        public String read(long pid, String file) {
            try {
                return new String(Files.readAllBytes(root.resolve(Long.toString(pid)).resolve(file)),
                        StandardCharsets.ISO_8859_1);
            } catch (IOException | SecurityException e) {
                return null;
            }
        }

        @Override
        public String link(long pid, String file) {
            try {
                return Files.readSymbolicLink(root.resolve(Long.toString(pid)).resolve(file)).toString();
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return null;
            }
        }
    }

    /** A positive PID from a /proc entry name, or -1. */
    static long parsePid(String name) {
        if (name.isEmpty() || name.length() > 10) {
            return -1;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        long v = Long.parseLong(name);
        return v > 0 ? v : -1;
    }

    static String stripNewline(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }
}
