package io.github.stackfold.perf;

import io.github.stackfold.perf.internal.CommandProcSource;
import io.github.stackfold.perf.internal.ProcSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the process to record by name or checks a PID, the way one would by hand: every
 * {@code /proc/*}{@code /comm} is compared with the name (the kernel keeps only its first 15 bytes),
 * and each hit is confirmed by the basename of {@code /proc/PID/exe} or of the first word of
 * {@code /proc/PID/cmdline}. Kernel threads (empty command line) never match.
 *
 * <p>The /proc root is a parameter, so a test can point the finder at a fixture tree. When perf will
 * run through {@code nsenter} in another PID namespace, the found PIDs are translated into that
 * namespace with the {@code NSpid:} line of {@code /proc/PID/status}. For {@code kubectl} the pod's
 * /proc is read through {@code kubectl exec} ({@code ls}, {@code grep}, {@code cat}, {@code readlink}).
 */
public final class ProcessFinder {
    /** The length the kernel truncates {@code comm} to (TASK_COMM_LEN - 1). */
    static final int COMM_LEN = 15;
    private static final Pattern CONTAINER_ID = Pattern.compile("([0-9a-f]{64})");

    private final ProcSource source;
    private final long nsenterTarget;

    ProcessFinder(ProcSource source, long nsenterTarget) {
        this.source = source;
        this.nsenterTarget = nsenterTarget;
    }

    /** A finder over a /proc tree on this machine ({@code /proc} or a fixture directory). */
    public static ProcessFinder of(Path procRoot) {
        return new ProcessFinder(ProcSource.directory(procRoot), 0);
    }

    /**
     * The finder for processes perf will see on {@code target}: the local {@code procRoot} for local
     * and nsenter targets (PIDs translated into the nsenter target's PID namespace), the pod's /proc
     * for kubectl (then {@code procRoot} is not used).
     */
    public static ProcessFinder forTarget(ExecTarget target, Path procRoot, Duration commandTimeout) {
        switch (target.via()) {
            case KUBECTL:
                return new ProcessFinder(new CommandProcSource(target, commandTimeout), 0);
            case NSENTER:
                return new ProcessFinder(ProcSource.directory(procRoot), target.nsenterTarget());
            default:
                return of(procRoot);
        }
    }

    /** Every process whose name is {@code name}, in PID order (perhaps none). */
    public List<FoundProcess> findAll(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("process name is empty");
        }
        String raw = new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        String comm = raw.length() > COMM_LEN ? raw.substring(0, COMM_LEN) : raw;
        int level = namespaceLevel();
        List<FoundProcess> out = new ArrayList<>();
        try {
            List<Long> pids = source.pids();
            for (Map.Entry<Long, String> e : source.comms(pids).entrySet()) {
                if (!e.getValue().equals(comm)) {
                    continue;
                }
                FoundProcess p = describe(e.getKey(), level);
                if (p != null && confirms(raw, p)) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * The one process named {@code name}.
     *
     * @throws NoTargetException when there is none, or several (the message lists them with PID,
     *     container and command line and asks for {@code --pid})
     */
    public FoundProcess find(String name) {
        List<FoundProcess> all = findAll(name);
        if (all.isEmpty()) {
            throw new NoTargetException("no process named '" + name + "' is running" + where());
        }
        if (all.size() > 1) {
            StringBuilder sb = new StringBuilder();
            sb.append(all.size()).append(" processes are named '").append(name).append("'").append(where())
                    .append("; choose one with --pid:");
            for (FoundProcess p : all) {
                sb.append(" [").append(p.describe()).append(']');
            }
            throw new NoTargetException(sb.toString(), all);
        }
        return all.get(0);
    }

    /**
     * The process with PID {@code pid} as perf will see it (in the nsenter target's PID namespace
     * when there is one).
     *
     * @throws NoTargetException when no such process exists
     */
    public FoundProcess byPid(long pid) {
        if (pid <= 0) {
            throw new NoTargetException("no such process: PID " + pid);
        }
        int level = namespaceLevel();
        if (level == 0) {
            FoundProcess p = describe(pid, 0);
            if (p == null) {
                throw new NoTargetException("no such process: PID " + pid + where());
            }
            return p;
        }
        try {
            String targetNs = source.link(nsenterTarget, "ns/pid");
            for (long candidate : source.pids()) {
                long[] ns = nsPids(candidate);
                if (ns.length > level && ns[level] == pid
                        && (ns.length - 1 > level || sameNamespace(candidate, targetNs))) {
                    FoundProcess p = describe(candidate, level);
                    if (p != null) {
                        return p;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new NoTargetException("no such process: PID " + pid + where());
    }

    /**
     * Whether {@code p} still runs: same PID, same start time, and not a zombie (a process that exited
     * keeps its /proc entry until its parent reaps it; perf record ends when the process exits, which
     * can be before the reaping).
     */
    public boolean isAlive(FoundProcess p) {
        String stat = source.read(p.pid(), "stat");
        if (stat == null || startTime(stat) != p.startTime()) {
            return false;
        }
        char state = state(stat);
        return state != 'Z' && state != 'X' && state != 'x';
    }

    /** The state letter of a /proc/PID/stat line (field 3, after "pid (comm)"), or '?'. */
    static char state(String stat) {
        int close = stat.lastIndexOf(')');
        return close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
    }

    private String where() {
        return nsenterTarget > 0 ? " in the PID namespace of PID " + nsenterTarget : "";
    }

    /** 0, or how deep the nsenter target's PID namespace is below the one of the scanned /proc. */
    private int namespaceLevel() {
        if (nsenterTarget <= 0) {
            return 0;
        }
        long[] ns = nsPids(nsenterTarget);
        if (ns.length == 0) {
            throw new NoTargetException("nsenter target PID " + nsenterTarget + " does not exist");
        }
        return ns.length - 1;
    }

    private boolean sameNamespace(long pid, String targetNs) {
        String ns = source.link(pid, "ns/pid");
        return targetNs == null || ns == null || ns.equals(targetNs);
    }

    private long[] nsPids(long pid) {
        String status = source.read(pid, "status");
        if (status == null) {
            return new long[0];
        }
        for (String line : status.split("\n")) {
            if (line.startsWith("NSpid:")) {
                String[] f = line.substring(6).trim().split("\\s+");
                long[] out = new long[f.length];
                for (int i = 0; i < f.length; i++) {
                    out[i] = Long.parseLong(f[i]);
                }
                return out;
            }
        }
        return new long[] {pid}; // kernels before 4.1 have no NSpid: one namespace
    }

    private FoundProcess describe(long pid, int level) {
        String stat = source.read(pid, "stat");
        String comm = source.read(pid, "comm");
        if (stat == null || comm == null) {
            return null;
        }
        long targetPid = pid;
        if (level > 0) {
            long[] ns = nsPids(pid);
            if (ns.length <= level) {
                return null; // lives above the target's namespace: perf there cannot see it
            }
            targetPid = ns[level];
        }
        String exe = source.link(pid, "exe");
        String cmdline = source.read(pid, "cmdline");
        String cgroup = source.read(pid, "cgroup");
        return new FoundProcess(pid, targetPid, decode(stripNewline(comm)), exe == null ? "" : decode(exe),
                cmdline == null ? "" : decode(joinArgs(cmdline)), containerId(cgroup), startTime(stat));
    }

    private static boolean confirms(String rawName, FoundProcess p) {
        String name = decode(rawName);
        String exe = p.exe();
        if (exe.endsWith(" (deleted)")) {
            exe = exe.substring(0, exe.length() - 10);
        }
        if (basename(exe).equals(name)) {
            return true;
        }
        String cmd = p.commandLine();
        if (cmd.isEmpty()) {
            return false;
        }
        int sp = cmd.indexOf(' ');
        String argv0 = sp < 0 ? cmd : cmd.substring(0, sp);
        return basename(argv0).equals(name);
    }

    private static String basename(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String containerId(String cgroup) {
        if (cgroup == null) {
            return "";
        }
        String id = "";
        Matcher m = CONTAINER_ID.matcher(cgroup);
        while (m.find()) {
            id = m.group(1);
        }
        return id.isEmpty() ? "" : id.substring(0, 12);
    }

    static long startTime(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return -1;
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        // fields after "pid (comm)" start at field 3; starttime is field 22
        return f.length > 19 ? Long.parseLong(f[19]) : -1;
    }

    private static String joinArgs(String cmdline) {
        String s = cmdline;
        while (s.endsWith("\0")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.replace('\0', ' ');
    }

    private static String stripNewline(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private static String decode(String raw) {
        return new String(raw.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
