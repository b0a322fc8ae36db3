package io.github.stackfold.flamegraph.collapse;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.internal.Folder;
import io.github.stackfold.flamegraph.io.Inputs;
import io.github.stackfold.flamegraph.internal.Bytes;
import io.github.stackfold.flamegraph.internal.ReadBuffer;
import io.github.stackfold.flamegraph.parse.PerfScriptParser;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Folds {@code perf script} output into a {@link FoldedProfile}, byte-identical to FlameGraph's
 * {@code stackcollapse-perf.pl} with the same flags (see {@link CollapseOptions}); line shapes are
 * documented in {@link PerfScriptParser}. Inputs are streamed: memory grows with the number of
 * distinct stacks, not with the input. Compressed input (gzip, xz, bzip2, zstd) is recognised by
 * content.
 *
 * <p>With {@link CollapseOptions#threads()} above 1, an input is cut into pieces at empty lines (where
 * the reference's state is reset) and the pieces are folded in parallel; the result is the same.
 *
 * <p>Not for: rendering ({@code flamegraph} package) or reading folded files ({@link FoldedProfile#read}).
 * Instances are immutable and thread-safe; a {@link Session} is not.
 */
public final class PerfCollapser {
    private final CollapseOptions options;

    private PerfCollapser(CollapseOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public static PerfCollapser create(CollapseOptions options) {
        return new PerfCollapser(options);
    }

    public CollapseOptions options() {
        return options;
    }

    /**
     * Folds one input.
     *
     * @throws BadInputException when the input is not {@code perf script} text at all (empty, binary,
     *     JSON, or no event or stack line anywhere); bad lines inside valid input only go to the listener
     */
    public FoldedProfile collapse(InputStream in, String sourceName) throws IOException {
        Session s = session();
        s.add(in, sourceName);
        return s.finish();
    }

    /** Folds several files ({@code -}: standard input) into one profile, as if they were one input. */
    public FoldedProfile collapse(List<Path> files) throws IOException {
        Session s = session();
        for (Path p : files) {
            try (InputStream in = Inputs.open(p)) {
                s.add(in, Inputs.sourceName(p));
            }
        }
        return s.finish();
    }

    /** A session to fold several inputs into one profile: {@link Session#add} each, then {@link Session#finish}. */
    public Session session() {
        return new Session(options);
    }

    /**
     * Folds inputs one after the other into one profile. The first event of the first input that names
     * one sets the default event filter for all of them; a sample left open at the end of one input is
     * dropped (as the reference drops one at the end of its input).
     */
    public static final class Session {
        private static final int SNIFF = 1 << 16;
        private static final int READ_BUFFER = 1 << 20;
        /** Folded on the calling thread while the event filter is undecided. */
        private static final int FIRST_PIECE = 1 << 16;

        private final CollapseOptions options;
        private final Folder main;
        private final List<Folder> workers = Collections.synchronizedList(new ArrayList<>());
        private ExecutorService pool;
        private ThreadLocal<Folder> workerFolder;
        private long reported;
        private boolean finished;

        private Session(CollapseOptions options) {
            this.options = options;
            String f = options.eventFilter();
            this.main = new Folder(options, f == null ? null : f.getBytes(StandardCharsets.ISO_8859_1), false);
        }

        /** Folds one input (decompressed by content here). */
        public Session add(InputStream in, String sourceName) throws IOException {
            if (finished) {
                throw new IllegalStateException("session already finished");
            }
            Objects.requireNonNull(sourceName, "sourceName");
            boolean recognized;
            try {
                InputStream d = Inputs.decompress(in);
                byte[] head = d.readNBytes(SNIFF);
                sniff(head, sourceName);
                if (options.threads() <= 1) {
                    recognized = sequential(d, head, sourceName);
                } else {
                    recognized = parallel(new SequenceInputStream(new ByteArrayInputStream(head), d), sourceName);
                }
            } catch (IOException | RuntimeException | Error e) {
                stopWorkers(); // a failed session keeps no threads
                throw e;
            }
            if (!recognized) {
                stopWorkers();
                throw new BadInputException(sourceName, "no event or stack line found; expected the text output of"
                        + " 'perf script' (lines like 'java 4711 [001] 123.456: 1000 cpu-clock:' followed by stack"
                        + " lines and an empty line)");
            }
            return this;
        }

        /** Rejects what is obviously not perf script text before reading it all. */
        private static void sniff(byte[] head, String source) throws IOException {
            if (head.length == 0) {
                throw new BadInputException(source, "empty input; expected the text output of 'perf script'");
            }
            if (head.length >= 8 && new String(head, 0, 7, StandardCharsets.ISO_8859_1).equals("PERFILE")) {
                throw new BadInputException(source, "a perf.data file, not text; convert it first with"
                        + " 'perf script -i FILE > FILE.txt'");
            }
            for (byte c : head) {
                if (c == 0) {
                    throw new BadInputException(source, "binary data (NUL bytes), not the text output of 'perf script'");
                }
            }
            int i = 0;
            while (i < head.length && Bytes.isBlank(head[i])) {
                i++;
            }
            if (i < head.length && (head[i] == '{' || head[i] == '[')) {
                int j = i + 1;
                while (j < head.length && Bytes.isBlank(head[j])) {
                    j++;
                }
                if (head[i] == '{' || j == head.length || head[j] == '{' || head[j] == '[' || head[j] == '"'
                        || head[j] == ']') {
                    throw new BadInputException(source, "JSON, not the text output of 'perf script'");
                }
            }
        }

        /**
         * Folds on this thread: reads into one buffer (grown only for a line longer than it) and folds
         * the complete lines of each read; {@code head}, the bytes already read, comes first.
         */
        private boolean sequential(InputStream in, byte[] head, String source) throws IOException {
            byte[] first = new byte[Math.max(READ_BUFFER, head.length)];
            System.arraycopy(head, 0, first, 0, head.length);
            ReadBuffer b = new ReadBuffer(first, 0, head.length, head.length < SNIFF, 0);
            long line = 1;
            Folder.Report r = new Folder.Report();
            while (true) {
                if (!b.eof) {
                    b.fill(in);
                }
                int cut = b.eof ? b.limit : Bytes.afterLastNewline(b.buf, b.start, b.limit);
                if (cut > b.start) {
                    long before = r.lines;
                    main.fold(b.buf, b.start, cut, line, b.base + b.start, r);
                    line += r.lines - before;
                    b.start = cut;
                }
                if (b.eof) {
                    break;
                }
            }
            main.endPiece(r);
            if (r.recognized) {
                deliver(source, r, 0);
            }
            return r.recognized;
        }

        /**
         * Folds on worker threads: the input is read in pieces of about {@link CollapseOptions#chunkBytes}
         * cut at empty lines (where no sample is open), each folded by a worker into its own tables.
         * The read buffers are recycled (a fresh multi-megabyte array per piece cost more in page
         * faults and zeroing than the folding), and while the event filter is still undecided (the
         * first event seen sets it) only a short first piece is folded here, in input order.
         */
        private boolean parallel(InputStream in, String source) throws IOException {
            int chunk = options.chunkBytes();
            int buffers = options.threads() * 2 + 1;
            BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(buffers);
            byte[] carry = new byte[0];
            int carryLen = 0;
            long offset = 0;
            long lineBase = 1;
            boolean recognized = false;
            int made = 0;
            ArrayDeque<Future<Pending>> inFlight = new ArrayDeque<>();
            List<Pending> done = new ArrayList<>();
            boolean eof = false;
            try {
                while (!eof) {
                    while (!inFlight.isEmpty() && inFlight.peek().isDone()) {
                        done.add(await(inFlight.poll())); // in order; a failed piece fails the run here
                    }
                    byte[] block = free.poll();
                    if (block == null && made < buffers) {
                        block = new byte[chunk];
                        made++;
                    } else if (block == null) {
                        block = take(free); // a worker gives its buffer back when its piece is folded
                    }
                    if (block.length < carryLen + chunk / 2) {
                        block = new byte[carryLen + chunk]; // a sample longer than a piece
                    }
                    System.arraycopy(carry, 0, block, 0, carryLen);
                    int want = block.length - carryLen;
                    int n = in.readNBytes(block, carryLen, want);
                    int total = carryLen + n;
                    eof = n < want;
                    int cut;
                    if (eof) {
                        cut = total;
                    } else if (main.filter() == null) {
                        cut = firstCut(block, Math.min(total, FIRST_PIECE), total);
                    } else {
                        cut = lastCut(block, total);
                    }
                    carryLen = total - cut; // the start of a sample, for the next piece
                    carry = ensure(carry, carryLen);
                    System.arraycopy(block, cut, carry, 0, carryLen);
                    if (cut == 0) {
                        free.offer(block); // no empty line yet: read on
                        continue;
                    }
                    final long pieceOffset = offset;
                    if (main.filter() == null) {
                        // the default event filter is the first event: decide it here, in input order
                        Folder.Report r = new Folder.Report();
                        main.fold(block, 0, cut, lineBase, pieceOffset, r);
                        main.endPiece(r);
                        done.add(new Pending(r, true));
                        lineBase += r.lines;
                        free.offer(block);
                    } else {
                        final byte[] data = block;
                        final int len = cut;
                        inFlight.add(pool().submit(() -> {
                            try {
                                Folder f = workerFolder.get();
                                Folder.Report r = new Folder.Report();
                                f.fold(data, 0, len, 1, pieceOffset, r);
                                f.endPiece(r);
                                return new Pending(r, false);
                            } finally {
                                free.offer(data);
                            }
                        }));
                    }
                    offset += cut;
                }
                while (!inFlight.isEmpty()) {
                    done.add(await(inFlight.poll()));
                }
            } finally {
                for (Future<Pending> f : inFlight) {
                    f.cancel(true);
                }
            }
            for (Pending p : done) {
                recognized |= p.report.recognized;
            }
            if (recognized) {
                long base = 1; // the first line number of each piece, in input order
                for (Pending p : done) {
                    deliver(source, p.report, p.numberedInInput ? 0 : base - 1);
                    base += p.report.lines;
                }
            }
            return recognized;
        }

        private static byte[] take(BlockingQueue<byte[]> free) throws InterruptedIOException {
            try {
                return free.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while folding");
            }
        }

        private static byte[] ensure(byte[] b, int n) {
            return b.length >= n ? b : new byte[Math.max(n, b.length * 2)];
        }

        /** Just after the first empty line in {@code b[from, len)}, else after the last one before it, or 0. */
        private static int firstCut(byte[] b, int from, int len) {
            for (int i = Math.max(from, 2); i <= len; i++) {
                if (b[i - 1] == '\n' && b[i - 2] == '\n') {
                    return i;
                }
            }
            return lastCut(b, Math.min(from, len));
        }

        /** Just after the last empty line in {@code b[0, len)}, or 0. */
        private static int lastCut(byte[] b, int len) {
            for (int i = len; i >= 2; i--) {
                if (b[i - 1] == '\n' && b[i - 2] == '\n') {
                    return i;
                }
            }
            return 0;
        }

        private static Pending await(Future<Pending> f) throws IOException {
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while folding");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof IOException) {
                    throw (IOException) c;
                }
                if (c instanceof RuntimeException) {
                    throw (RuntimeException) c;
                }
                if (c instanceof Error) {
                    throw (Error) c;
                }
                throw new UncheckedIOException(new IOException(c));
            }
        }

        private void stopWorkers() {
            if (pool != null) {
                pool.shutdownNow();
                pool = null;
            }
        }

        private ExecutorService pool() {
            if (pool == null) {
                byte[] filter = main.filter();
                boolean defaulted = main.filterDefaulted();
                workerFolder = ThreadLocal.withInitial(() -> {
                    Folder f = new Folder(options, filter, defaulted);
                    workers.add(f);
                    return f;
                });
                pool = Executors.newFixedThreadPool(options.threads(), r -> {
                    Thread t = new Thread(r, "stackfold-collapse");
                    t.setDaemon(true);
                    return t;
                });
            }
            return pool;
        }

        private void deliver(String source, Folder.Report r, long lineShift) {
            CollapseListener l = options.listener();
            for (Folder.BadLine bad : r.bad) {
                if (reported >= options.maxBadLineReports()) {
                    return;
                }
                reported++;
                l.badLine(new BadInputException(source, bad.line() + lineShift, bad.offset(),
                        "unrecognized line " + excerpt(bad.text()) + " (expected an event line 'comm pid [cpu] time:"
                                + " period event:', a stack line 'address symbol (module)', or an empty line)"));
            }
        }

        private static String excerpt(String raw) {
            String text = FoldedProfile.decode(raw).strip();
            StringBuilder sb = new StringBuilder("'");
            for (int i = 0; i < text.length() && i < 100; i++) {
                char c = text.charAt(i);
                sb.append(Character.isISOControl(c) ? '?' : c);
            }
            if (text.length() > 100) {
                sb.append("...");
            }
            return sb.append('\'').toString();
        }

        /** The profile of everything added; tells the listener the statistics. */
        public FoldedProfile finish() {
            if (finished) {
                throw new IllegalStateException("session already finished");
            }
            finished = true;
            stopWorkers();
            FoldedProfile.Builder b = FoldedProfile.builder();
            List<Folder> all = new ArrayList<>();
            all.add(main);
            synchronized (workers) {
                all.addAll(workers);
            }
            long lines = 0;
            long samples = 0;
            long bad = 0;
            Map<String, Long> dropped = new TreeMap<>();
            for (Folder f : all) {
                f.emit(b);
                lines += f.lines();
                samples += f.samples();
                bad += f.badLines();
                f.droppedInto(dropped);
            }
            byte[] filter = main.filter();
            options.listener().finished(new CollapseStats(lines, samples, bad,
                    filter == null ? null : new String(filter, StandardCharsets.ISO_8859_1),
                    main.filterDefaulted(), Collections.unmodifiableMap(dropped)));
            return b.build();
        }

        /** A folded piece; pieces folded by workers number their lines from 1. */
        private record Pending(Folder.Report report, boolean numberedInInput) {
        }
    }
}
