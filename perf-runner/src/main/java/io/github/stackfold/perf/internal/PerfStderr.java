package io.github.stackfold.perf.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sorts the standard error of perf (and of nsenter / kubectl in front of it) into routine chatter,
 * facts the recorder needs, warnings for a person, and errors. Examples of each:
 *
 * <pre>
 * [ perf record: Woken up 1 times to write data ]                           chatter
 * [ perf record: Captured and wrote 0.007 MB /tmp/x/perf.data (79 samples) ] fact: data written, 79 samples
 * Failed to open /tmp/perf-4242.map, continue without symbols                chatter (JIT map absent)
 * no symbols found in /usr/local/bin/kube-apiserver, maybe install a debug package?   chatter
 * WARNING: Kernel address maps (/proc/{kallsyms,modules}) are restricted,    fact: kernel symbols hidden
 * Warning:                                                                   the next lines are a warning
 * Processed 12000 events and lost 3 chunks!                                  warning
 * Error:                                                                     the next lines are an error
 * perf_event_paranoid setting is 2:                                          fact: not permitted, value 2
 * Couldn't create thread/CPU maps: No such process                           fact: no such process
 * nsenter: failed to execute perf: No such file or directory                 fact: perf missing
 * </pre>
 *
 * Thread-safe: lines arrive on the thread that reads stderr, facts are read after the process ended.
 */
public final class PerfStderr implements Consumer<String> {
    private static final Pattern CAPTURED = Pattern.compile(
            "^\\[ perf record: Captured and wrote .*?(?:\\((\\d+) samples\\))? ?\\]$");
    private static final Pattern PARANOID = Pattern.compile("perf_event_paranoid setting is (-?\\d+)");

    private enum Mode {
        NONE, WARNING, ERROR
    }

    private final Consumer<String> warnings;
    private final List<String> held = new ArrayList<>();
    private Consumer<String> released;
    private final List<String> errors = new ArrayList<>();
    private Mode mode = Mode.NONE;
    private boolean wrote;
    private long samples = -1;
    private boolean kernelSymbolsHidden;
    private boolean notPermitted;
    private String paranoid;
    private boolean noSuchProcess;
    private boolean perfMissing;

    public PerfStderr(Consumer<String> warnings) {
        this.warnings = warnings;
    }

    /**
     * One whose warnings are held until {@link #passWarningsTo}: for a perf whose outcome decides
     * whether they matter (when it fails, its error says what went wrong, and the lines around it
     * would only bury it).
     */
    public static PerfStderr holdingWarnings() {
        return new PerfStderr(null);
    }

    /** Hands the held warnings, in order, to {@code to} (and later ones too); none are held otherwise. */
    public synchronized void passWarningsTo(Consumer<String> to) {
        held.forEach(to);
        held.clear();
        released = to;
    }

    @Override
    public synchronized void accept(String raw) {
        String line = raw.strip();
        if (line.isEmpty()) {
            mode = Mode.NONE;
            return;
        }
        Matcher m = CAPTURED.matcher(line);
        if (m.matches()) {
            wrote = true;
            notifyAll();
            if (m.group(1) != null) {
                samples = Long.parseLong(m.group(1));
            }
            return;
        }
        if (line.startsWith("[ perf record:") || line.equals("Terminated") || line.startsWith("Failed to open /tmp/perf-")
                || line.startsWith("no symbols found in ") || line.startsWith("/bin/dmesg | grep -i perf")) {
            return;
        }
        if (line.contains("kptr_restrict") || line.contains("Kernel address maps")
                || line.contains("kernel reference relocation symbol") || line.contains("/proc/kallsyms")
                || line.startsWith("Symbol resolution may be skewed")) {
            kernelSymbolsHidden = true;
            return;
        }
        m = PARANOID.matcher(line);
        if (m.find()) {
            paranoid = m.group(1);
            notPermitted = true;
        }
        if (line.contains("Access to performance monitoring and observability operations is limited")
                || line.contains("No permission to enable")
                || line.startsWith("The sys_perf_event_open() syscall returned")
                        && (line.contains("Permission denied") || line.contains("Operation not permitted"))) {
            notPermitted = true;
        }
        if (line.contains("No such process")) {
            noSuchProcess = true;
        }
        if (line.contains("executable file not found") || line.startsWith("nsenter: failed to execute")
                || line.matches(".*\\bperf: (command )?not found.*") || line.startsWith("perf not found for kernel")) {
            perfMissing = true;
        }
        if (line.equals("Warning:")) {
            mode = Mode.WARNING;
            return;
        }
        if (line.equals("Error:")) {
            mode = Mode.ERROR;
            return;
        }
        if (mode == Mode.ERROR || line.startsWith("Error") || line.startsWith("error")
                || line.startsWith("nsenter:") || line.startsWith("OCI runtime") || line.startsWith("command terminated")
                || line.startsWith("Couldn't") || line.startsWith("failed to") || line.contains("invalid or unsupported event")
                || line.startsWith("event syntax error") || line.startsWith("Usage:") || line.startsWith("usage:")
                || line.startsWith("The sys_perf_event_open() syscall returned")
                || line.startsWith("Workload failed") || perfMissing || notPermitted) {
            synchronized (errors) {
                if (errors.size() < 50) {
                    errors.add(line);
                }
            }
            return;
        }
        warn("perf: " + line);
    }

    private void warn(String w) {
        if (warnings != null) {
            warnings.accept(w);
        } else if (released != null) {
            released.accept(w);
        } else {
            held.add(w);
        }
    }

    /** True once perf record said it wrote its data. */
    public synchronized boolean wrote() {
        return wrote;
    }

    /**
     * Waits at most {@code millis} for perf record to say it wrote its data; true once it has. After
     * that line perf record has nothing left to write: the data (file or stream) is complete.
     */
    public synchronized boolean awaitWrote(long millis) throws InterruptedException {
        if (!wrote && millis > 0) {
            wait(millis);
        }
        return wrote;
    }

    /** The sample count perf record reported, or -1 when it did not say. */
    public synchronized long samples() {
        return samples;
    }

    /** True when perf said kernel addresses are hidden from it (kptr_restrict, restricted /proc/kallsyms). */
    public synchronized boolean kernelSymbolsHidden() {
        return kernelSymbolsHidden;
    }

    /** True when perf was refused the events (perf_event_paranoid, missing capabilities). */
    public synchronized boolean notPermitted() {
        return notPermitted;
    }

    /** The perf_event_paranoid value perf reported, or null. */
    public synchronized String paranoid() {
        return paranoid;
    }

    /** True when perf found no process of the PID it was given ({@code No such process}). */
    public synchronized boolean noSuchProcess() {
        return noSuchProcess;
    }

    /** True when there was no perf to run, or none for the running kernel (here, through nsenter or in the pod). */
    public synchronized boolean perfMissing() {
        return perfMissing;
    }

    /** The error lines, in order. */
    public synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    /** The first error line, or {@code fallback}. */
    public synchronized String firstError(String fallback) {
        return errors.isEmpty() ? fallback : errors.get(0);
    }
}
