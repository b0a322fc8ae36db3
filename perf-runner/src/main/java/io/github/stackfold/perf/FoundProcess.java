package io.github.stackfold.perf;

import java.util.Objects;

/**
 * A process the {@link ProcessFinder} found.
 *
 * @param pid         the PID as seen in the /proc that was scanned
 * @param targetPid   the same process's PID in the namespace where perf will run (differs from
 *                    {@code pid} when perf runs through nsenter in another PID namespace)
 * @param comm        the kernel's short name ({@code /proc/PID/comm}, at most 15 bytes)
 * @param exe         the target of {@code /proc/PID/exe}, or empty when it cannot be read
 * @param commandLine the arguments from {@code /proc/PID/cmdline} joined by spaces
 * @param containerId the container id found in {@code /proc/PID/cgroup} (first 12 hex digits), or empty
 * @param startTime   the start time in clock ticks after boot (field 22 of {@code /proc/PID/stat}); with
 *                    the PID it identifies the process even if the PID is reused
 */
public record FoundProcess(long pid, long targetPid, String comm, String exe, String commandLine,
        String containerId, long startTime) {
    public FoundProcess {
        Objects.requireNonNull(comm, "comm");
        Objects.requireNonNull(exe, "exe");
        Objects.requireNonNull(commandLine, "commandLine");
        Objects.requireNonNull(containerId, "containerId");
    }

    /** One line for a person: PID, container and command line. */
    public String describe() {
        return "PID " + pid + (targetPid != pid ? " (" + targetPid + " in its namespace)" : "")
                + (containerId.isEmpty() ? "" : " container " + containerId)
                + ": " + (commandLine.isEmpty() ? "[" + comm + "]" : commandLine);
    }
}
