package io.github.stackfold.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The training run of the {@code flame} launcher's class-data sharing archive: it runs the commands a
 * short run spends its start-up on ({@code collapse} on one and two threads, {@code flamegraph},
 * {@code diff}, {@code analyze}) in this JVM, on generated {@code perf script} text, with all output
 * discarded. The launcher runs it under {@code -XX:DumpLoadedClassList}, and dumps the classes it
 * loaded into an archive that later runs map instead of loading, verifying and linking each class
 * from the jar (see the {@code flame} script).
 *
 * <p>How to run: {@code java -cp flame.jar io.github.stackfold.cli.ClassListTraining}; exit code 0
 * when every command succeeded, else the first failing command's exit code.
 */
public final class ClassListTraining {
    /**
     * Samples generated: 2.9 MB of text, several of the collapser's 1 MiB pieces, so that the
     * two-thread collapse starts its worker and the classes of that path (the thread pool, the
     * collapser's lambdas) go into the archive. With 3,000 samples (0.7 MB) the first piece took the
     * whole input, and a 194 MB collapse loaded those classes from the JDK's modules and spun its
     * lambdas at run time.
     */
    static final int SAMPLES = 12_000;

    private ClassListTraining() {
    }

    public static void main(String[] args) throws IOException {
        System.exit(train());
    }

    /** Runs the commands; 0 when all succeeded, else the first failing command's exit code. */
    static int train() throws IOException {
        byte[] perfScript = perfScript(SAMPLES);
        ByteArrayOutputStream folded = new ByteArrayOutputStream();
        int code = run(List.of("collapse", "--threads", "1", "-"), perfScript, folded);
        if (code == 0) {
            code = run(List.of("collapse", "--threads", "2", "-"), perfScript, OutputStream.nullOutputStream());
        }
        if (code == 0) {
            code = run(List.of("flamegraph", "-"), folded.toByteArray(), OutputStream.nullOutputStream());
        }
        if (code == 0) {
            Path before = Files.createTempFile("stackfold-training", ".folded");
            try {
                Files.write(before, folded.toByteArray());
                code = run(List.of("diff", before.toString(), "-"), folded.toByteArray(), OutputStream.nullOutputStream());
            } finally {
                Files.delete(before);
            }
        }
        if (code == 0) {
            code = run(List.of("analyze", "-"), folded.toByteArray(), OutputStream.nullOutputStream());
        }
        if (code == 0) {
            // a line of no perf script shape (a recording cut short): warned about, not fatal
            byte[] cut = (new String(perfScript(20), StandardCharsets.UTF_8) + "7f595c9416e6\n").getBytes(StandardCharsets.UTF_8);
            code = run(List.of("collapse", "-"), cut, OutputStream.nullOutputStream());
        }
        if (code == 0) {
            waitForHandOvers();
        }
        return code;
    }

    /**
     * A thread that waits for another's hand-over, as a flame graph's layout thread waits for lines
     * and a two-thread collapse waits for its worker: the training commands are too short to wait,
     * and a real run then loaded the JDK's blocking classes (a condition wait blocks through
     * ForkJoinPool.managedBlock, whose class sets up the common pool) from its modules, not the
     * archive (medians of 25 interleaved runs with them archived: a 100k-stack flame graph 316 ->
     * 309 ms).
     */
    static void waitForHandOvers() {
        BlockingQueue<Boolean> queue = new LinkedBlockingQueue<>();
        ReentrantLock lock = new ReentrantLock();
        Thread waiter = new Thread(() -> {
            try {
                queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lock.lock(); // held by the main thread: waits for it
            lock.unlock();
        }, "training-waiter");
        lock.lock();
        try {
            waiter.start();
            while (waiter.getState() != Thread.State.WAITING && waiter.isAlive()) { // in take()
                Thread.onSpinWait();
            }
            queue.add(Boolean.TRUE);
            while (!lock.hasQueuedThread(waiter) && waiter.isAlive()) { // in lock()
                Thread.onSpinWait();
            }
        } finally {
            lock.unlock();
        }
        try {
            waiter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int run(List<String> args, byte[] stdin, OutputStream stdout) {
        return FlameCli.run(args.toArray(new String[0]), new ByteArrayInputStream(stdin), stdout,
                OutputStream.nullOutputStream());
    }

    /**
     * {@code perf script} text of {@code samples} samples of a few processes and stacks, in the shapes
     * a real recording has (kernel, shared-library, JIT and unknown frames).
     */
    public static byte[] perfScript(int samples) {
        String[] frames = {
            "ffffffff8a2c7d1e do_syscall_64+0x5e ([kernel.kallsyms])",
            "7f3a1c2b4e10 __libc_read+0x10 (/usr/lib/x86_64-linux-gnu/libc.so.6)",
            "7f3a0d4c1a2b void io.example.Server.handle(io.example.Request)+0x4b (/tmp/perf-4242.map)",
            "55d0c3a1b2c4 main.serve+0x44 (/usr/bin/server)",
            "55d0c3a1b000 [unknown] (/usr/bin/server)",
        };
        StringBuilder sb = new StringBuilder(samples * 160);
        for (int i = 0; i < samples; i++) {
            String comm = i % 3 == 0 ? "server" : "worker-" + (i % 5);
            sb.append(comm).append(' ').append(4242 + i % 2).append('/').append(4300 + i % 7)
                    .append(" [00").append(i % 2).append("] ").append(1000 + i / 100).append('.')
                    .append(String.format("%06d", i % 100 * 10_000)).append(":    1001001 cpu-clock:pppH: \n");
            for (int f = i % frames.length; f < frames.length; f++) {
                sb.append('\t').append(frames[f]).append('\n');
            }
            sb.append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
