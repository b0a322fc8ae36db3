package io.github.stackfold.flamegraph.perfdata;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.FrameSymbolizer;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.folded.ProfileMeta;
import io.github.stackfold.flamegraph.internal.FrameNamer;
import io.github.stackfold.flamegraph.internal.SortedProfiles;
import io.github.stackfold.flamegraph.internal.StackTable;
import io.github.stackfold.flamegraph.internal.Threads;
import io.github.stackfold.flamegraph.parse.PerfScriptParser;
import io.github.stackfold.flamegraph.symbolize.BinaryLocator;
import io.github.stackfold.flamegraph.symbolize.SymbolizerListener;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Folds a {@code perf.data} file into folded stacks without perf: the same stacks as
 * {@code perf script -F comm,pid,tid,time,period,event,ip,sym,dso | flame collapse} with the same
 * {@link CollapseOptions} flags (process names, {@code [unknown]} and {@code [module]} frames, the
 * {@code _[k]}/{@code _[j]}/{@code _[i]} marks), naming the frames from the recording's mappings:
 *
 * <ul>
 * <li>user frames from the ELF symbol table of the mapped file ({@code .symtab}, else {@code .dynsym}),
 *     found (in this order) by the {@link Builder#locator locator} ({@code --binary}, {@code --symfs}),
 *     in perf's build-id cache ({@code ~/.debug/.build-id/ab/cdef.../elf}) and at its recorded path;
 *     a file whose build-id differs from the recorded one is not used (a warning names both) and its
 *     frames stay unnamed;</li>
 * <li>frames of stripped Go binaries from their {@code .gopclntab}, inlined calls too with
 *     {@link Builder#inlineGo}, unless {@link Builder#goSymbols goSymbols(false)};</li>
 * <li>JIT frames from {@code /tmp/perf-PID.map} (anonymous executable memory, as perf does);</li>
 * <li>kernel frames from a kallsyms file: the one given ({@code --kallsyms}), else this machine's
 *     {@code /proc/kallsyms} when the recording was made on this host and kernel (host name and
 *     release, and the kernel's build-id where both are known), else {@code [kernel.kallsyms]}
 *     frames whose addresses are kept for a later {@code --kallsyms}.</li>
 * </ul>
 *
 * <p>Memory follows the distinct stacks (as addresses) and the mappings, not the file size.
 * Immutable; {@link #collapse} may be called from several threads.
 */
public final class PerfDataCollapser {
    private static final String UNKNOWN = "[unknown]";
    /** sample_regs_user of perf record -g on arm64: the link register (x30) alone. */
    private static final long ARM64_LR_MASK = 1L << 30;

    private final CollapseOptions options;
    private final BinaryLocator locator;
    private final Path kallsyms;
    private final boolean hostKallsyms;
    private final boolean goSymbols;
    private final boolean inlineGo;
    private final Path buildIdCache;
    private final Path perfMapDir;
    private final int maxStack;
    private final SymbolizerListener listener;

    private PerfDataCollapser(Builder b) {
        this.options = b.options;
        this.locator = b.locator;
        this.kallsyms = b.kallsyms;
        this.hostKallsyms = b.hostKallsyms;
        this.goSymbols = b.goSymbols;
        this.inlineGo = b.inlineGo;
        this.buildIdCache = b.buildIdCache;
        this.perfMapDir = b.perfMapDir;
        this.maxStack = b.maxStack;
        this.listener = b.listener;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * What a collapse read and folded, besides the stacks.
     *
     * @param profile       the folded stacks, weighed as {@link CollapseOptions#countSamples()} says (periods by
     *                      default), with their {@link FoldedProfile#meta()}
     * @param samples       the same stacks, each counted in samples (for outputs that carry both, such as a
     *                      pprof profile's {@code samples/count} beside its {@code cycles/count})
     */
    public record Result(FoldedProfile profile, PerfDataInfo info, String kernelSymbols, FoldedProfile samples) {
        /**
         * The period of every sample of the profile's event when perf sampled it at a fixed one
         * ({@code perf record -c N}: N); 0 when perf sampled at a frequency ({@code -F}, the default) or the
         * event is not one attribute of the recording.
         */
        public long fixedPeriod() {
            String event = profile.meta().event();
            long period = 0;
            int n = 0;
            for (EventAttr a : info.events()) {
                if (a.name() != null && FoldedProfile.encode(a.name()).equals(event)) {
                    n++;
                    period = a.freq() ? 0 : a.samplePeriod();
                }
            }
            return n == 1 ? period : 0;
        }
    }

    /** Folds a file. */
    public Result collapse(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return collapse(in, file.toString());
        }
    }

    /** Folds a stream (file or pipe mode) named {@code source} in messages. */
    public Result collapse(InputStream in, String source) throws IOException {
        Folding f = new Folding();
        PerfDataInfo info;
        Symbols sym;
        // this machine's kallsyms is read on a thread of its own while the recording is, in case it was made
        // here (known only from the feature sections at the file's end)
        HostKallsyms host = hostKallsyms && kallsyms == null ? new HostKallsyms() : null;
        try {
            info = PerfDataReader.read(in, source, f);
            sym = new Symbols(info, f.dsos, host, f.bins); // binaries are opened while the folder ends
            f.drain();
        } finally {
            f.stop();
            f.bins.endReadAhead();
        }
        return f.finish(info, sym);
    }

    // ---------------------------------------------------------------------------------------------

    /** A mapped object: a file, {@code [vdso]}, a JIT map, the kernel, or nothing ({@code [unknown]}). */
    private static final class Dso {
        final int id;
        final String name;
        String buildId;
        final boolean kernel;
        final boolean perfMap;

        Dso(int id, String name, boolean kernel, boolean perfMap) {
            this.id = id;
            this.name = name;
            this.kernel = kernel;
            this.perfMap = perfMap;
        }
    }

    private record Mapping(long start, long end, long pgoff, Dso dso, boolean identity) {
    }

    private static final class Proc {
        final TreeMap<Long, Mapping> maps;
        /** Bumped by every mmap into {@link #maps}: the snapshot of an older one is stale. */
        int generation;
        /** Mixed into the cache's hash, so that processes mapping the same libraries spread. */
        final int hash;
        private Maps snapshot;
        private int snapshotOf = -1;

        Proc(TreeMap<Long, Mapping> maps, int hash) {
            this.maps = maps;
            this.hash = hash * 0x9e3779b9;
        }

        /** {@link #maps} as they are now, as arrays that never change (read by the folding thread). */
        Maps snapshot() {
            if (snapshot == null || snapshotOf != generation) {
                long[] starts = new long[maps.size()];
                Mapping[] mappings = new Mapping[maps.size()];
                int i = 0;
                for (Mapping m : maps.values()) {
                    starts[i] = m.start;
                    mappings[i++] = m;
                }
                snapshot = new Maps(starts, mappings, hash);
                snapshotOf = generation;
            }
            return snapshot;
        }
    }

    /** A process's (or the kernel's) mappings at one time, searched without boxing; immutable. */
    private static final class Maps {
        private static final java.util.concurrent.atomic.AtomicInteger IDS = new java.util.concurrent.atomic.AtomicInteger();
        final long[] starts;
        final Mapping[] mappings;
        final int hash;
        /** Tells this snapshot apart from every other, from 1 (the folder's cache keeps it beside an address). */
        final int id = IDS.incrementAndGet();

        Maps(long[] starts, Mapping[] mappings, int hash) {
            this.starts = starts;
            this.mappings = mappings;
            this.hash = hash;
        }

        /** The index of the mapping with the greatest start at or below {@code ip} (as TreeMap.floorEntry), or -1. */
        int floor(long ip) {
            int lo = 0;
            int hi = starts.length - 1;
            int at = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (starts[mid] <= ip) {
                    at = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return at;
        }

        /** Mapping {@code i}, or null outside the array. */
        Mapping mapping(int i) {
            return i >= 0 && i < mappings.length ? mappings[i] : null;
        }

        boolean isEmpty() {
            return starts.length == 0;
        }
    }

    private static final class Thread {
        final int pid;
        final int tid;
        String comm;
        Proc proc;
        /** The process name id for {@link #pnameComm} and the sample's pid/tid, or -1. */
        int pname = -1;
        String pnameComm;
        int pnamePid;
        int pnameTid;

        Thread(int pid, int tid) {
            this.pid = pid;
            this.tid = tid;
        }
    }

    /** One collapse: the state perf keeps while reading (threads, maps) and the stacks folded so far. */
    private final class Folding implements PerfDataHandler {
        final Map<Integer, Thread> threads = new HashMap<>();
        final Map<Integer, Proc> procs = new HashMap<>();
        final Map<String, Dso> dsosByName = new HashMap<>();
        final List<Dso> dsos = new ArrayList<>();
        final Dso unknown = dso(UNKNOWN, false, false);
        final Dso kernel = dso("[kernel.kallsyms]", true, false);
        final TreeMap<Long, Mapping> kernelMaps = new TreeMap<>();
        final Map<String, Integer> pnames = new HashMap<>();
        final List<String> pnameList = new ArrayList<>();
        /** The process names (by id) that start with java. */
        final java.util.BitSet javaPnames = new java.util.BitSet();
        /** Stands for the kernel's maps, shared by all processes. */
        final Proc kernelProc = new Proc(kernelMaps, 0);
        /** Folds the samples this thread reads, on a thread of its own. */
        final Folder folder = new Folder();
        /** Opens the binaries; the folder has the symbols of those its stacks go through read ahead. */
        final Binaries bins = new Binaries(locator, buildIdCache, listener, goSymbols, inlineGo);
        /** The batch of samples being filled, handed to the folder when full. */
        Batch batch;
        Thread last;
        /** Per event (attribute index): samples, the sum of their weights, first and last sample time. */
        long[] evSamples = new long[4];
        long[] evWeights = new long[4];
        long[] evFirst = new long[4];
        long[] evLast = new long[4];

        Dso dso(String name, boolean isKernel, boolean perfMap) {
            return dsosByName.computeIfAbsent(name, n -> {
                Dso d = new Dso(dsos.size(), n, isKernel, perfMap);
                dsos.add(d);
                return d;
            });
        }

        Thread thread(int pid, int tid) {
            Thread l = last;
            if (l != null && l.tid == tid && l.pid == pid) {
                return l;
            }
            Thread t = threads.get(tid);
            if (t == null || (t.pid != pid && pid != -1)) {
                t = new Thread(pid, tid);
                t.proc = procs.computeIfAbsent(pid, p -> new Proc(new TreeMap<>(), procs.size() + 1));
                threads.put(tid, t);
            }
            last = t;
            return t;
        }

        @Override
        public void comm(int pid, int tid, String comm, boolean exec, long time) {
            thread(pid, tid).comm = raw(comm);
        }

        @Override
        public void fork(int pid, int ppid, int tid, int ptid, long time) {
            Thread parent = thread(ppid, ptid);
            Thread t = new Thread(pid, tid);
            t.comm = parent.comm;
            if (pid == ppid) {
                t.proc = parent.proc;
            } else {
                Proc p = new Proc(new TreeMap<>(parent.proc.maps), procs.size() + 1); // a new process: a copy of the parent's maps
                procs.put(pid, p);
                t.proc = p;
            }
            threads.put(tid, t);
            last = null;
        }

        @Override
        public void mmap(int pid, int tid, long start, long len, long pgoff, String filename, String buildId,
                int cpumode, long time) {
            String name = raw(filename);
            if (cpumode == PerfSample.CPUMODE_KERNEL || cpumode == 4) {
                String n = name.startsWith("[kernel.kallsyms]") ? "[kernel.kallsyms]" : moduleName(name);
                Dso d = n.equals("[kernel.kallsyms]") ? kernel : dso(n, true, false);
                if (buildId != null) {
                    d.buildId = buildId;
                }
                insert(kernelMaps, new Mapping(start, start + len, pgoff, d, true));
                kernelProc.generation++;
                return;
            }
            boolean anon = name.equals("//anon") || name.startsWith("/dev/zero") || name.startsWith("/anon_hugepage");
            Dso d = anon ? dso("/tmp/perf-" + pid + ".map", false, true) : dso(name, false, false);
            if (buildId != null) {
                d.buildId = buildId;
            }
            boolean identity = anon || name.startsWith("[stack") || name.startsWith("/SYSV") || name.equals("[heap]");
            Thread t = thread(pid, tid);
            insert(t.proc.maps, new Mapping(start, start + len, identity ? 0 : pgoff, d, identity));
            t.proc.generation++;
        }

        /** Adds a mapping, cutting away what it overlaps of older ones (as a new mmap replaces pages). */
        void insert(TreeMap<Long, Mapping> maps, Mapping m) {
            Map.Entry<Long, Mapping> e = maps.lowerEntry(m.end);
            while (e != null && e.getValue().end > m.start) {
                Mapping old = e.getValue();
                maps.remove(e.getKey());
                if (old.start < m.start) {
                    maps.put(old.start, new Mapping(old.start, m.start, old.pgoff, old.dso, old.identity));
                }
                if (old.end > m.end) {
                    long shift = old.identity ? 0 : m.end - old.start;
                    maps.put(m.end, new Mapping(m.end, old.end, old.pgoff + shift, old.dso, old.identity));
                }
                e = maps.lowerEntry(m.end);
            }
            maps.put(m.start, m);
        }

        /**
         * A sample: what the folder needs of it goes into the batch being filled (the process's maps as they
         * are now, since later records change them), to be folded on the folder's thread.
         */
        @Override
        public void sample(PerfSample s) {
            Thread t = thread(s.pid(), s.tid());
            int pn = pname(t, s);
            long w = (s.attr().sampleType() & PerfDataReader.SAMPLE_PERIOD) != 0 && s.period() != 0 ? s.period() : 1;
            count(s, w);
            boolean chain = s.hasCallchain();
            int len = chain ? s.callchainLength() : 1;
            Batch b = batch;
            if (b != null && !b.fits(len)) {
                folder.put(b);
                b = null;
            }
            if (b == null) {
                b = batch = folder.emptyBatch(len);
            }
            // perf on arm64 records the link register with a frame-pointer callchain: the leaf's caller,
            // which the chain lacks while the leaf has not saved it yet (see Folder.fold)
            long lr = chain && s.attr().sampleRegsUser() == ARM64_LR_MASK ? s.userRegister(30).orElse(0) : 0;
            b.add(s.attr().index(), javaPnames.get(pn) ? pn | Batch.JAVA : pn, chain ? -1 : s.cpumode(), t.proc.snapshot(), kernelProc.snapshot(), lr,
                    options.countSamples() ? 1 : w, s, len);
        }

        /** Waits until the folder has folded every sample read. */
        void drain() throws IOException {
            if (batch != null) {
                folder.put(batch);
                batch = null;
            }
            folder.finish();
        }

        /** Ends the folder's thread, if it still runs (the reader failed). */
        void stop() {
            folder.stop();
        }

        /** Counts a sample of weight {@code w} (its period) for its event's metadata. */
        void count(PerfSample s, long w) {
            int a = s.attr().index();
            if (a >= evSamples.length) {
                int len = Math.max(a + 1, evSamples.length * 2);
                evSamples = Arrays.copyOf(evSamples, len);
                evWeights = Arrays.copyOf(evWeights, len);
                evFirst = Arrays.copyOf(evFirst, len);
                evLast = Arrays.copyOf(evLast, len);
            }
            if ((s.attr().sampleType() & PerfDataReader.SAMPLE_TIME) != 0 && s.time() > 0) {
                long t = s.time();
                if (evFirst[a] == 0 || t < evFirst[a]) {
                    evFirst[a] = t;
                }
                if (t > evLast[a]) {
                    evLast[a] = t;
                }
            }
            evSamples[a]++;
            evWeights[a] += w;
        }

        /**
         * What the weights of the kept events are: their samples, the sum of their periods (cycles;
         * CPU nanoseconds for cpu-clock and task-clock) and the time from the first sample to the last.
         */
        ProfileMeta meta(List<EventAttr> events, String keep) {
            long samples = 0;
            long weights = 0;
            long first = 0;
            long lastTime = 0;
            String event = "";
            for (int a = 0; a < evSamples.length; a++) {
                if (evSamples[a] == 0) {
                    continue;
                }
                String ev = a < events.size() ? events.get(a).name() : null;
                if (keep != null && ev != null && !sameEvent(keep, ev)) {
                    continue;
                }
                if (event.isEmpty() && ev != null) {
                    event = ev;
                }
                samples += evSamples[a];
                weights += evWeights[a];
                if (evFirst[a] != 0 && (first == 0 || evFirst[a] < first)) {
                    first = evFirst[a];
                }
                lastTime = Math.max(lastTime, evLast[a]);
            }
            return ProfileMeta.ofPerf(samples, weights, raw(event), options.countSamples(),
                    first == 0 ? 0 : lastTime - first);
        }

        int pname(Thread t, PerfSample s) {
            if (t.pname >= 0 && t.pnameComm == t.comm && t.pnamePid == s.pid() && t.pnameTid == s.tid()) {
                return t.pname;
            }
            t.pname = newPname(t, s);
            t.pnameComm = t.comm;
            t.pnamePid = s.pid();
            t.pnameTid = s.tid();
            return t.pname;
        }

        int newPname(Thread t, PerfSample s) {
            // the idle task (tid 0) has no COMM record: perf names it swapper, as the kernel does
            String comm = t.comm != null ? t.comm : t.tid == 0 ? "swapper" : ":" + t.tid;
            int end = comm.length();
            while (end > 1 && (comm.charAt(end - 1) == ' ' || comm.charAt(end - 1) == '\t')) {
                end--; // the text collapser cannot tell a comm's trailing blanks from the blanks after it
            }
            StringBuilder sb = new StringBuilder(comm.substring(0, end));
            boolean includeTid = options.tid();
            if (includeTid || options.pid()) {
                // as perf script prints "comm pid/tid" and the collapser reads it (tid 0: only one id)
                sb.append('-');
                boolean hasTid = s.tid() != 0;
                sb.append(hasTid ? Integer.toString(s.pid()) : "?");
                if (includeTid) {
                    sb.append('/').append(hasTid ? s.tid() : s.pid());
                }
            }
            String name = sb.toString().replace(' ', '_');
            Integer id = pnames.get(name);
            if (id == null) {
                id = pnameList.size();
                pnameList.add(name);
                pnames.put(name, id);
                if (name.startsWith("java")) {
                    javaPnames.set(id); // their frames are named apart (_[j])
                }
            }
            return id;
        }

        /**
         * Folds samples into {@link #stacks} on a thread of its own, in the order they were read, while the
         * reader's thread reads and decodes the next ones (the machine's second core): turns each callchain
         * entry into a location (cached) and adds the stack. Gets batches through a queue and gives them back
         * emptied through another, so that a few batches serve the whole file.
         */
        final class Folder implements Runnable {
            final StackTable stacks = new StackTable();
            /** Per stack of {@link #stacks} (by its index): how many samples it had. */
            long[] stackSamples = new long[1024];
            final Locations locations = new Locations();
            /** Per location: whether a java process's stack has it ({@link #USED_IN_JAVA}), another's ({@link #USED_ELSEWHERE}), or both. */
            byte[] usedBy = new byte[1024];
            static final byte USED_ELSEWHERE = 1;
            static final byte USED_IN_JAVA = 2;
            int[] scratch = new int[256];
            /** The objects (by id) whose symbols {@link Binaries#readAhead} was asked for. */
            final java.util.BitSet readAhead = new java.util.BitSet();
            /**
             * Callchain entries seen lately: (maps, mode, address) to location; the maps are a process's (the
             * kernel's for kernel entries) as of the sample, a new object whenever they change.
             */
            static final int CACHE_BITS = 16;
            static final int CACHE = 1 << CACHE_BITS;
            /**
             * Per slot two longs side by side (one memory fetch for a look-up): the address, then the maps'
             * {@link Maps#id} and the mode ({@code id << 3 | mode}) in the high half and the location in the
             * low half; a high half of 0 is an empty slot.
             */
            final long[] cache = new long[2 * CACHE];

            static final int BATCHES = 4;
            final java.util.concurrent.BlockingQueue<Batch> full = new java.util.concurrent.ArrayBlockingQueue<>(BATCHES + 1);
            final java.util.concurrent.BlockingQueue<Batch> empty = new java.util.concurrent.ArrayBlockingQueue<>(BATCHES);
            int made;
            java.lang.Thread worker;
            volatile Throwable failure;

            /** A batch to fill with room for a callchain of {@code len}: a new one while there are few, else one given back. */
            Batch emptyBatch(int len) throws UncheckedIOException {
                Batch b = made < BATCHES ? null : take(empty);
                if (b == null) {
                    b = new Batch();
                    made++;
                }
                b.clear();
                b.reserve(len);
                return b;
            }

            void put(Batch b) {
                if (worker == null) {
                    worker = new java.lang.Thread(this, "stackfold perf.data folder");
                    worker.setDaemon(true);
                    worker.start();
                }
                try {
                    full.put(b);
                } catch (InterruptedException e) {
                    java.lang.Thread.currentThread().interrupt();
                    throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted while folding"));
                }
            }

            private Batch take(java.util.concurrent.BlockingQueue<Batch> q) {
                try {
                    return q.take();
                } catch (InterruptedException e) {
                    java.lang.Thread.currentThread().interrupt();
                    throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted while folding"));
                }
            }

            /** Sends the end and waits for the folding thread; rethrows what it failed with. */
            void finish() throws IOException {
                if (worker == null) {
                    return;
                }
                Batch end = new Batch();
                end.last = true;
                put(end);
                try {
                    worker.join();
                } catch (InterruptedException e) {
                    java.lang.Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while folding");
                }
                worker = null;
                Throwable f = failure;
                if (f instanceof RuntimeException r) {
                    throw r;
                }
                if (f instanceof Error e) {
                    throw e;
                }
            }

            void stop() {
                if (worker != null) {
                    worker.interrupt();
                    worker = null;
                }
            }

            @Override
            public void run() {
                try {
                    while (true) {
                        Batch b = full.take();
                        if (b.last) {
                            return;
                        }
                        if (failure == null) {
                            try {
                                fold(b);
                            } catch (Throwable t) {
                                failure = t; // the reader's thread rethrows it; batches are still taken so that it does not wait
                            }
                        }
                        empty.offer(b);
                    }
                } catch (InterruptedException e) {
                    // stopped: the reader failed
                }
            }

            void fold(Batch b) {
                int[] ints = b.ints;
                long[] longs = b.longs;
                Object[] refs = b.refs;
                int li = 0;
                for (int k = 0; k < b.samples; k++) {
                    int attr = ints[4 * k];
                    int pname = ints[4 * k + 1] & ~Batch.JAVA;
                    int used = (ints[4 * k + 1] & Batch.JAVA) != 0 ? USED_IN_JAVA : USED_ELSEWHERE;
                    int cpumode = ints[4 * k + 2];
                    int len = ints[4 * k + 3];
                    Maps user = (Maps) refs[2 * k];
                    Maps kmaps = (Maps) refs[2 * k + 1];
                    long lr = longs[li];
                    long w = longs[li + 1];
                    int chain = li + 2;
                    li = chain + len;
                    int n = 0;
                    int[] st = scratch;
                    st[n++] = attr;
                    st[n++] = pname;
                    if (cpumode < 0) {
                        // perf script puts the arm64 link register after the user leaf; the lab's arm64
                        // recording shows it added even where it equals the next entry
                        int mode = PerfSample.CPUMODE_USER;
                        int entries = 0;
                        for (int i = 0; i < len && entries < maxStack; i++) {
                            long ip = longs[chain + i];
                            if (PerfSample.isContext(ip)) {
                                if (ip == PerfSample.CONTEXT_KERNEL) {
                                    mode = PerfSample.CPUMODE_KERNEL;
                                } else if (ip == PerfSample.CONTEXT_USER) {
                                    mode = PerfSample.CPUMODE_USER;
                                } else if (ip == PerfSample.CONTEXT_HV) {
                                    mode = 3;
                                } else {
                                    n = 2; // perf drops a chain with a guest context
                                    break;
                                }
                                continue;
                            }
                            entries++;
                            if (n + 2 > st.length) {
                                st = scratch = Arrays.copyOf(st, n * 2);
                            }
                            if (lr != 0 && i >= 2 && longs[chain + i - 2] == PerfSample.CONTEXT_USER) {
                                st[n++] = location(user, kmaps, mode, lr);
                            }
                            st[n++] = location(user, kmaps, mode, ip);
                        }
                    } else {
                        st[n++] = location(user, kmaps, cpumode, longs[chain]);
                    }
                    if (usedBy.length < locations.size()) {
                        usedBy = Arrays.copyOf(usedBy, Math.max(locations.size(), usedBy.length * 2));
                    }
                    for (int i = 2; i < n; i++) {
                        usedBy[st[i]] |= used;
                    }
                    int e = stacks.add(st, n, w);
                    if (e >= stackSamples.length) {
                        stackSamples = Arrays.copyOf(stackSamples, Math.max(e + 1, stackSamples.length * 2));
                    }
                    stackSamples[e]++;
                }
            }

            int location(Maps user, Maps kmaps, int mode, long ip) {
                Maps p = mode == PerfSample.CPUMODE_KERNEL ? kmaps : user; // kernel addresses name alike in every process
                long h = (ip ^ p.hash) * 0x9e3779b97f4a7c15L;
                int slot = ((int) (h >>> (64 - CACHE_BITS)) ^ mode) & (CACHE - 1); // the hash's top bits, one per slot
                long tag = (long) (p.id << 3 | (mode & 7)) << 32;
                int at = 2 * slot;
                long v = cache[at + 1];
                if (cache[at] == ip && (v & 0xFFFF_FFFF_0000_0000L) == tag) {
                    return (int) v;
                }
                int loc = resolve(user, kmaps, mode, ip);
                cache[at] = ip;
                cache[at + 1] = tag | (loc & 0xFFFF_FFFFL);
                return loc;
            }

            int resolve(Maps user, Maps kmaps, int mode, long ip) {
                Dso d;
                long printed = ip;
                if (mode == PerfSample.CPUMODE_KERNEL) {
                    // kernel addresses are negative as longs: ordered among themselves, but a user-range value
                    // (garbage after a stray context marker) must not match the last of them
                    int i = ip < 0 ? kmaps.floor(ip) : -1;
                    Mapping e = i >= 0 ? kmaps.mapping(i) : null;
                    if (e != null && Long.compareUnsigned(ip, e.end) < 0) {
                        d = e.dso;
                    } else if (e != null && e.dso == kernel) {
                        // the kernel's map ends at _etext, but perf stretches it to the next map (a module's):
                        // .init.text (start_kernel, under the boot CPU's idle task) lies there
                        Mapping next = kmaps.mapping(i + 1);
                        d = next == null || Long.compareUnsigned(ip, next.start) < 0 ? kernel : unknown;
                    } else {
                        d = kmaps.isEmpty() ? kernel : unknown;
                    }
                } else if (mode == PerfSample.CPUMODE_USER && ip >= 0) { // perf finds no user map above the user range
                    Mapping m = user.mapping(user.floor(ip));
                    if (m != null && m.start >= 0 && Long.compareUnsigned(ip, m.end) < 0) {
                        d = m.dso;
                        printed = m.identity ? ip : ip - m.start + m.pgoff;
                    } else {
                        d = unknown;
                    }
                } else {
                    d = unknown;
                }
                if (!readAhead.get(d.id)) {
                    readAhead.set(d.id);
                    if (!d.kernel && !d.perfMap) {
                        bins.readAhead(d.name);
                    }
                }
                return locations.id(d.id, printed);
            }
        }

        Result finish(PerfDataInfo info, Symbols sym) throws IOException {
            String filter = options.eventFilter();
            List<EventAttr> events = info.events();
            int[] firstAttr = {-1};
            StackTable stacks = folder.stacks;
            long[] stackSamples = folder.stackSamples;
            Locations locations = folder.locations;
            if (stacks.size() > 0) {
                stacks.visit(0, (arena, off, len, weight) -> firstAttr[0] = arena[off]);
            }
            String keep = filter != null ? filter
                    : firstAttr[0] >= 0 && firstAttr[0] < events.size() ? events.get(firstAttr[0]).name() : null;
            FrameNamer namer = new FrameNamer(options.toBuilder().symbolizer(sym.goSymbolizer()).build());
            Tokens tokens = new Tokens();
            int[] pnameTokens = new int[pnameList.size()];
            for (int pn = 0; pn < pnameTokens.length; pn++) {
                pnameTokens[pn] = tokens.id(pnameList.get(pn)); // before the naming thread adds frames
            }
            Naming naming = new Naming(sym, namer, tokens, locations, dsos);
            // with every stack kept, the locations are named on a thread of its own, in their order (as in a
            // java process where one's stack has it, as elsewhere where another's has it), while this one
            // joins each stack's names; only that thread names
            boolean allKept = true;
            for (int a = 0; a < evSamples.length; a++) {
                String ev = a < events.size() ? events.get(a).name() : null;
                allKept &= evSamples[a] == 0 || keep == null || ev == null || sameEvent(keep, ev);
            }
            NamingThread ahead = allKept && locations.size() > 0 ? new NamingThread(naming, folder.usedBy) : null;
            StackTable byName = new StackTable(); // stacks of addresses that name alike merge here, before sorting
            long[][] byNameSamples = {new long[1024]}; // per stack of byName: its samples
            int[][] buf = {new int[64]};
            int[] index = {0};
            StackTable.Visitor fold = (arena, off, len, weight) -> {
                long samples = stackSamples[index[0]++];
                int attr = arena[off];
                String ev = attr < events.size() ? events.get(attr).name() : null;
                if (keep != null && ev != null && !sameEvent(keep, ev)) {
                    return;
                }
                int pn = arena[off + 1];
                boolean java = javaPnames.get(pn);
                int[] seq = buf[0];
                int n = 0;
                seq[n++] = pnameTokens[pn];
                int[][] named0 = naming.names[java ? 1 : 0];
                for (int i = len - 1; i >= 2; i--) {
                    int loc = arena[off + i];
                    if (ahead != null) {
                        ahead.await(loc); // a volatile read: then its names are seen
                    }
                    int[] fs = named0[loc];
                    if (fs == null) { // no naming thread, or one not told of this use (not expected): named here, alone
                        if (ahead != null) {
                            ahead.finish();
                        }
                        fs = named0[loc] = naming.name(loc, java);
                    }
                    if (n + fs.length > seq.length) {
                        seq = buf[0] = Arrays.copyOf(seq, Math.max(seq.length * 2, n + fs.length));
                    }
                    System.arraycopy(fs, 0, seq, n, fs.length);
                    n += fs.length;
                }
                int k = byName.add(seq, n, weight);
                if (k >= byNameSamples[0].length) {
                    byNameSamples[0] = Arrays.copyOf(byNameSamples[0], Math.max(k + 1, byNameSamples[0].length * 2));
                }
                byNameSamples[0][k] += samples;
            };
            stacks.forEach(fold);
            if (ahead != null) {
                ahead.finish();
            }
            List<int[]> seqs = new ArrayList<>(byName.size());
            List<long[]> weights = new ArrayList<>(byName.size());
            int[] at = {0};
            byName.forEach((arena, off, len, weight) -> {
                seqs.add(Arrays.copyOfRange(arena, off, off + len));
                weights.add(new long[] {weight, byNameSamples[0][at[0]++]});
            });
            List<String> outStacks = new ArrayList<>(seqs.size());
            long[][] outWeights = {new long[Math.max(16, seqs.size())], new long[Math.max(16, seqs.size())]};
            boolean ordered = emitSortedAll(tokens.list, seqs, weights, (stack, w) -> {
                if (outStacks.size() == outWeights[0].length) {
                    outWeights[0] = Arrays.copyOf(outWeights[0], outStacks.size() * 2);
                    outWeights[1] = Arrays.copyOf(outWeights[1], outStacks.size() * 2);
                }
                outWeights[0][outStacks.size()] = w[0];
                outWeights[1][outStacks.size()] = w[1];
                outStacks.add(stack);
            });
            String[] st = outStacks.toArray(new String[0]);
            long[] ws = Arrays.copyOf(outWeights[0], st.length);
            long[] ss = Arrays.copyOf(outWeights[1], st.length);
            FoldedProfile profile = ordered ? SortedProfiles.ofSorted(st, ws) : FoldedProfile.of(st, ws);
            FoldedProfile counted = ordered ? SortedProfiles.ofSorted(st, ss) : FoldedProfile.of(st, ss);
            ProfileMeta m = meta(events, keep);
            FoldedProfile samples = counted.withMeta(new ProfileMeta(m.samples(), ProfileMeta.Weight.SAMPLES,
                    m.event(), 0, m.cpuNanos(), m.durationNanos()));
            return new Result(profile.withMeta(m), info, sym.kernelSymbols(), samples);
        }
    }

    /** What a location's frames are named by: its symbol and module, in a java process or not. */
    private record SymbolKey(String symbol, String module, boolean java) {
        // written out: a record's generated equals and hashCode go through method handles, which the
        // launcher's client compiler calls slowly, and a key is looked up for every location
        @Override
        public boolean equals(Object o) {
            return o instanceof SymbolKey k && java == k.java && symbol.equals(k.symbol) && module.equals(k.module);
        }

        @Override
        public int hashCode() {
            return (symbol.hashCode() * 31 + module.hashCode()) * 2 + (java ? 1 : 0);
        }
    }

    /** Names locations: per location, its frames' token ids as named in a java process ([1]) and in any other ([0]). */
    private final class Naming {
        final Symbols sym;
        final FrameNamer namer;
        final Tokens tokens;
        final Locations locations;
        final int[][][] names;
        final Map<SymbolKey, int[]> bySymbol = new HashMap<>();
        final List<Dso> dsos;

        Naming(Symbols sym, FrameNamer namer, Tokens tokens, Locations locations, List<Dso> dsos) {
            this.sym = sym;
            this.namer = namer;
            this.tokens = tokens;
            this.locations = locations;
            this.dsos = dsos;
            this.names = new int[][][] {new int[locations.size()][], new int[locations.size()][]};
        }

        int[] name(int loc, boolean java) {
            Dso d = dsos.get(locations.dso(loc));
            long printed = locations.address(loc);
            String[] frame = sym.frame(d, printed);
            // the names depend on the address only where a part is [unknown] (the module's name, with --addrs
            // its address, or its Go names): elsewhere the addresses of one symbol share them, named once
            SymbolKey key = frame[0].isEmpty()
                    || ((frame[0] == UNKNOWN || frame[0].contains(UNKNOWN)) && sym.namesByAddress(frame[1]))
                    ? null : new SymbolKey(frame[0], frame[1], java);
            int[] fs = key == null ? null : bySymbol.get(key);
            if (fs == null) {
                List<String> named = names(namer, Long.toHexString(printed), frame, java);
                fs = new int[named.size()];
                for (int k = 0; k < fs.length; k++) {
                    fs[k] = tokens.id(named.get(k));
                }
                if (key != null) {
                    bySymbol.put(key, fs);
                }
            }
            return fs;
        }
    }

    /**
     * Names every location as the stacks that have it need (in a java process, elsewhere, or both), in their
     * order, on a thread of its own; the folding thread takes the names as they come ({@link #await}).
     */
    private static final class NamingThread extends java.lang.Thread {
        private final Naming naming;
        private final byte[] usedBy;
        private volatile int done;
        private volatile Throwable failure;

        NamingThread(Naming naming, byte[] usedBy) {
            super("stackfold perf.data naming");
            this.naming = naming;
            this.usedBy = usedBy;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            try {
                int[][] named = naming.names[0];
                int[][] namedInJava = naming.names[1];
                for (int loc = 0; loc < named.length; loc++) {
                    int used = loc < usedBy.length ? usedBy[loc] : 0;
                    if ((used & Folding.Folder.USED_ELSEWHERE) != 0) {
                        named[loc] = naming.name(loc, false);
                    }
                    if ((used & Folding.Folder.USED_IN_JAVA) != 0) {
                        namedInJava[loc] = naming.name(loc, true);
                    }
                    done = loc + 1;
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        /** Waits until location {@code loc} is named. */
        void await(int loc) {
            int spins = 0;
            while (done <= loc) {
                rethrow();
                if (++spins < 64) {
                    java.lang.Thread.onSpinWait();
                } else {
                    // naming is the slower of the two: sleep a little rather than spin, which costs the
                    // machine a core (and ours, when others share it)
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
            }
        }

        /** Waits for the end of the thread; rethrows what it failed with. */
        void finish() {
            Threads.joinUninterruptibly(this);
            rethrow();
        }

        private void rethrow() {
            Throwable f = failure;
            if (f instanceof RuntimeException r) {
                throw r;
            }
            if (f instanceof Error e) {
                throw e;
            }
        }
    }

    /**
     * Samples on their way from the reader's thread to the folder's: per sample four ints (attribute,
     * process name, cpumode or -1 for a callchain, entries), two maps (the process's, the kernel's) and
     * longs (link register, weight, then the callchain or the ip).
     */
    private static final class Batch {
        /** Marks the process name id of a java process. */
        static final int JAVA = 1 << 30;
        static final int LONGS = 1 << 15;
        int[] ints = new int[4 * 1024];
        long[] longs = new long[LONGS];
        Object[] refs = new Object[2 * 1024];
        int samples;
        int longCount;
        boolean last;

        void clear() {
            samples = 0;
            longCount = 0;
            Arrays.fill(refs, null);
        }

        /** Whether a sample with {@code len} entries fits (a batch holds at least one, however long). */
        boolean fits(int len) {
            return samples == 0 || (longCount + 2 + len <= longs.length && 4 * (samples + 1) <= ints.length);
        }

        void reserve(int len) {
            if (longs.length < 2 + len) {
                longs = new long[2 + len];
            }
        }

        void add(int attr, int pname, int cpumode, Maps user, Maps kernel, long lr, long weight, PerfSample s, int len) {
            int k = samples++;
            ints[4 * k] = attr;
            ints[4 * k + 1] = pname;
            ints[4 * k + 2] = cpumode;
            ints[4 * k + 3] = len;
            refs[2 * k] = user;
            refs[2 * k + 1] = kernel;
            longs[longCount] = lr;
            longs[longCount + 1] = weight;
            if (cpumode < 0) {
                s.copyCallchain(longs, longCount + 2);
            } else {
                longs[longCount + 2] = s.ip();
            }
            longCount += 2 + len;
        }
    }

    /**
     * The distinct locations of a collapse, numbered: a mapped object and an address in it as perf
     * prints it. An open-addressing table of primitives (a miss of the callchain cache looks here).
     */
    static final class Locations {
        private int[] dsoOf = new int[1024];
        private long[] addressOf = new long[1024];
        private int size;
        /**
         * Open addressing, two longs per slot side by side (one memory fetch for a look-up): the address,
         * then {@code (dso + 1) << 32 | location}; 0 in the second is an empty slot.
         */
        private long[] table = new long[2 * 4096];
        private int mask = 4096 - 1;

        private static int hash(int dso, long address) {
            long h = (address ^ ((long) dso << 48) ^ dso) * 0x9e3779b97f4a7c15L;
            return (int) (h ^ (h >>> 32));
        }

        /** The number of {@code (dso, address)}, made when new. */
        int id(int dso, long address) {
            long key = (long) (dso + 1) << 32;
            int i = hash(dso, address) & mask;
            while (true) {
                long v = table[2 * i + 1];
                if (v == 0) {
                    break;
                }
                if (table[2 * i] == address && (v & 0xFFFF_FFFF_0000_0000L) == key) {
                    return (int) v;
                }
                i = (i + 1) & mask;
            }
            if (size == dsoOf.length) {
                dsoOf = Arrays.copyOf(dsoOf, size * 2);
                addressOf = Arrays.copyOf(addressOf, size * 2);
            }
            int id = size++;
            dsoOf[id] = dso;
            addressOf[id] = address;
            if (size * 2 > mask + 1) {
                table = new long[4 * (mask + 1)];
                mask = 2 * mask + 1;
                for (int x = 0; x < size; x++) {
                    int j = hash(dsoOf[x], addressOf[x]) & mask;
                    while (table[2 * j + 1] != 0) {
                        j = (j + 1) & mask;
                    }
                    table[2 * j] = addressOf[x];
                    table[2 * j + 1] = (long) (dsoOf[x] + 1) << 32 | x;
                }
            } else {
                table[2 * i] = address;
                table[2 * i + 1] = key | id;
            }
            return id;
        }

        int size() {
            return size;
        }

        int dso(int id) {
            return dsoOf[id];
        }

        long address(int id) {
            return addressOf[id];
        }
    }

    /** The distinct frame names of a collapse, numbered. */
    private static final class Tokens {
        final Map<String, Integer> ids = new HashMap<>();
        final List<String> list = new ArrayList<>();

        int id(String s) {
            Integer i = ids.get(s);
            if (i == null) {
                i = list.size();
                list.add(s);
                ids.put(s, i);
            }
            return i;
        }
    }

    /**
     * Adds the stacks to {@code out} in the byte order of their folded text, equal ones merged, so the
     * builder need not sort (sorting 80,000 folded stacks of ~1,200 characters that share long prefixes
     * was a quarter of folding a 97 MB system-wide recording). Frame ids become ranks: a frame followed
     * by another compares as {@code name;}, the last one as {@code name}, which makes comparing rank
     * sequences the same as comparing the joined text (frame names hold no {@code ;}). Should a name
     * hold one, the builder finds the order broken and sorts, as before.
     *
     * @return whether the stacks came out distinct and in byte order, as they do when no frame holds a {@code ;}
     */
    static boolean emitSorted(List<String> frames, List<int[]> seqs, List<long[]> weights,
            java.util.function.ObjLongConsumer<String> out) {
        return emitSortedAll(frames, seqs, weights, (s, w) -> out.accept(s, w[0]));
    }

    /** As {@link #emitSorted}, with every value of a stack's {@code long[]} summed over the stacks merged. */
    static boolean emitSortedAll(List<String> frames, List<int[]> seqs, List<long[]> weights,
            java.util.function.BiConsumer<String, long[]> out) {
        int t = frames.size();
        String[] variants = new String[2 * t];
        Integer[] byText = new Integer[2 * t];
        for (int i = 0; i < t; i++) {
            variants[2 * i] = frames.get(i); // the last frame
            variants[2 * i + 1] = frames.get(i) + ";"; // a frame with another after it
            byText[2 * i] = 2 * i;
            byText[2 * i + 1] = 2 * i + 1;
        }
        Arrays.sort(byText, (x, y) -> variants[x].compareTo(variants[y]));
        int[] rank = new int[2 * t];
        String[] textOfRank = new String[2 * t]; // a frame's text with the ';' after it where another follows
        boolean latin1 = true; // raw text (one char per byte) is: built as bytes, then
        for (int i = 0, r = 0; i < byText.length; i++) {
            if (i > 0 && !variants[byText[i]].equals(variants[byText[i - 1]])) {
                r++;
            }
            rank[byText[i]] = r;
            textOfRank[r] = variants[byText[i]];
            latin1 &= isLatin1(textOfRank[r]);
        }
        byte[][] bytesOfRank = new byte[2 * t][];
        if (latin1) {
            for (int r = 0; r < textOfRank.length && textOfRank[r] != null; r++) {
                bytesOfRank[r] = textOfRank[r].getBytes(StandardCharsets.ISO_8859_1);
            }
        }
        int n = seqs.size();
        int[][] keys = new int[n][];
        Integer[] order = new Integer[n];
        for (int s = 0; s < n; s++) {
            int[] k = seqs.get(s); // the frame ids become ranks in place (memory follows the stacks once)
            for (int i = 0; i < k.length; i++) {
                k[i] = rank[2 * k[i] + (i < k.length - 1 ? 1 : 0)];
            }
            keys[s] = k;
            order[s] = s;
        }
        Arrays.sort(order, (x, y) -> Arrays.compare(keys[x], keys[y]));
        StringBuilder sb = new StringBuilder();
        byte[] bytes = new byte[1024];
        for (int i = 0; i < n; ) {
            int s = order[i];
            long[] w = weights.get(s).clone();
            int j = i + 1;
            while (j < n && Arrays.equals(keys[order[j]], keys[s])) {
                long[] more = weights.get(order[j]);
                for (int k = 0; k < w.length; k++) {
                    w[k] += more[k];
                }
                j++;
            }
            int[] key = keys[s];
            if (latin1) {
                int len = 0;
                for (int r : key) {
                    byte[] v = bytesOfRank[r]; // the stack's text is its frames' variants, joined as they are
                    if (len + v.length > bytes.length) {
                        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, len + v.length));
                    }
                    System.arraycopy(v, 0, bytes, len, v.length);
                    len += v.length;
                }
                out.accept(new String(bytes, 0, len, StandardCharsets.ISO_8859_1), w);
            } else {
                sb.setLength(0);
                for (int r : key) {
                    sb.append(textOfRank[r]);
                }
                out.accept(sb.toString(), w);
            }
            i = j;
        }
        for (String f : frames) {
            if (f.indexOf(';') >= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The frames of one callchain entry, read as the text collapser reads the line perf script prints
     * for it ({@code \t ADDR SYMBOL (MODULE)}), so that odd names (a module {@code /memfd:x (deleted)}
     * with a blank) fold as they do from the text.
     */
    static List<String> names(FrameNamer namer, String addr, String[] frame, boolean java) {
        byte[] line = ("\t" + addr + " " + frame[0] + " (" + frame[1] + ")").getBytes(StandardCharsets.ISO_8859_1);
        PerfScriptParser p = PerfScriptParser.of(line, 0, line.length, "perf.data", 1, 0);
        try {
            if (p.next() == PerfScriptParser.Kind.FRAME) {
                return namer.names(p.address().toString(), p.symbol().toString(), p.module().toString(), java);
            }
        } catch (IOException e) {
            throw new AssertionError("a parser over bytes does not read", e);
        }
        return namer.names(addr, frame[0], frame[1], java);
    }

    private static boolean isLatin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                return false;
            }
        }
        return true;
    }

    /** Whether an event filter names this event ({@code cycles} matches {@code cycles:P} too). */
    static boolean sameEvent(String filter, String event) {
        return filter.equals(event) || event.startsWith(filter + ":") || filter.startsWith(event + ":");
    }

    /** The module name perf gives a kernel module's file: {@code /lib/.../nf_tables.ko.xz} is {@code [nf_tables]}. */
    static String moduleName(String path) {
        if (path.startsWith("[")) {
            return path;
        }
        String f = path.substring(path.lastIndexOf('/') + 1);
        int dot = f.indexOf(".ko");
        if (dot >= 0) {
            f = f.substring(0, dot);
        }
        return "[" + f.replace('-', '_') + "]";
    }

    /** Java text to the raw form of folded stacks (UTF-8 bytes as ISO-8859-1 chars). */
    static String raw(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return s;
    }

    /** Where the names of one collapse come from: binaries, kallsyms and JIT maps, each opened once. */
    private final class Symbols {
        final PerfDataInfo info;
        final Map<String, String> recordedBuildIds = new HashMap<>();
        final Map<Integer, Binaries.Binary> binaries = new HashMap<>();
        final Map<String, Binaries.Binary> byModule = new HashMap<>();
        final Map<String, PerfMap> perfMaps = new HashMap<>();
        final Kallsyms ksyms;
        final String kernelSource;
        final Binaries bins;

        Symbols(PerfDataInfo info, List<Dso> dsos, HostKallsyms host, Binaries bins) throws IOException {
            this.info = info;
            for (BuildId b : info.buildIds()) {
                recordedBuildIds.putIfAbsent(raw(b.path()), b.buildId());
            }
            for (Dso d : dsos) {
                if (d.buildId != null) {
                    recordedBuildIds.put(d.name, d.buildId);
                }
            }
            this.bins = bins;
            Kallsyms k = null;
            String src = null;
            if (kallsyms != null) {
                k = Kallsyms.read(kallsyms);
                src = k == null ? null : kallsyms.toString();
                if (k == null) {
                    listener.warning("[kernel.kallsyms]", kallsyms + " has no addresses (all 0): kernel frames stay"
                            + " [kernel.kallsyms]");
                }
            } else if (hostKallsyms && sameKernelHere(info)) {
                Path p = HostKallsyms.PATH;
                if (host != null) {
                    k = host.get();
                    src = k == null ? null : p.toString();
                } else if (Files.isReadable(p)) {
                    k = Kallsyms.read(p);
                    src = k == null ? null : p.toString();
                }
            }
            if (k == null && kallsyms == null) {
                // perf record keeps a copy of the kernel's symbols in its build-id cache
                Path p = Binaries.cached(buildIdCache, kernelBuildId(info), "kallsyms");
                if (p != null) {
                    k = Kallsyms.read(p);
                    src = k == null ? null : p.toString();
                }
            }
            this.ksyms = k;
            this.kernelSource = src;
        }

        String kernelSymbols() {
            return kernelSource;
        }

        /** {symbol or [unknown], module} as perf script prints them. */
        String[] frame(Dso d, long addr) {
            if (d.kernel) {
                if (ksyms != null) {
                    int i = ksyms.find(addr);
                    if (i >= 0) {
                        String m = ksyms.module(i);
                        return new String[] {ksyms.name(i), m != null ? m : d.name};
                    }
                }
                return new String[] {UNKNOWN, d.name};
            }
            if (d.id == 0) {
                return new String[] {UNKNOWN, UNKNOWN};
            }
            if (d.perfMap) {
                PerfMap m = perfMaps.get(d.name);
                if (!perfMaps.containsKey(d.name)) {
                    try {
                        m = PerfMap.read(perfMapDir.resolve(d.name.substring(d.name.lastIndexOf('/') + 1)));
                    } catch (IOException e) {
                        listener.warning(d.name, "cannot read " + d.name + ": " + e.getMessage());
                    }
                    perfMaps.put(d.name, m);
                }
                String s = m == null ? null : m.find(addr);
                return new String[] {s != null ? s : UNKNOWN, d.name};
            }
            Binaries.Binary b;
            if (binaries.containsKey(d.id)) {
                b = binaries.get(d.id);
            } else {
                b = bins.open(d.name, recordedBuildIds.get(d.name)); // null (not found) is remembered too
                binaries.put(d.id, b);
                if (b != null) {
                    byModule.put(d.name, b);
                }
            }
            String s = b == null ? null : b.symbol(addr);
            return new String[] {s != null ? s : UNKNOWN, d.name};
        }

        /**
         * Whether an {@code [unknown]} frame of this module may be named by its address: with
         * {@code --addrs}, or from the module's Go function table.
         */
        boolean namesByAddress(String module) {
            if (options.addrs()) {
                return true;
            }
            if (!goSymbols) {
                return false;
            }
            Binaries.Binary b = byModule.get(module);
            return b != null && b.hasGoTable();
        }

        /** Names [unknown] frames of Go binaries (FrameNamer asks with the module and the printed address). */
        FrameSymbolizer goSymbolizer() {
            if (!goSymbols) {
                return null;
            }
            return (module, address) -> {
                Binaries.Binary b = byModule.get(module);
                return b == null ? null : b.goNames(address);
            };
        }
    }

    /** This machine's /proc/kallsyms, read on a thread of its own; null when unreadable or without addresses. */
    private static final class HostKallsyms extends java.lang.Thread {
        static final Path PATH = Path.of("/proc/kallsyms");
        private Kallsyms result;
        private IOException failure;

        HostKallsyms() {
            super("stackfold kallsyms");
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            try {
                result = Files.isReadable(PATH) ? Kallsyms.read(PATH) : null;
            } catch (IOException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new IOException(e);
            }
        }

        Kallsyms get() throws IOException {
            Threads.joinUninterruptibly(this);
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }

    /** The first line of a (proc) file, stripped: Files.readString reads a proc file's first byte only. */
    static String firstLine(Path p) throws IOException {
        List<String> lines = Files.readAllLines(p, StandardCharsets.ISO_8859_1);
        return lines.isEmpty() ? "" : lines.get(0).strip();
    }

    /** The recorded kernel's build-id, or null. */
    static String kernelBuildId(PerfDataInfo info) {
        for (BuildId b : info.buildIds()) {
            if (b.kernel() && b.path().equals("[kernel.kallsyms]")) {
                return b.buildId();
            }
        }
        return null;
    }

    /** Whether this machine runs the kernel the recording was made on. */
    static boolean sameKernelHere(PerfDataInfo info) {
        if (info.hostname() == null || info.osRelease() == null) {
            return false;
        }
        try {
            String host = firstLine(Path.of("/proc/sys/kernel/hostname"));
            String release = firstLine(Path.of("/proc/sys/kernel/osrelease"));
            if (!host.equals(info.hostname()) || !release.equals(info.osRelease())) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        String recorded = kernelBuildId(info);
        String running = Binaries.runningKernelBuildId();
        return recorded == null || running == null || recorded.equals(running);
    }

    /** Options of a {@link PerfDataCollapser}; every setter names its default. */
    public static final class Builder {
        private CollapseOptions options = CollapseOptions.defaults();
        private BinaryLocator locator;
        private Path kallsyms;
        private boolean hostKallsyms = true;
        private boolean goSymbols = true;
        private boolean inlineGo;
        private Path buildIdCache = defaultBuildIdCache();
        private Path perfMapDir = Path.of("/tmp");
        private int maxStack = defaultMaxStack();
        private SymbolizerListener listener = SymbolizerListener.ignore();

        private Builder() {
        }

        /** The folding flags (pid, tid, kernel, jit, all, addrs, event filter). Default: all off. */
        public Builder options(CollapseOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Where to look first for a mapped file ({@link BinaryLocator#binary}, {@link BinaryLocator#symfs});
         * the build-id cache and the recorded path come after it. Default: none.
         */
        public Builder locator(BinaryLocator locator) {
            this.locator = locator;
            return this;
        }

        /** A kallsyms file naming kernel frames (another machine's). Default: none. */
        public Builder kallsyms(Path kallsyms) {
            this.kallsyms = kallsyms;
            return this;
        }

        /** Use this machine's /proc/kallsyms when the recording was made here. Default: true. */
        public Builder hostKallsyms(boolean use) {
            this.hostKallsyms = use;
            return this;
        }

        /** Name frames of Go binaries without symbols from their .gopclntab. Default: true. */
        public Builder goSymbols(boolean goSymbols) {
            this.goSymbols = goSymbols;
            return this;
        }

        /** Expand the calls the Go compiler inlined, marked {@code _[i]}. Default: false. */
        public Builder inlineGo(boolean inlineGo) {
            this.inlineGo = inlineGo;
            return this;
        }

        /** perf's build-id cache (null: none). Default: {@code $HOME/.debug}. */
        public Builder buildIdCache(Path dir) {
            this.buildIdCache = dir;
            return this;
        }

        /** Where {@code perf-PID.map} files are. Default: {@code /tmp}. */
        public Builder perfMapDir(Path dir) {
            this.perfMapDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Frames kept per callchain, as perf script's {@code --max-stack}. Default: this machine's sysctl, or 127. */
        public Builder maxStack(int maxStack) {
            this.maxStack = maxStack;
            return this;
        }

        /** Receives warnings (a binary not found, a build-id mismatch). Default: dropped. */
        public Builder listener(SymbolizerListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public PerfDataCollapser build() {
            return new PerfDataCollapser(this);
        }

        private static Path defaultBuildIdCache() {
            String home = System.getProperty("user.home");
            return home == null ? null : Path.of(home, ".debug");
        }

        private static int defaultMaxStack() {
            try {
                return Integer.parseInt(firstLine(Path.of("/proc/sys/kernel/perf_event_max_stack")));
            } catch (IOException | NumberFormatException | SecurityException e) {
                return 127;
            }
        }
    }
}
