package io.github.stackfold.flamegraph.render;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Lays lines out on a thread of its own while {@link FoldedSamples.Builder} is still reading them
 * ({@link FoldedSamples#readAndLayOut}), so that reading and laying out, the two long steps of a
 * flame graph, run on two cores at once.
 *
 * <p>The reader hands over its arrays after each read: lines {@code [0, n)} of them are never
 * written again (the builder appends, and grows an array by copying it), so the layout thread reads
 * them without locks; the queue orders the hand-over. The layout gives up at the first line out of
 * sorted order, and the reader's thread then lays the lines out itself once they are all read.
 */
final class ConcurrentLayout implements Runnable {
    /** Lines {@code [0, n)}: {@code data[offsets[i], offsets[i + 1])}, {@code counts[i]}, {@code counts2[i]} (may be null). */
    private record Batch(byte[] data, int[] offsets, double[] counts, double[] counts2, int n) {
    }

    private static final Batch END = new Batch(null, null, null, null, 0);
    private static final Batch CANCEL = new Batch(null, null, null, null, 0);

    private final BlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private final int frameCapacity;
    private final FrameLayout.Pruning pruning;
    private final Thread thread;
    /** Set by the layout thread when it stops early: no more batches are needed. */
    private volatile boolean stopped;
    /** Written by the layout thread before it ends; read after {@code join}. */
    private FrameLayout result;

    ConcurrentLayout(int frameCapacity, FrameLayout.Pruning pruning) {
        this.frameCapacity = frameCapacity;
        this.pruning = pruning;
        this.thread = new Thread(this, "stackfold-layout");
        thread.setDaemon(true);
        thread.start();
    }

    /** Hands over lines {@code [0, n)}: those not handed over before are laid out next. */
    void offer(byte[] data, int[] offsets, double[] counts, double[] counts2, int n) {
        if (!stopped) {
            queue.add(new Batch(data, offsets, counts, counts2, n));
        }
    }

    /** After the last {@link #offer}: the layout of every line, or null when the lines were not sorted. */
    FrameLayout finish() {
        queue.add(END);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
            return null;
        }
        return result;
    }

    /** Stops the layout thread without a result (reading failed). */
    void cancel() {
        stopped = true;
        queue.add(CANCEL);
    }

    @Override
    public void run() {
        try {
            // made here, not by the reader: its arrays are megabytes of fresh memory to fault in
            FrameLayout.Incremental layout = new FrameLayout.Incremental(frameCapacity, pruning);
            int laidOut = 0;
            while (true) {
                Batch b = queue.take();
                if (b == CANCEL) {
                    return;
                }
                if (b == END) {
                    result = layout.finish();
                    return;
                }
                for (int i = laidOut; i < b.n; i++) {
                    double c2 = b.counts2 == null ? Double.NaN : b.counts2[i];
                    if (!layout.add(b.data, b.offsets[i], b.offsets[i + 1], b.counts[i], c2)) {
                        stopped = true; // not sorted: the reader's thread lays the lines out after reading
                        return;
                    }
                }
                laidOut = b.n;
            }
        } catch (InterruptedException | RuntimeException | OutOfMemoryError e) {
            // no result: FrameLayout.of lays the lines out again on the caller's thread, where a
            // failure that is not this thread's own surfaces as it would without this thread
            stopped = true;
        }
    }
}
