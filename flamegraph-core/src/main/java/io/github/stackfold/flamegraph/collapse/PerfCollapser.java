package io.github.stackfold.flamegraph.collapse;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.NotEnoughMemoryException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.folded.ProfileMeta;
import io.github.stackfold.flamegraph.internal.Folder;
import io.github.stackfold.flamegraph.io.Inputs;
import io.github.stackfold.flamegraph.internal.Bytes;
import io.github.stackfold.flamegraph.internal.ReadBuffer;
import io.github.stackfold.flamegraph.internal.Threads;
import io.github.stackfold.flamegraph.parse.PerfScriptParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>With {@link CollapseOptions#srcline()} the input is {@code perf script -F+srcline} output, a
 * source line under each stack line (a file and line, or {@code module[offset]} where perf has none):
 *
 * <pre>
 * inl 12700  1515.732065:    3344481 cpu-clock:
 * 	            110b main+0x8b (/tmp/collapse-inl/inl)
 *   inl.c:48
 * 	           2724a __libc_start_call_main+0x7a (/usr/lib/x86_64-linux-gnu/libc.so.6)
 *   libc-start.c:74
 * 	ffffffff8170f0fc fdget_pos+0x3c ([kernel.kallsyms])
 *   [kernel.kallsyms][ffffffff8170f0fc]
 * </pre>
 *
 * <p>folded as {@code inl;__libc_start_call_main:libc-start.c:74;main:inl.c:48;fdget_pos} (bracketed
 * text dropped). With {@link CollapseOptions#inline()} frames are expanded by {@code addr2line}. Both
 * fold on one thread.
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

    /**
     * What a collapsed profile's weights are: perf's periods, which are CPU nanoseconds for the software
     * clocks ({@code cpu-clock}, {@code task-clock}) and event counts otherwise; a sample without a
     * period counts 1, so a profile of such samples (older perf) has counts = samples. The duration is
     * not known here (the recorder knows it).
     */
    static ProfileMeta meta(long samples, long periods, String event, boolean countSamples) {
        return ProfileMeta.ofPerf(samples, periods, event, countSamples, 0);
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
        /**
         * Folded on the calling thread while the event filter is undecided: the first event line is
         * normally in the first lines, and until then nothing runs in parallel (64 KiB took 15-20 ms
         * there, folded by code not yet compiled; 4 KiB takes 7-10 ms, most of it the first read).
         */
        private static final int FIRST_PIECE = 1 << 12;

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
            long[] read = new long[1];
            try {
                InputStream d = counted(Inputs.decompress(in, sourceName), read);
                byte[] head = d.readNBytes(SNIFF);
                sniff(head, sourceName);
                if (options.threads() <= 1 || options.srcline() || options.inline()) {
                    // source lines belong to the stack line before them, and addr2line runs a
                    // process per address: folded in input order on this thread
                    recognized = sequential(d, head, sourceName);
                } else {
                    recognized = parallel(d, head, sourceName);
                }
            } catch (OutOfMemoryError e) {
                stopWorkers();
                workers.clear();
                throw new NotEnoughMemoryException(sourceName, String.format("%,d bytes of text", read[0]), e);
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
            boolean whole = head.length < SNIFF; // the head is the whole input: no buffer to read into
            byte[] first = whole ? head : new byte[Math.max(READ_BUFFER, head.length)];
            System.arraycopy(head, 0, first, 0, head.length);
            ReadBuffer b = new ReadBuffer(first, 0, head.length, whole, 0);
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
         * Folds on this thread and {@code threads - 1} workers: the input is read in pieces of about
         * {@link CollapseOptions#chunkBytes} cut at empty lines (where no sample is open). Each thread
         * takes the next piece itself, reading it into its own buffer under a lock, then folds it
         * into its own tables while another thread reads: the piece is still in the cache of the core
         * that read it (a thread that only read and handed pieces to workers left them to fetch
         * every byte from another core's cache). While the event filter is still undecided (the first
         * event seen sets it) only short pieces are folded, here, in input order.
         */
        private boolean parallel(InputStream in, byte[] head, String source) throws IOException {
            Pieces pieces = new Pieces(in, head, head.length < SNIFF, options.chunkBytes());
            List<Pending> done = new ArrayList<>();
            long lineBase = 1;
            byte[] own = new byte[options.chunkBytes()];
            while (main.filter() == null) {
                // the default event filter is the first event: decide it here, in input order
                Piece p = pieces.next(own, FIRST_PIECE);
                if (p == null) {
                    break;
                }
                own = p.buf;
                Folder.Report r = fold(main, p, lineBase);
                done.add(new Pending(r, true));
                lineBase += r.lines;
            }
            int first = pieces.taken();
            Map<Integer, Pending> folded = new ConcurrentHashMap<>();
            List<Future<Void>> helpers = new ArrayList<>();
            try {
                if (!pieces.exhausted()) {
                    for (int i = 1; i < options.threads(); i++) {
                        helpers.add(pool().submit(() -> {
                            drain(pieces, workerFolder.get(), folded, null);
                            return null;
                        }));
                    }
                    drain(pieces, main, folded, own);
                }
                for (Future<Void> h : helpers) {
                    await(h); // a failed piece fails the run here
                }
            } catch (IOException | RuntimeException | Error e) {
                pieces.stop();
                throw e;
            } finally {
                for (Future<Void> h : helpers) {
                    h.cancel(true);
                }
            }
            for (int seq = first; seq < pieces.taken(); seq++) {
                done.add(folded.get(seq));
            }
            boolean recognized = false;
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

        /**
         * Takes pieces (read into {@code own}, or a new buffer when null) and folds them into {@code f}
         * until none is left; pieces number their lines from 1.
         */
        private static void drain(Pieces pieces, Folder f, Map<Integer, Pending> folded, byte[] own)
                throws IOException {
            try {
                while (true) {
                    Piece p = pieces.next(own, 0);
                    if (p == null) {
                        return;
                    }
                    own = p.buf;
                    folded.put(p.seq, new Pending(fold(f, p, 1), false));
                }
            } catch (IOException | RuntimeException | Error e) {
                pieces.stop(); // the others stop at their next piece
                throw e;
            }
        }

        /** Folds a whole piece into {@code f}, its first line numbered {@code firstLine}. */
        private static Folder.Report fold(Folder f, Piece p, long firstLine) {
            Folder.Report r = new Folder.Report();
            f.fold(p.buf, 0, p.len, firstLine, p.offset, r);
            f.endPiece(r);
            return r;
        }

        /** A piece of input: {@code buf[0, len)} ends just after an empty line (or at the end of the input). */
        private record Piece(byte[] buf, int len, long offset, int seq) {
        }

        /**
         * The input cut into pieces at empty lines, handed out in order to whichever thread asks; the
         * start of a sample that a read cut off is carried into the next piece.
         */
        private static final class Pieces {
            private final InputStream in;
            private final int chunk;
            private byte[] carry;
            private int carryLen;
            private long offset;
            private boolean eof;
            private int taken;
            private volatile boolean stopped;

            /** {@code head}: the bytes already read from {@code in} (all of it when {@code eof}). */
            Pieces(InputStream in, byte[] head, boolean eof, int chunk) {
                this.in = in;
                this.chunk = chunk;
                this.carry = head;
                this.carryLen = head.length;
                this.eof = eof;
            }

            /**
             * The next piece, read into {@code own} (or a larger array when a sample does not fit),
             * cut after the last empty line, or after the first one at or beyond {@code minCut} when
             * that is positive; null when the input is used up or another thread failed.
             */
            synchronized Piece next(byte[] own, int minCut) throws IOException {
                byte[] b = own;
                while (!stopped) {
                    if (eof && carryLen == 0) {
                        return null;
                    }
                    if (b == null || b.length < carryLen + chunk / 2) {
                        b = new byte[carryLen + chunk]; // a sample longer than a piece
                    }
                    System.arraycopy(carry, 0, b, 0, carryLen);
                    int want = b.length - carryLen;
                    int n = eof ? 0 : in.readNBytes(b, carryLen, want);
                    int total = carryLen + n;
                    eof |= n < want;
                    int cut;
                    if (eof) {
                        cut = total;
                    } else if (minCut > 0) {
                        cut = firstCut(b, Math.min(total, minCut), total);
                    } else {
                        cut = lastCut(b, total);
                    }
                    carryLen = total - cut;
                    carry = ensure(carry, carryLen);
                    System.arraycopy(b, cut, carry, 0, carryLen);
                    if (cut > 0) {
                        Piece p = new Piece(b, cut, offset, taken++);
                        offset += cut;
                        return p;
                    }
                    // no empty line in all of it yet: read on, with what was read carried
                }
                return null;
            }

            /** How many pieces were handed out. */
            synchronized int taken() {
                return taken;
            }

            synchronized boolean exhausted() {
                return eof && carryLen == 0;
            }

            void stop() {
                stopped = true;
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

        private static <T> T await(Future<T> f) throws IOException {
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while folding");
            } catch (ExecutionException e) {
                Threads.rethrowIfPossible(e.getCause());
                throw new UncheckedIOException(new IOException(e.getCause()));
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
                pool = Executors.newFixedThreadPool(Math.max(1, options.threads() - 1), r -> {
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

        /** {@code in}, adding the bytes read to {@code read[0]} (for a message if memory runs out). */
        private static InputStream counted(InputStream in, long[] read) {
            return new java.io.FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        read[0]++;
                    }
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int r = in.read(b, off, len);
                    if (r > 0) {
                        read[0] += r;
                    }
                    return r;
                }
            };
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
            FoldedProfile.RawBuilder b = FoldedProfile.rawBuilder();
            List<Folder> all = new ArrayList<>();
            all.add(main);
            synchronized (workers) {
                all.addAll(workers);
            }
            long lines = 0;
            long samples = 0;
            long periods = 0;
            long bad = 0;
            Map<String, Long> dropped = new TreeMap<>();
            for (Folder f : all) {
                if (f != main) {
                    main.mergeStacksFrom(f);
                }
                lines += f.lines();
                samples += f.samples();
                periods += f.periodSum();
                bad += f.badLines();
                f.droppedInto(dropped);
            }
            main.emit(b);
            byte[] filter = main.filter();
            options.listener().finished(new CollapseStats(lines, samples, bad,
                    filter == null ? null : new String(filter, StandardCharsets.ISO_8859_1),
                    main.filterDefaulted(), Collections.unmodifiableMap(dropped)));
            FoldedProfile folded = b.build();
            String event = filter == null ? "" : new String(filter, StandardCharsets.ISO_8859_1);
            return folded.withMeta(meta(samples, periods, event, options.countSamples()));
        }

        /** A folded piece; pieces folded by workers number their lines from 1. */
        private record Pending(Folder.Report report, boolean numberedInInput) {
        }
    }
}
