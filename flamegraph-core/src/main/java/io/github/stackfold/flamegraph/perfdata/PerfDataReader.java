package io.github.stackfold.flamegraph.perfdata;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.internal.StableSort;

import com.github.luben.zstd.ZstdDecompressCtx;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code perf.data} file without perf: streaming, in one forward pass, in memory that does
 * not grow with the file (records are held only between two {@code FINISHED_ROUND} records, to be put
 * in time order as perf does). Both layouts perf writes are read, from any perf version and any
 * architecture (byte order from the magic):
 *
 * <pre>
 * file mode (perf record -o perf.data)           pipe mode (perf record -o -)
 *   0  "PERFILE2"  u64 magic                       0  "PERFILE2"  u64 magic
 *   8  u64 size of this header (104)               8  u64 size of this header (16)
 *  16  u64 attr_size (attr + 16)                  16  records: HEADER_ATTR (64), HEADER_FEATURE (80),
 *  24  {u64 offset, u64 size} attrs                   HEADER_BUILD_ID (67), then as in file mode
 *  40  {u64 offset, u64 size} data
 *  56  {u64 offset, u64 size} event_types (unused)
 *  72  u64[4] feature bits; the features' {offset, size} follow the data, one per bit set
 * </pre>
 *
 * Each record starts with {@code u32 type, u16 misc, u16 size}. Read: SAMPLE (9), MMAP (1), MMAP2 (10,
 * with or without build-id), COMM (3), FORK (7), EXIT (4), FINISHED_ROUND (68), COMPRESSED (81, zstd,
 * {@code perf record -z}); others are skipped by their size. Features read: BUILD_ID (2), HOSTNAME (3),
 * OSRELEASE (4), VERSION (5), ARCH (6), NRCPUS (7), CMDLINE (11), EVENT_DESC (12).
 *
 * <p>Input that is not such a file is a {@link BadInputException} naming the source, the byte offset and
 * what was expected there. A recording perf did not finish is read up to its last complete record, not
 * refused: a file whose header still says data size 0 (perf writes the size and the feature sections
 * only at its end, so a perf killed mid-recording leaves that), a file that ends before its data's end,
 * a last record cut short ({@link PerfDataInfo#truncatedAt()}); {@link PerfDataInfo#cutMessage()} says
 * so. Not thread-safe; one instance reads one input.
 */
public final class PerfDataReader {
    private static final long MAGIC_LE = 0x32454c4946524550L; // "PERFILE2" read little-endian
    private static final long MAGIC_BE = 0x50455246494c4532L;
    private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LE16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    static final int RECORD_MMAP = 1;
    static final int RECORD_COMM = 3;
    static final int RECORD_EXIT = 4;
    static final int RECORD_FORK = 7;
    static final int RECORD_SAMPLE = 9;
    static final int RECORD_MMAP2 = 10;
    static final int HEADER_ATTR = 64;
    static final int HEADER_TRACING_DATA = 66;
    static final int HEADER_BUILD_ID = 67;
    static final int FINISHED_ROUND = 68;
    static final int HEADER_FEATURE = 80;
    static final int COMPRESSED = 81;

    static final int FEAT_BUILD_ID = 2;
    static final int FEAT_HOSTNAME = 3;
    static final int FEAT_OSRELEASE = 4;
    static final int FEAT_VERSION = 5;
    static final int FEAT_ARCH = 6;
    static final int FEAT_NRCPUS = 7;
    static final int FEAT_CMDLINE = 11;
    static final int FEAT_EVENT_DESC = 12;

    static final long SAMPLE_IP = 1L;
    static final long SAMPLE_TID = 1L << 1;
    static final long SAMPLE_TIME = 1L << 2;
    static final long SAMPLE_ADDR = 1L << 3;
    static final long SAMPLE_READ = 1L << 4;
    static final long SAMPLE_CALLCHAIN = 1L << 5;
    static final long SAMPLE_ID = 1L << 6;
    static final long SAMPLE_CPU = 1L << 7;
    static final long SAMPLE_PERIOD = 1L << 8;
    static final long SAMPLE_STREAM_ID = 1L << 9;
    static final long SAMPLE_RAW = 1L << 10;
    static final long SAMPLE_BRANCH_STACK = 1L << 11;
    static final long SAMPLE_REGS_USER = 1L << 12;
    static final long SAMPLE_IDENTIFIER = 1L << 16;

    private final String source;
    private final InputStream in;
    private final PerfDataHandler handler;

    private byte[] buf = new byte[1 << 20];
    private int bufPos;
    private int bufLen;
    /** The file offset of buf[0]. */
    private long base;
    private boolean eof;

    private boolean big;
    private boolean pipe;
    private final List<EventAttr> attrs = new ArrayList<>();
    private final Map<Long, EventAttr> byId = new HashMap<>();
    /** byId as arrays, searched in order while there are few ids (one per event and CPU): no boxing per record. */
    private long[] idKeys = new long[0];
    private EventAttr[] idAttrs = new EventAttr[0];
    private final List<BuildId> buildIds = new ArrayList<>();
    private String hostname;
    private String osRelease;
    private String perfVersion;
    private String arch;
    private int cpusOnline = -1;
    private int cpusAvailable = -1;
    private List<String> cmdline = List.of();
    private long samples;
    private long truncatedAt = -1;
    /** Why the recording is incomplete (perf did not finish the file), or null. */
    private String cutReason;
    /** The file offset after the last complete record read. */
    private long readTo;
    private boolean compressed;

    private final PerfSample sample = new PerfSample();

    // time ordering, as perf's ordered events: records are queued and sorted by time; a FINISHED_ROUND
    // delivers those up to the newest time of the round before it
    private boolean ordered;
    private byte[] arena = new byte[1 << 16];
    private int arenaLen;
    private long[] qTime = new long[1024];
    private int[] qOff = new int[1024];
    private byte[] spareArena = new byte[0];
    private long[] spareTime = new long[0];
    private int[] spareOff = new int[0];
    private int qLen;
    private long maxTime = Long.MIN_VALUE;
    private long nextFlush;

    // zstd (perf record -z): the payloads of COMPRESSED records are one stream of records
    private ZstdDecompressCtx zstd;
    private ByteBuffer zIn;
    private ByteBuffer zOut;
    private byte[] zCarry = new byte[0];

    private PerfDataReader(InputStream in, String source, PerfDataHandler handler) {
        this.in = in;
        this.source = source;
        this.handler = handler;
    }

    /** Reads a file; the handler receives its records, then {@link PerfDataHandler#end}. */
    public static PerfDataInfo read(Path file, PerfDataHandler handler) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), handler);
        }
    }

    /** Reads a stream (a file or a pipe-mode recording) named {@code source} in messages. */
    public static PerfDataInfo read(InputStream in, String source, PerfDataHandler handler) throws IOException {
        PerfDataReader r = new PerfDataReader(in, source, handler);
        try {
            return r.run();
        } finally {
            if (r.zstd != null) {
                r.zstd.close();
            }
        }
    }

    /** Whether {@code head} starts with a perf.data magic (either byte order). */
    public static boolean looksLikePerfData(byte[] head) {
        if (head.length < 8) {
            return false;
        }
        long m = (long) LE64.get(head, 0);
        return m == MAGIC_LE || m == MAGIC_BE;
    }

    // ---------------------------------------------------------------------------------------------

    private PerfDataInfo run() throws IOException {
        if (!ensure(16)) {
            throw bad(0, "a perf.data header (magic \"PERFILE2\"), but the input has only " + (bufLen - bufPos)
                    + " bytes");
        }
        long magic = (long) LE64.get(buf, 0);
        if (magic == MAGIC_LE) {
            big = false;
        } else if (magic == MAGIC_BE) {
            big = true;
        } else if (new String(buf, 0, 8, StandardCharsets.ISO_8859_1).equals("PERFFILE")) {
            throw bad(0, "a version 2 perf.data (magic \"PERFILE2\"); this is the version 1 format of perf"
                    + " before 2.6.37");
        } else {
            throw bad(0, "the perf.data magic \"PERFILE2\"");
        }
        long headerSize = u64(8);
        if (headerSize == 16) {
            pipe = true;
            bufPos = 16;
            records(Long.MAX_VALUE);
            readTo = truncatedAt >= 0 ? truncatedAt : position();
            if (truncatedAt >= 0) {
                cutReason = "its last record, at byte " + truncatedAt + ", is cut short";
            }
        } else if (headerSize >= 104) {
            fileMode(headerSize);
        } else {
            throw bad(8, "a header size of 16 (pipe mode) or at least 104 (file mode), not " + headerSize);
        }
        flushQueue(Long.MAX_VALUE);
        PerfDataInfo info = new PerfDataInfo(pipe, big, hostname, osRelease, perfVersion, arch, cpusOnline,
                cpusAvailable, cmdline, Collections.unmodifiableList(new ArrayList<>(attrs)),
                Collections.unmodifiableList(buildIds), samples, truncatedAt, compressed, cutReason, readTo);
        handler.end(info);
        return info;
    }

    private void fileMode(long headerSize) throws IOException {
        if (!ensure(104)) {
            throw bad(position(), "a 104-byte perf.data header, but the file ends at byte " + (base + bufLen));
        }
        long attrSize = u64(16);
        long attrsOff = u64(24);
        long attrsSize = u64(32);
        long dataOff = u64(40);
        long dataSize = u64(48);
        long[] features = new long[4];
        for (int i = 0; i < 4; i++) {
            features[i] = u64(72 + 8 * i);
        }
        if (attrSize < 16 + 64 || attrSize > 4096) {
            throw bad(16, "an attribute size of 80 to 4096 bytes (perf_event_attr + ids section), not " + attrSize);
        }
        if (attrsSize % attrSize != 0 || attrsSize / attrSize > 4096) {
            throw bad(32, "an attrs section size that is a multiple of " + attrSize + ", not " + attrsSize);
        }
        // attrs and their id arrays lie before the data in every perf, in either order: that part of the
        // file is held in memory
        if (dataOff < 104 || dataOff > 64 << 20) {
            throw bad(40, "a data section offset from 104 to 64 MiB, not " + dataOff);
        }
        checkBefore(attrsOff, attrsSize, dataOff, 24, "attrs section");
        need((int) dataOff, "the header, attributes and ids before the data");
        int n = (int) (attrsSize / attrSize);
        for (int i = 0; i < n; i++) {
            int p = (int) attrsOff + i * (int) attrSize;
            attrs.add(parseAttr(p, (int) attrSize - 16, i, p));
        }
        for (int i = 0; i < n; i++) {
            int p = (int) attrsOff + i * (int) attrSize + (int) attrSize - 16;
            long off = u64(p);
            long size = u64(p + 8);
            if (size == 0) {
                continue;
            }
            if (size % 8 != 0) {
                throw bad(p + 8, "an id array of whole u64 values for attribute " + i + ", not " + size + " bytes");
            }
            checkBefore(off, size, dataOff, p, "id array of attribute " + i);
            long[] ids = new long[(int) (size / 8)];
            for (int k = 0; k < ids.length; k++) {
                ids[k] = u64((int) off + 8 * k);
            }
            setIds(i, ids);
        }
        bufPos = (int) dataOff;
        startOrdering();
        long end = dataSize == 0 ? Long.MAX_VALUE : dataOff + dataSize; // 0: perf was killed before it wrote the size
        records(end);
        readTo = truncatedAt >= 0 ? truncatedAt : position();
        if (dataSize == 0) {
            // perf writes the header with a data size of 0 as it starts, the size and the feature
            // sections only as it ends: it was killed (SIGKILL, out of memory) before then
            cutReason = "perf.data has no end header";
            return;
        }
        if (truncatedAt >= 0 || position() < end) {
            cutReason = "perf.data ends at byte " + (base + bufLen) + ", before the end of its data at byte " + end;
            return; // the feature sections are not there
        }
        // feature sections: a table of {offset, size} after the data, one entry per bit set
        List<Integer> bits = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            if ((features[b >> 6] & (1L << (b & 63))) != 0) {
                bits.add(b);
            }
        }
        long tableAt = dataOff + dataSize;
        if (bits.isEmpty() || !skipToIfPresent(tableAt)) {
            return;
        }
        if (!ensure(16 * bits.size())) {
            return; // a file cut after its data: the records were read
        }
        long[][] sections = new long[bits.size()][];
        for (int i = 0; i < bits.size(); i++) {
            sections[i] = new long[] {bits.get(i), u64(bufPos + 16 * i), u64(bufPos + 16 * i + 8)};
        }
        bufPos += 16 * bits.size();
        Arrays.sort(sections, Comparator.comparingLong(s -> s[1]));
        for (long[] s : sections) {
            if (s[2] <= 0 || s[2] > 64 << 20 || !skipToIfPresent(s[1]) || !ensure((int) s[2])) {
                continue;
            }
            feature((int) s[0], bufPos, (int) s[2], position());
            bufPos += (int) s[2];
        }
    }

    /** Fails unless {@code [off, off+size)} lies between the header and the data. */
    private void checkBefore(long off, long size, long dataOff, long at, String what) throws BadInputException {
        if (off < 104 || size < 0 || off > dataOff || size > dataOff - off) { // no overflow of off + size
            throw bad(at, "the " + what + " between the header and the data (bytes 104 to " + dataOff + "), not at "
                    + off + " (" + size + " bytes)");
        }
    }

    /** Reads records up to file offset {@code end} or the end of the input. */
    private void records(long end) throws IOException {
        while (position() < end) {
            long at = position();
            if (!ensure(8)) {
                if (bufLen > bufPos) {
                    truncatedAt = at; // a header cut short
                }
                return;
            }
            int type = u32(bufPos);
            int size = u16(bufPos + 6);
            if (size < 8) {
                throw bad(at, "a record header (u32 type, u16 misc, u16 size >= 8); found type " + type
                        + " with size " + size);
            }
            if (!ensure(size)) {
                truncatedAt = at;
                return;
            }
            if (type == HEADER_TRACING_DATA && size >= 12) {
                long extra = ((u32(bufPos + 8) & 0xffffffffL) + 7) & ~7L; // the tracing data follows the record
                bufPos += size;
                skipTo(position() + extra, "the end of the tracing data");
                continue;
            }
            record(buf, bufPos, type, size, at);
            bufPos += size;
        }
    }

    /** One record at {@code b[p, p+size)}, found at file offset {@code at} (-1 inside compressed data). */
    private void record(byte[] b, int p, int type, int size, long at) throws IOException {
        switch (type) {
            case RECORD_SAMPLE, RECORD_MMAP, RECORD_MMAP2, RECORD_COMM, RECORD_FORK, RECORD_EXIT -> {
                if (type == RECORD_SAMPLE) {
                    samples++;
                }
                long t = ordered ? time(b, p, type, size) : -1;
                if (t == -1) {
                    dispatch(b, p, type, size, at);
                } else {
                    enqueue(b, p, size, t);
                }
            }
            case FINISHED_ROUND -> {
                flushQueue(nextFlush);
                nextFlush = maxTime;
            }
            case HEADER_ATTR -> pipeAttr(b, p, size, at);
            case HEADER_FEATURE -> {
                if (size >= 16) {
                    feature((int) u64(b, p + 8), p + 16, size - 16, at + 16, b);
                }
            }
            case HEADER_BUILD_ID -> buildIdRecord(b, p, size);
            case COMPRESSED -> decompress(b, p + 8, size - 8, at);
            default -> {
                // LOST, THROTTLE, SWITCH, KSYMBOL, ID_INDEX, TIME_CONV, ...: not needed to fold stacks
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // ordering

    private void startOrdering() {
        if (attrs.isEmpty()) {
            return;
        }
        EventAttr a = attrs.get(0);
        ordered = a.sampleIdAll() && (a.sampleType() & SAMPLE_TIME) != 0;
    }

    /** The time of a record, or -1 when it has none. */
    private long time(byte[] b, int p, int type, int size) {
        if (type == RECORD_SAMPLE) {
            EventAttr a = attrForSample(b, p, size);
            long st = a.sampleType();
            if ((st & SAMPLE_TIME) == 0) {
                return -1;
            }
            int o = p + 8 + 8 * Long.bitCount(st & (SAMPLE_IDENTIFIER | SAMPLE_IP | SAMPLE_TID));
            return o + 8 <= p + size ? u64(b, o) : -1;
        }
        EventAttr a = attrForOther(b, p, size);
        if (a == null || !a.sampleIdAll() || (a.sampleType() & SAMPLE_TIME) == 0) {
            return -1;
        }
        long st = a.sampleType();
        int after = 1 + Long.bitCount(st & (SAMPLE_ID | SAMPLE_STREAM_ID | SAMPLE_CPU | SAMPLE_IDENTIFIER));
        int o = p + size - 8 * after;
        return o >= p + 8 ? u64(b, o) : -1;
    }

    private void enqueue(byte[] b, int p, int size, long t) throws IOException {
        if (qLen == qTime.length) {
            qTime = Arrays.copyOf(qTime, qLen * 2);
            qOff = Arrays.copyOf(qOff, qLen * 2);
        }
        if (arenaLen + size > arena.length) {
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaLen + size));
        }
        System.arraycopy(b, p, arena, arenaLen, size);
        qTime[qLen] = t;
        qOff[qLen] = arenaLen;
        qLen++;
        arenaLen += size;
        if (t > maxTime) {
            maxTime = t;
        }
    }

    /** Delivers the queued records with a time up to {@code limit}, in time order (stable). */
    private void flushQueue(long limit) throws IOException {
        if (qLen == 0) {
            return;
        }
        int[] idx = sortedByTime();
        byte[] a = arena;
        int kept = 0;
        byte[] rest = null;
        int restLen = 0;
        long[] restTime = null;
        int[] restOff = null;
        for (int k = 0; k < qLen; k++) {
            int i = idx[k];
            int off = qOff[i];
            int size = u16(a, off + 6);
            if (qTime[i] <= limit) {
                dispatch(a, off, u32(a, off), size, -1);
            } else {
                if (rest == null) { // the queue's other set of arrays, grown as needed
                    if (spareArena.length < arenaLen) {
                        spareArena = new byte[Math.max(1 << 16, arenaLen)];
                    }
                    if (spareTime.length < qLen) {
                        spareTime = new long[Math.max(1024, qLen)];
                        spareOff = new int[spareTime.length];
                    }
                    rest = spareArena;
                    restTime = spareTime;
                    restOff = spareOff;
                }
                System.arraycopy(a, off, rest, restLen, size);
                restTime[kept] = qTime[i];
                restOff[kept] = restLen;
                restLen += size;
                kept++;
            }
        }
        if (rest == null) {
            qLen = 0;
            arenaLen = 0;
        } else {
            spareArena = arena;
            spareTime = qTime;
            spareOff = qOff;
            arena = rest;
            arenaLen = restLen;
            qTime = restTime;
            qOff = restOff;
            qLen = kept;
        }
    }

    /** Queue indexes sorted by time, equal times in arrival order. */
    private int[] sortedByTime() {
        return StableSort.indexesByKey(qTime, qLen);
    }

    // ---------------------------------------------------------------------------------------------
    // records

    private void dispatch(byte[] b, int p, int type, int size, long at) throws IOException {
        int misc = u16(b, p + 4);
        int end = p + size;
        switch (type) {
            case RECORD_SAMPLE -> {
                if (decodeSample(b, p, size)) {
                    handler.sample(sample);
                }
            }
            case RECORD_MMAP -> {
                if (size >= 48) {
                    handler.mmap(u32(b, p + 8), u32(b, p + 12), u64(b, p + 16), u64(b, p + 24), u64(b, p + 32),
                            cString(b, p + 40, end), null, misc & 7, -1);
                }
            }
            case RECORD_MMAP2 -> {
                if (size >= 80) {
                    String id = null;
                    if ((misc & (1 << 14)) != 0) { // PERF_RECORD_MISC_MMAP_BUILD_ID
                        int n = Math.min(20, b[p + 40] & 0xff);
                        id = BuildId.hex(b, p + 44, n);
                    }
                    handler.mmap(u32(b, p + 8), u32(b, p + 12), u64(b, p + 16), u64(b, p + 24), u64(b, p + 32),
                            cString(b, p + 72, end), id, misc & 7, -1);
                }
            }
            case RECORD_COMM -> {
                if (size >= 17) {
                    handler.comm(u32(b, p + 8), u32(b, p + 12), cString(b, p + 16, end), (misc & (1 << 13)) != 0,
                            -1);
                }
            }
            case RECORD_FORK, RECORD_EXIT -> {
                if (size >= 32) {
                    int pid = u32(b, p + 8);
                    int ppid = u32(b, p + 12);
                    int tid = u32(b, p + 16);
                    int ptid = u32(b, p + 20);
                    long t = u64(b, p + 24);
                    if (type == RECORD_FORK) {
                        handler.fork(pid, ppid, tid, ptid, t);
                    } else {
                        handler.exit(pid, ppid, tid, ptid, t);
                    }
                }
            }
            default -> {
            }
        }
    }

    private EventAttr attrForSample(byte[] b, int p, int size) {
        if (attrs.size() <= 1) {
            return attrs.isEmpty() ? null : attrs.get(0);
        }
        long st = attrs.get(0).sampleType();
        int o;
        if ((st & SAMPLE_IDENTIFIER) != 0) {
            o = p + 8;
        } else if ((st & SAMPLE_ID) != 0) {
            o = p + 8 + 8 * Long.bitCount(st & (SAMPLE_IP | SAMPLE_TID | SAMPLE_TIME | SAMPLE_ADDR));
        } else {
            return attrs.get(0);
        }
        if (o + 8 > p + size) {
            return attrs.get(0);
        }
        EventAttr a = attrById(u64(b, o));
        return a == null ? attrs.get(0) : a;
    }

    private EventAttr attrById(long id) {
        long[] k = idKeys;
        if (k == null) {
            return byId.get(id);
        }
        for (int i = 0; i < k.length; i++) {
            if (k[i] == id) {
                return idAttrs[i];
            }
        }
        return null;
    }

    private void idsChanged() {
        if (byId.size() > 64) {
            idKeys = null;
            idAttrs = null;
            return;
        }
        idKeys = new long[byId.size()];
        idAttrs = new EventAttr[byId.size()];
        int i = 0;
        for (Map.Entry<Long, EventAttr> e : byId.entrySet()) {
            idKeys[i] = e.getKey();
            idAttrs[i++] = e.getValue();
        }
    }

    private EventAttr attrForOther(byte[] b, int p, int size) {
        if (attrs.isEmpty()) {
            return null;
        }
        EventAttr first = attrs.get(0);
        if (attrs.size() > 1 && first.sampleIdAll() && (first.sampleType() & SAMPLE_IDENTIFIER) != 0) {
            EventAttr a = attrById(u64(b, p + size - 8));
            if (a != null) {
                return a;
            }
        }
        return first;
    }

    /** The largest period a sample may have (78 hours of cpu-clock nanoseconds); larger ones are damage. */
    static final long MAX_PERIOD = 1L << 48;

    /** Decodes a sample into {@link #sample}; false when it is too short for its own fields. */
    private boolean decodeSample(byte[] b, int p, int size) {
        EventAttr a = attrForSample(b, p, size);
        if (a == null) {
            return false;
        }
        PerfSample s = sample;
        long st = a.sampleType();
        int end = p + size;
        int o = p + 8;
        s.attr = a;
        s.cpumode = u16(b, p + 4) & 7;
        s.ip = 0;
        s.pid = 0;
        s.tid = 0;
        s.time = 0;
        s.id = 0;
        s.cpu = -1;
        s.period = 0;
        s.callchainLength = 0;
        s.hasCallchain = false;
        s.userRegsAbi = 0;
        if ((st & SAMPLE_IDENTIFIER) != 0) {
            s.id = u64(b, o);
            o += 8;
        }
        if ((st & SAMPLE_IP) != 0) {
            s.ip = u64(b, o);
            o += 8;
        }
        if ((st & SAMPLE_TID) != 0) {
            s.pid = u32(b, o);
            s.tid = u32(b, o + 4);
            o += 8;
        }
        if ((st & SAMPLE_TIME) != 0) {
            s.time = u64(b, o);
            o += 8;
        }
        if ((st & SAMPLE_ADDR) != 0) {
            o += 8;
        }
        if ((st & SAMPLE_ID) != 0) {
            s.id = u64(b, o);
            o += 8;
        }
        if ((st & SAMPLE_STREAM_ID) != 0) {
            o += 8;
        }
        if ((st & SAMPLE_CPU) != 0) {
            s.cpu = u32(b, o);
            o += 8;
        }
        if ((st & SAMPLE_PERIOD) != 0) {
            s.period = u64(b, o);
            if (s.period < 0 || s.period > MAX_PERIOD) {
                return false; // a damaged sample: no event of perf's counts 2^48 between two samples
            }
            o += 8;
        }
        if ((st & SAMPLE_READ) != 0) {
            long rf = a.readFormat();
            int per = 8 + ((rf & 4) != 0 ? 8 : 0) + ((rf & 16) != 0 ? 8 : 0); // value, id, lost
            int times = ((rf & 1) != 0 ? 8 : 0) + ((rf & 2) != 0 ? 8 : 0);
            if ((rf & 8) != 0) { // PERF_FORMAT_GROUP: nr, times, {value, id, lost} * nr
                if (o + 8 > end) {
                    return false;
                }
                long nr = u64(b, o);
                if (nr < 0 || nr > 4096) {
                    return false;
                }
                o += 8 + times + (int) nr * per;
            } else {
                o += times + per;
            }
        }
        if ((st & SAMPLE_CALLCHAIN) != 0) {
            if (o + 8 > end) {
                return false;
            }
            long nr = u64(b, o);
            o += 8;
            if (nr < 0 || nr > (end - o) / 8) { // not o + nr * 8, which a count from the file can overflow
                return false;
            }
            int n = (int) nr;
            if (s.callchain.length < n) {
                s.callchain = new long[Math.max(n, s.callchain.length * 2)];
            }
            for (int i = 0; i < n; i++) {
                s.callchain[i] = u64(b, o + 8 * i);
            }
            s.callchainLength = n;
            s.hasCallchain = true;
            o += 8 * n;
        }
        if ((st & SAMPLE_RAW) != 0) {
            if (o + 4 > end) {
                return false;
            }
            int raw = u32(b, o);
            if (raw < 0 || raw > end - o - 4) {
                return false;
            }
            o += 4 + raw;
        }
        if ((st & SAMPLE_BRANCH_STACK) != 0) {
            if (o + 8 > end) {
                return false;
            }
            long nr = u64(b, o);
            if (nr < 0 || nr > 1 << 16) {
                return false;
            }
            o += 8 + ((a.branchSampleType() & (1L << 17)) != 0 ? 8 : 0) + 24 * (int) nr; // HW_INDEX
        }
        if ((st & SAMPLE_REGS_USER) != 0 && o + 8 <= end) {
            s.userRegsAbi = u64(b, o);
            o += 8;
            if (s.userRegsAbi != 0) {
                int n = Long.bitCount(a.sampleRegsUser());
                if (o + 8L * n > end) {
                    return false;
                }
                if (s.userRegs.length < n) {
                    s.userRegs = new long[n];
                }
                for (int i = 0; i < n; i++) {
                    s.userRegs[i] = u64(b, o + 8 * i);
                }
                o += 8 * n;
            }
        }
        return o <= end;
    }

    // ---------------------------------------------------------------------------------------------
    // attributes and features

    /** An attribute of {@code len} bytes at {@code buf[p]} (fields beyond len are 0). */
    private EventAttr parseAttr(int p, int len, int index, long at) throws BadInputException {
        return parseAttr(buf, p, len, index, at);
    }

    private EventAttr parseAttr(byte[] b, int p, int len, int index, long at) throws BadInputException {
        if (len < 64) {
            throw bad(at, "a perf_event_attr of at least 64 bytes, not " + len);
        }
        int type = u32(b, p);
        long config = u64(b, p + 8);
        long flags = u64(b, p + 40);
        if (big) {
            flags = Long.reverse(flags); // bit-fields are allocated from the top on big-endian machines
        }
        return new EventAttr(index, type, config, u64(b, p + 16), u64(b, p + 24), u64(b, p + 32), flags,
                len >= 80 ? u64(b, p + 72) : 0, len >= 88 ? u64(b, p + 80) : 0, len >= 104 ? u64(b, p + 96) : 0,
                EventAttr.defaultName(type, config), new long[0]);
    }

    private void setIds(int i, long[] ids) {
        attrs.set(i, attrs.get(i).withIds(ids));
        for (long id : ids) {
            byId.put(id, attrs.get(i));
        }
        idsChanged();
    }

    /** A pipe-mode HEADER_ATTR: the attribute (its own size field says how long), then its ids. */
    private void pipeAttr(byte[] b, int p, int size, long at) throws BadInputException {
        if (size < 8 + 64) {
            throw bad(at, "a HEADER_ATTR record holding a perf_event_attr of at least 64 bytes");
        }
        int len = u32(b, p + 8 + 4);
        if (len == 0) {
            len = 64; // PERF_ATTR_SIZE_VER0
        }
        if (len < 64 || len > size - 8) { // not 8 + len, which a size from the file can wrap around
            throw bad(at + 12, "a perf_event_attr size from 64 to " + (size - 8) + ", not " + len);
        }
        int index = attrs.size();
        attrs.add(parseAttr(b, p + 8, len, index, at + 8));
        long[] ids = new long[(size - 8 - len) / 8];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = u64(b, p + 8 + len + 8 * k);
        }
        setIds(index, ids);
        startOrdering();
    }

    private void feature(int id, int p, int len, long at) {
        feature(id, p, len, at, buf);
    }

    private void feature(int id, int p, int len, long at, byte[] b) {
        int end = p + len;
        switch (id) {
            case FEAT_HOSTNAME -> hostname = string(b, p, end);
            case FEAT_OSRELEASE -> osRelease = string(b, p, end);
            case FEAT_VERSION -> perfVersion = string(b, p, end);
            case FEAT_ARCH -> arch = string(b, p, end);
            case FEAT_NRCPUS -> {
                if (len >= 8) {
                    cpusAvailable = u32(b, p);
                    cpusOnline = u32(b, p + 4);
                }
            }
            case FEAT_CMDLINE -> cmdline = stringList(b, p, end);
            case FEAT_EVENT_DESC -> eventDesc(b, p, end);
            case FEAT_BUILD_ID -> {
                int o = p;
                while (o + 8 <= end) {
                    int size = u16(b, o + 6);
                    if (size < 36 || o + size > end) {
                        break;
                    }
                    buildIdRecord(b, o, size);
                    o += size;
                }
            }
            default -> {
            }
        }
    }

    /** A build_id_event: header, s32 pid, u8[24] build-id (size at byte 20 when misc says so), filename. */
    private void buildIdRecord(byte[] b, int p, int size) {
        if (size < 36) {
            return;
        }
        int misc = u16(b, p + 4);
        int n = (misc & (1 << 15)) != 0 ? Math.min(20, b[p + 32] & 0xff) : 20;
        int cpumode = misc & 7;
        buildIds.add(new BuildId(u32(b, p + 8), cpumode == 1 || cpumode == 4, BuildId.hex(b, p + 12, n),
                cString(b, p + 36, p + size)));
    }

    /** EVENT_DESC: u32 nr, u32 attr_size, then per event: attr, u32 nr_ids, string name, u64 ids[nr_ids]. */
    private void eventDesc(byte[] b, int p, int end) {
        if (p + 8 > end) {
            return;
        }
        int nr = u32(b, p);
        int asz = u32(b, p + 4);
        if (asz < 0) {
            return;
        }
        long o = p + 8; // long: sizes from the file must not wrap an index around
        for (int i = 0; i < nr && o + asz + 4 <= end; i++) {
            o += asz;
            int nids = u32(b, (int) o);
            o += 4;
            if (o + 4 > end) {
                return;
            }
            int slen = u32(b, (int) o);
            if (slen < 0 || o + 4 + slen > end) {
                return;
            }
            String name = cString(b, (int) o + 4, (int) o + 4 + slen);
            o += 4 + slen + 8L * Math.max(0, nids);
            if (i < attrs.size()) {
                EventAttr a = attrs.get(i).withName(name);
                attrs.set(i, a);
                for (long id : a.ids()) {
                    byId.put(id, a);
                }
                idsChanged();
            }
        }
    }

    /** perf_header_string: u32 len, then len bytes (NUL-padded). */
    private String string(byte[] b, int p, int end) {
        if (p + 4 > end) {
            return null;
        }
        int n = u32(b, p);
        return cString(b, p + 4, (int) Math.min(end, p + 4L + Math.max(0, n)));
    }

    private List<String> stringList(byte[] b, int p, int end) {
        if (p + 4 > end) {
            return List.of();
        }
        int nr = u32(b, p);
        List<String> out = new ArrayList<>();
        int o = p + 4;
        for (int i = 0; i < nr && o + 4 <= end; i++) {
            int n = u32(b, o);
            if (n < 0 || n > end - o - 4) { // not o + 4 + n, which a size from the file can wrap around
                break;
            }
            out.add(cString(b, o + 4, o + 4 + n));
            o += 4 + n;
        }
        return Collections.unmodifiableList(out);
    }

    private static String cString(byte[] b, int from, int end) {
        int e = from;
        while (e < end && b[e] != 0) {
            e++;
        }
        return new String(b, from, e - from, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------
    // perf record -z

    /**
     * The payload of a COMPRESSED record: zstd data continuing one stream, whose output is records
     * (a record may span two payloads).
     */
    private void decompress(byte[] b, int p, int len, long at) throws IOException {
        compressed = true;
        if (zstd == null) {
            zstd = new ZstdDecompressCtx();
            zIn = ByteBuffer.allocateDirect(1 << 16);
            zOut = ByteBuffer.allocateDirect(1 << 18);
        }
        if (zIn.capacity() < len) {
            zIn = ByteBuffer.allocateDirect(len);
        }
        zIn.clear();
        zIn.put(b, p, len).flip();
        byte[] out = zCarry;
        int outLen = zCarry.length;
        try {
            while (zIn.hasRemaining()) {
                zOut.clear();
                zstd.decompressDirectByteBufferStream(zOut, zIn);
                zOut.flip();
                int n = zOut.remaining();
                if (outLen + n > out.length) {
                    out = Arrays.copyOf(out, Math.max(out.length * 2, outLen + n));
                }
                zOut.get(out, outLen, n);
                outLen += n;
                if (n == 0 && zIn.hasRemaining()) {
                    continue;
                }
            }
        } catch (RuntimeException e) {
            throw bad(at, "zstd-compressed records (perf record -z) that decompress: " + e.getMessage());
        }
        int o = 0;
        while (o + 8 <= outLen) {
            int type = u32(out, o);
            int size = u16(out, o + 6);
            if (size < 8) {
                throw bad(at, "records inside the compressed data; found a record of size " + size);
            }
            if (o + size > outLen) {
                break;
            }
            record(out, o, type, size, -1);
            o += size;
        }
        zCarry = Arrays.copyOfRange(out, o, outLen);
    }

    // ---------------------------------------------------------------------------------------------
    // input

    private long position() {
        return base + bufPos;
    }

    /** Makes {@code n} bytes available at bufPos; false at the end of the input. */
    private boolean ensure(int n) throws IOException {
        if (bufLen - bufPos >= n) {
            return true;
        }
        if (bufPos > 0) {
            System.arraycopy(buf, bufPos, buf, 0, bufLen - bufPos);
            base += bufPos;
            bufLen -= bufPos;
            bufPos = 0;
        }
        if (buf.length < n) {
            buf = Arrays.copyOf(buf, Math.max(n, buf.length * 2));
        }
        while (bufLen < n && !eof) {
            int r = in.read(buf, bufLen, buf.length - bufLen);
            if (r < 0) {
                eof = true;
            } else {
                bufLen += r;
            }
        }
        return bufLen - bufPos >= n;
    }

    private void need(int n, String what) throws IOException {
        if (!ensure(n)) {
            throw bad(position(), what + " (" + n + " bytes), but the file ends at byte " + (base + bufLen));
        }
    }

    /** Moves forward to file offset {@code target}. */
    private void skipTo(long target, String what) throws IOException {
        if (!skipToIfPresent(target)) {
            throw bad(target, what + ", but the file ends at byte " + (base + bufLen));
        }
    }

    private boolean skipToIfPresent(long target) throws IOException {
        long here = position();
        if (target < here) {
            throw bad(here, "sections in file order; a section starts back at byte " + target);
        }
        while (position() < target) {
            long gap = target - position();
            if (bufLen > bufPos) {
                bufPos += (int) Math.min(gap, bufLen - bufPos);
                continue;
            }
            base += bufLen;
            bufPos = 0;
            bufLen = 0;
            long skipped = in.skip(gap);
            if (skipped > 0) {
                base += skipped;
            } else if (!ensure(1)) {
                return false;
            }
        }
        return ensure(0);
    }

    private BadInputException bad(long at, String expected) {
        return new BadInputException(source, 0, at, (at >= 0 ? "at byte " + at + ": " : "in compressed data: ")
                + "expected " + expected);
    }

    private long u64(int p) {
        return u64(buf, p);
    }

    private long u64(byte[] b, int p) {
        return big ? (long) BE64.get(b, p) : (long) LE64.get(b, p);
    }

    private int u32(int p) {
        return u32(buf, p);
    }

    private int u32(byte[] b, int p) {
        return big ? (int) BE32.get(b, p) : (int) LE32.get(b, p);
    }

    private int u16(int p) {
        return u16(buf, p);
    }

    private int u16(byte[] b, int p) {
        return (big ? (short) BE16.get(b, p) : (short) LE16.get(b, p)) & 0xffff;
    }
}
