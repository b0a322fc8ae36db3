package io.github.stackfold.perf.internal;

import io.github.stackfold.perf.NoTargetException;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecuteResultHandler;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteStreamHandler;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.Watchdog;

/**
 * One child process run with commons-exec from an argument list (never a shell string), always under
 * a timeout. On timeout, on {@link #close()} before it ended, and at JVM shutdown the whole process
 * tree is ended (SIGTERM, then SIGKILL after two seconds), so that a perf started through nsenter or a
 * wrapper script is not left behind when only its parent would have been killed.
 *
 * <p>Standard input is closed at once, or handed out as a stream to write (perf record's output into
 * perf script). Standard error is read line by line on a thread and handed to a
 * consumer. Standard output is either collected (small outputs of helper commands) or handed out as a
 * stream to be read on the caller's thread (perf script into the collapser), never buffered whole.
 */
public final class Child implements AutoCloseable {
    private static final Set<Child> LIVE = ConcurrentHashMap.newKeySet();
    private static final int MAX_COLLECTED = 16 << 20;
    private static final int MAX_STDERR_LINES = 200;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Child c : LIVE) {
                c.killTree();
            }
        }, "stackfold-child-reaper"));
    }

    /** How a child ended. */
    public record Result(int exitCode, boolean timedOut, byte[] stdout, List<String> stderr) {
        /** Collected standard output as raw text (one char per byte). */
        public String stdoutText() {
            return new String(stdout, StandardCharsets.ISO_8859_1);
        }

        /** The stderr lines joined by {@code " / "}, for messages. */
        public String stderrText() {
            return String.join(" / ", stderr);
        }
    }

    /** The program could not be started at all (typically: not installed). */
    public static final class LaunchException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String program;

        LaunchException(String program, Throwable cause) {
            super("cannot run " + program + ": " + Causes.rootMessage(cause), cause);
            this.program = program;
        }

        public String program() {
            return program;
        }

        /** True when the program does not exist (rather than, say, not being executable). */
        public boolean notFound() {
            String m = getMessage();
            return m.contains("error=2,") || m.contains("No such file");
        }
    }

    private final List<String> argv;
    private final boolean streamStdout;
    private final boolean writeStdin;
    private final Consumer<String> stderrConsumer;
    private final DefaultExecuteResultHandler handler = new DefaultExecuteResultHandler();
    private final CountDownLatch launched = new CountDownLatch(1);
    private final CountDownLatch stdoutDone = new CountDownLatch(1);
    private final List<String> stderrLines = Collections.synchronizedList(new ArrayList<>());
    private final ByteArrayOutputStream collected = new ByteArrayOutputStream();
    private final long deadlineNanos;
    private volatile Process process;
    private volatile InputStream stdout;
    private volatile OutputStream stdin;
    private volatile boolean timedOut;
    private volatile List<ProcessHandle> lastSeenTree = List.of();
    private Thread errPump;
    private Thread outPump;

    private Child(List<String> argv, Duration timeout, boolean streamStdout, boolean writeStdin,
            Consumer<String> stderrConsumer) {
        this.argv = List.copyOf(argv);
        this.streamStdout = streamStdout;
        this.writeStdin = writeStdin;
        this.stderrConsumer = stderrConsumer;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    /**
     * Starts {@code argv}. With {@code streamStdout}, {@link #stdout()} must be read to its end or
     * closed. Each stderr line goes to {@code stderrLine} (on another thread) as it arrives.
     *
     * @throws LaunchException when the program cannot be started
     */
    public static Child start(List<String> argv, Duration timeout, boolean streamStdout, Consumer<String> stderrLine)
            throws LaunchException {
        return start(argv, timeout, streamStdout, false, stderrLine);
    }

    /**
     * As {@link #start(List, Duration, boolean, Consumer)}; with {@code writeStdin} the program's
     * standard input stays open as {@link #stdin()}, to be closed by the caller (end of input).
     *
     * @throws LaunchException when the program cannot be started
     */
    @SuppressWarnings("deprecation")
    public static Child start(List<String> argv, Duration timeout, boolean streamStdout, boolean writeStdin,
            Consumer<String> stderrLine) throws LaunchException {
        Child c = new Child(argv, timeout, streamStdout, writeStdin, stderrLine == null ? l -> { } : stderrLine);
        CommandLine cl = new CommandLine(argv.get(0));
        for (int i = 1; i < argv.size(); i++) {
            cl.addArgument(argv.get(i), false);
        }
        DefaultExecutor ex = new DefaultExecutor() {
            @Override
            protected Process launch(CommandLine command, Map<String, String> env, File dir) throws IOException {
                Process p = super.launch(command, env, dir);
                c.process = p;
                LIVE.add(c);
                return p;
            }
        };
        ex.setExitValues(null);
        ex.setStreamHandler(c.new Streams());
        ex.setWatchdog(new ExecuteWatchdog(Math.max(1, timeout.toMillis())) {
            @Override
            public synchronized void timeoutOccured(Watchdog w) {
                c.timedOut = true;
                c.killTree();
                super.timeoutOccured(w);
            }
        });
        try {
            ex.execute(cl, c.handler);
        } catch (IOException e) {
            throw new LaunchException(argv.get(0), e);
        }
        // wait until the streams are set up or the launch failed
        while (true) {
            try {
                if (c.launched.await(50, TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                c.close();
                throw new LaunchException(argv.get(0), e);
            }
            if (c.handler.hasResult()) {
                ExecuteException failure = c.handler.getException();
                if (c.process == null && failure != null) {
                    throw new LaunchException(argv.get(0), failure.getCause() != null ? failure.getCause() : failure);
                }
                break;
            }
        }
        return c;
    }

    /** Runs {@code argv} to its end, collecting its output (at most 16 MiB of stdout). */
    public static Result run(List<String> argv, Duration timeout) throws LaunchException {
        try (Child c = start(argv, timeout, false, null)) {
            return c.waitFor();
        }
    }

    /**
     * As {@link #run}, for a helper command (not the recording): one that has not ended when
     * {@code timeout} is up is stopped and reported as a {@link NoTargetException} naming the command
     * and the deadline (a kubectl whose cluster does not answer hangs, it does not fail).
     */
    public static Result runInTime(List<String> argv, Duration timeout) throws LaunchException {
        Result r = run(argv, timeout);
        if (r.timedOut()) {
            throw overDeadline(argv, timeout);
        }
        return r;
    }

    /** "COMMAND did not end within N s ...": the failure of a helper command that hit its deadline. */
    public static NoTargetException overDeadline(List<String> argv, Duration timeout) {
        return overDeadline(argv, timeout, "did not end within", null);
    }

    /** "COMMAND HOW N s (NOTE) ...", e.g. "sent nothing for" 30 s ("1024 bytes copied"). */
    public static NoTargetException overDeadline(List<String> argv, Duration timeout, String how, String note) {
        List<String> shown = argv.size() > 14 ? argv.subList(0, 12) : argv;
        String command = String.join(" ", shown) + (shown.size() < argv.size()
                ? " ... (" + (argv.size() - shown.size()) + " more arguments)" : "");
        boolean kubectl = argv.stream().anyMatch(a -> a.equals("kubectl") || a.endsWith("/kubectl"));
        return new NoTargetException("'" + command + "' " + how + " " + seconds(timeout)
                + (note == null ? "" : " (" + note + ")") + " (the deadline of each command besides the recording itself) and was stopped"
                + (kubectl ? ": is the cluster reachable and the pod running? (kubectl get pod shows it)" : ""));
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** The program's standard output (only when started with {@code streamStdout}). */
    public InputStream stdout() {
        if (!streamStdout) {
            throw new IllegalStateException("stdout is collected, not streamed");
        }
        InputStream s = stdout;
        return s != null ? s : InputStream.nullInputStream();
    }

    /** The program's standard input (only when started with {@code writeStdin}); closing it ends the input. */
    public OutputStream stdin() {
        if (!writeStdin) {
            throw new IllegalStateException("stdin was closed at the start");
        }
        OutputStream s = stdin;
        return s != null ? s : OutputStream.nullOutputStream();
    }

    /** Waits for the end (the timeout ends the child at the latest) and returns how it ended. */
    public Result waitFor() {
        boolean interrupted = false;
        while (true) {
            try {
                handler.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        joinPumps();
        LIVE.remove(this);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        int code = handler.getExitValue();
        List<String> err;
        synchronized (stderrLines) {
            err = List.copyOf(stderrLines);
        }
        return new Result(code, timedOut, collected.toByteArray(), err);
    }

    /** True once the process ended (or failed to start). */
    public boolean hasEnded() {
        return handler.hasResult();
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** The PIDs (in this machine's view) of the child and its descendants. */
    public List<ProcessHandle> tree() {
        Process p = process;
        if (p == null) {
            return List.of();
        }
        List<ProcessHandle> all = new ArrayList<>();
        all.add(p.toHandle());
        p.toHandle().descendants().forEach(all::add);
        if (all.size() > 1) {
            lastSeenTree = List.copyOf(all);
        }
        return all;
    }

    /**
     * Ends (SIGKILL) the descendants last seen by {@link #tree()} that outlive the child itself: when
     * perf record dies of a signal its workload ({@code sleep}) lives on, orphaned and out of the
     * tree, holding perf's output pipe open, so the output would end only with the workload. A
     * process handle matches its start time: a PID used again by another process is not touched.
     * Returns how many were ended.
     */
    public int endOrphans() {
        Process p = process;
        if (p == null || p.isAlive()) {
            return 0;
        }
        int n = 0;
        for (ProcessHandle h : lastSeenTree) {
            if (h.pid() != p.pid() && h.isAlive() && h.destroyForcibly()) {
                n++;
            }
        }
        return n;
    }

    /** Where a program stands in this child's tree (see {@link #interrupt}). */
    public enum State {
        /** Not in this machine's view of the tree (it runs elsewhere, or not yet / no more). */
        ABSENT,
        /** Running, but has not started a child of another program yet. */
        STARTING,
        /** Running a child of another program (perf record: the workload runs, events are enabled). */
        READY
    }

    /** The state of the first process named {@code program} in this child's tree. */
    public State state(String program) {
        State best = State.ABSENT;
        for (ProcessHandle h : tree()) {
            String cmd = h.info().command().orElse("");
            if (cmd.substring(cmd.lastIndexOf('/') + 1).equals(program) && h.isAlive()) {
                if (h.children().anyMatch(c -> !c.info().command().orElse("/" + program).endsWith("/" + program))) {
                    return State.READY;
                }
                best = State.STARTING;
            }
        }
        return best;
    }

    /**
     * Sends SIGINT to the processes in this child's tree whose program is named {@code program} and
     * that run a child of another program. For perf record that child is the workload ({@code
     * sleep}), which perf lets exec only once its events are enabled, long after it installed its
     * SIGINT handler: a perf still starting up would die of the signal without writing its data (or
     * write an empty one), so it is left alone and this returns -1 (try again soon). Returns the number signalled, 0 when there is no such process here at all.
     */
    public int interrupt(String program) {
        List<String> pids = new ArrayList<>();
        List<ProcessHandle> handles = new ArrayList<>();
        boolean starting = false;
        for (ProcessHandle h : tree()) {
            String cmd = h.info().command().orElse("");
            String base = cmd.substring(cmd.lastIndexOf('/') + 1);
            if (base.equals(program) && h.isAlive()) {
                if (h.children().noneMatch(c -> !c.info().command().orElse("/" + program).endsWith("/" + program))) {
                    starting = true;
                    continue;
                }
                pids.add(Long.toString(h.pid()));
                handles.add(h);
            }
        }
        if (pids.isEmpty()) {
            return starting ? -1 : 0;
        }
        List<String> kill = new ArrayList<>(List.of("kill", "-s", "INT"));
        kill.addAll(pids);
        try {
            Result r = run(kill, Duration.ofSeconds(5));
            if (r.exitCode() == 0) {
                return pids.size();
            }
        } catch (LaunchException e) {
            // no kill(1): fall through to SIGTERM, which perf record handles the same way
        }
        handles.forEach(ProcessHandle::destroy);
        return pids.size();
    }

    /** Ends the whole tree if it is still running, then waits for the pumps. */
    @Override
    public void close() {
        if (isAlive()) {
            killTree();
        }
        InputStream s = stdout;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // the process is gone; nothing more to read
            }
        }
        OutputStream in = stdin;
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the process is gone; nothing more to write
            }
        }
        if (process != null || handler.hasResult()) {
            waitFor();
        }
        LIVE.remove(this);
    }

    /**
     * Ends the whole tree at once with SIGKILL: for a program that has finished its work and only
     * lingers (perf record waiting for its side-band thread). Its output stays readable to the end:
     * the signal goes through {@link ProcessHandle}, since {@code Process.destroyForcibly()} also
     * closes the process's streams, and what was still in the pipe would be lost.
     */
    public void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        p.toHandle().destroyForcibly();
    }

    /** SIGTERM to the tree (children first), SIGKILL to what is left after two seconds. */
    void killTree() {
        Process p = process;
        if (p == null) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>();
        p.toHandle().descendants().forEach(all::add);
        all.add(p.toHandle());
        for (ProcessHandle h : all) {
            h.destroy();
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (ProcessHandle h : all) {
            long left = until - System.nanoTime();
            try {
                h.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                h.destroyForcibly();
            } catch (InterruptedException e) {
                h.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void joinPumps() {
        join(errPump);
        join(outPump);
    }

    private void join(Thread t) {
        if (t == null) {
            return;
        }
        long left = Math.max(deadlineNanos - System.nanoTime(), TimeUnit.SECONDS.toNanos(5));
        try {
            t.join(TimeUnit.NANOSECONDS.toMillis(left) + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Streams implements ExecuteStreamHandler {
        @Override
        public void setProcessInputStream(OutputStream os) throws IOException {
            if (writeStdin) {
                stdin = os;
            } else {
                os.close();
            }
        }

        @Override
        public void setProcessErrorStream(InputStream is) {
            errPump = new Thread(() -> pumpLines(is), "stderr " + argv.get(0));
            errPump.setDaemon(true);
        }

        @Override
        public void setProcessOutputStream(InputStream is) {
            if (streamStdout) {
                stdout = new FilterInputStream(is) {
                    // once at the end, commons-exec may close the process stream at any time:
                    // later reads must not touch it
                    private volatile boolean eof;

                    @Override
                    public int read() throws IOException {
                        if (eof) {
                            return -1;
                        }
                        int b = super.read();
                        if (b < 0) {
                            eof = true;
                            stdoutDone.countDown();
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buf, int off, int len) throws IOException {
                        if (eof) {
                            return -1;
                        }
                        int n = super.read(buf, off, len);
                        if (n < 0) {
                            eof = true;
                            stdoutDone.countDown();
                        }
                        return n;
                    }

                    @Override
                    public int available() throws IOException {
                        return eof ? 0 : super.available();
                    }

                    @Override
                    public void close() throws IOException {
                        stdoutDone.countDown();
                        super.close();
                    }
                };
            } else {
                outPump = new Thread(() -> collect(is), "stdout " + argv.get(0));
                outPump.setDaemon(true);
            }
        }

        @Override
        public void start() {
            if (errPump != null) {
                errPump.start();
            }
            if (outPump != null) {
                outPump.start();
            }
            launched.countDown();
        }

        @Override
        public void stop() {
            // commons-exec closes the process streams after this returns: the stream handed out
            // must be read to its end (or closed) first, or the last bytes perf wrote would be lost
            if (streamStdout) {
                long left = deadlineNanos - System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                try {
                    stdoutDone.await(Math.max(left, 1), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            joinPumps();
        }
    }

    private void pumpLines(InputStream is) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = is.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        emit(line);
                    } else if (line.size() < 64 * 1024) {
                        line.write(buf[i]);
                    }
                }
            }
        } catch (IOException e) {
            // stream closed because the process ended
        }
        if (line.size() > 0) {
            emit(line);
        }
    }

    private void emit(ByteArrayOutputStream line) {
        String s = line.toString(StandardCharsets.UTF_8);
        if (s.endsWith("\r")) {
            s = s.substring(0, s.length() - 1);
        }
        line.reset();
        synchronized (stderrLines) {
            if (stderrLines.size() < MAX_STDERR_LINES) {
                stderrLines.add(s);
            }
        }
        stderrConsumer.accept(s);
    }

    private void collect(InputStream is) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = is.read(buf)) > 0) {
                synchronized (collected) {
                    if (collected.size() + n <= MAX_COLLECTED) {
                        collected.write(buf, 0, n);
                    }
                }
            }
        } catch (IOException e) {
            // stream closed because the process ended
        }
    }
}
