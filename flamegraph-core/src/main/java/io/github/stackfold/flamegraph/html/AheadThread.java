package io.github.stackfold.flamegraph.html;

import io.github.stackfold.flamegraph.internal.Threads;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Supplier;

/**
 * Runs a {@link Producer} on its own thread, a few items ahead of the one thread that {@link #take}s
 * them; taken items come back with {@link #recycle} to be filled again. What the producer throws is
 * thrown again by {@link #take}, after the items before it. The viewer's two pipelines run so: folded
 * lines read ahead of the merge ({@link RawStacks}), frames split ahead of the writer ({@link StackEncoder}).
 */
final class AheadThread<T> implements Runnable {
    /** Fills items one after the other until it is done. */
    interface Producer<T> {
        boolean done();

        /** Fills {@code item} with what comes next and returns it. */
        T next(T item) throws IOException;
    }

    private static final int AHEAD = 4;
    /** How many items go round at the most: those the thread is ahead by, the one it fills, the one taken. */
    static final int ITEMS = AHEAD + 2;
    private static final Object END = new Object();
    private final Producer<T> producer;
    /** Room for every item and the end or an error: the thread never waits to hand one over. */
    private final BlockingQueue<Object> full = new ArrayBlockingQueue<>(ITEMS + 1);
    private final BlockingQueue<T> empty = new ArrayBlockingQueue<>(ITEMS);
    private final String work;
    private final Thread thread;

    /**
     * Starts the thread.
     *
     * @param made how many items to make with {@code item} (at most {@link #ITEMS}, less by those the
     *        taker recycles of its own)
     * @param name the thread's name
     * @param work what is done, for the error of an interrupted {@link #take} ("reading folded stacks")
     */
    AheadThread(Producer<T> producer, Supplier<T> item, int made, String name, String work) {
        this.producer = producer;
        this.work = work;
        for (int i = 0; i < made; i++) {
            empty.add(item.get());
        }
        thread = new Thread(this, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        try {
            while (!producer.done()) {
                full.put(producer.next(empty.take()));
            }
            full.put(END);
        } catch (InterruptedException e) {
            // the taker stopped
        } catch (IOException | RuntimeException | Error e) {
            full.offer(e);
        }
    }

    /** The next item, null at the end. */
    @SuppressWarnings("unchecked")
    T take() throws IOException {
        Object o;
        try {
            o = full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + work);
        }
        if (o == END) {
            return null;
        }
        if (o instanceof IOException) {
            throw (IOException) o;
        }
        if (o instanceof RuntimeException) {
            throw (RuntimeException) o;
        }
        if (o instanceof Error) {
            throw (Error) o;
        }
        return (T) o;
    }

    void recycle(T item) {
        empty.offer(item);
    }

    /**
     * Stops the thread: interrupts it and, with {@code join}, waits for it. A taker that failed does not
     * wait: the thread may be blocked reading a pipe.
     */
    void close(boolean join) {
        thread.interrupt();
        if (join) {
            Threads.joinUninterruptibly(thread);
        }
    }
}
