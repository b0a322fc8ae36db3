package io.github.stackfold.perf.internal;

import io.github.stackfold.perf.ExecTarget;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The /proc of another machine or pod read through commands run on an {@link ExecTarget}: {@code ls
 * /proc} for the PIDs, one {@code grep -s -H ^ /proc/N/comm ...} for all names (so a pod costs two
 * round trips, not one per process), then {@code cat} and {@code readlink} for the few candidates.
 * Each command has the deadline given; one that hangs is a {@code NoTargetException} naming it.
 */
public final class CommandProcSource implements ProcSource {
    private static final int BATCH = 400;

    private final ExecTarget target;
    private final Duration timeout;

    public CommandProcSource(ExecTarget target, Duration timeout) {
        this.target = target;
        this.timeout = timeout;
    }

    @Override
    public List<Long> pids() throws IOException {
        Child.Result r = Child.runInTime(target.command("ls", "/proc"), timeout);
        if (r.exitCode() != 0) {
            throw new IOException("cannot list /proc through " + target + ": " + r.stderrText());
        }
        List<Long> out = new ArrayList<>();
        for (String name : r.stdoutText().split("\\s+")) {
            long pid = ProcSource.parsePid(name);
            if (pid > 0) {
                out.add(pid);
            }
        }
        out.sort(null);
        return out;
    }

    @Override
    public Map<Long, String> comms(List<Long> pids) throws IOException {
        Map<Long, String> out = new LinkedHashMap<>();
        for (int from = 0; from < pids.size(); from += BATCH) {
            List<String> argv = new ArrayList<>(List.of("grep", "-s", "-H", "^"));
            for (long pid : pids.subList(from, Math.min(pids.size(), from + BATCH))) {
                argv.add("/proc/" + pid + "/comm");
            }
            // grep exits 2 when some file vanished meanwhile: what it printed is still right
            Child.Result r = Child.runInTime(target.command(argv), timeout);
            for (String line : r.stdoutText().split("\n")) {
                int sep = line.indexOf("/comm:");
                if (line.startsWith("/proc/") && sep > 6) {
                    long pid = ProcSource.parsePid(line.substring(6, sep));
                    if (pid > 0) {
                        out.put(pid, line.substring(sep + 6));
                    }
                }
            }
        }
        return out;
    }

    @Override
    public String read(long pid, String file) {
        try {
            Child.Result r = Child.runInTime(target.command("cat", "/proc/" + pid + "/" + file), timeout);
            return r.exitCode() == 0 ? r.stdoutText() : null;
        } catch (Child.LaunchException e) {
            return null;
        }
    }

    @Override
    public String link(long pid, String file) {
        try {
            Child.Result r = Child.runInTime(target.command("readlink", "/proc/" + pid + "/" + file), timeout);
            return r.exitCode() == 0 ? ProcSource.stripNewline(r.stdoutText()) : null;
        } catch (Child.LaunchException e) {
            return null;
        }
    }
}
