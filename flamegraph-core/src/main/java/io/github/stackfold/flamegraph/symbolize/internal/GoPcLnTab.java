package io.github.stackfold.flamegraph.symbolize.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Go runtime's function table ({@code .gopclntab}, the {@code runtime.pclntab} symbol): function
 * entry addresses, names, and the per-PC tables the runtime uses for tracebacks. The Go toolchain
 * writes it into every binary, also those linked with {@code -s -w}, so it names the frames of a
 * stripped Go program.
 *
 * <h2>Layouts</h2>
 * All start with a 4-byte magic in the binary's byte order, two zero bytes, the PC quantum (1 on x86,
 * 4 on arm64) and the pointer size:
 * <pre>
 * 0xfffffffb  Go 1.2 - 1.15   nfunc uintptr; then nfunc x {entry uintptr, funcoff uintptr}, end uintptr;
 *                             funcoff, name offsets and pc-table offsets are relative to the table start
 * 0xfffffffa  Go 1.16 - 1.17  nfunc, nfiles, funcnameOffset, cuOffset, filetabOffset, pctabOffset,
 *                             pclnOffset (all uintptr); functab {entry uintptr, funcoff uintptr} at
 *                             pclnOffset, funcoff relative to pclnOffset; names relative to funcnametab
 * 0xfffffff0  Go 1.18 - 1.19  as 1.16 with textStart uintptr after nfiles; functab entries become
 *                             {entryoff uint32, funcoff uint32}, entryoff relative to textStart
 * 0xfffffff1  Go 1.20 +       as 1.18; the _func record gains startLine (4 bytes before funcID)
 * </pre>
 * The functab has nfunc + 1 entries; the last holds only the end of the text (the table's upper bound).
 *
 * <h2>_func</h2>
 * From 1.18: {@code entryOff u32, nameOff i32, args i32, deferreturn u32, pcsp u32, pcfile u32,
 * pcln u32, npcdata u32, cuOffset u32, [startLine i32 (1.20+)], funcID u8, flag u8, pad u8,
 * nfuncdata u8}, then {@code npcdata x u32} offsets into pctab and {@code nfuncdata x u32} offsets from
 * {@code moduledata.gofunc} (~0 for none). Before 1.18 the entry is a uintptr, flag does not exist, and
 * funcdata are pointer-aligned absolute addresses.
 *
 * <h2>Inline tree</h2>
 * {@code PCDATA_InlTreeIndex} (pcdata 2) maps a PC to an index into the function's inline tree
 * ({@code FUNCDATA_InlTree}, funcdata 3), -1 when the PC is not inside an inlined call. Each tree entry
 * names the inlined callee and gives {@code parentPc}, an offset from the function entry whose index
 * is the next outer call. Entries are 20 bytes before 1.20 ({@code parent i16, funcID u8, pad, file
 * i32, line i32, nameOff i32, parentPc i32}) and 16 from 1.20 ({@code funcID u8, pad[3], nameOff i32,
 * parentPc i32, startLine i32}). Read only for 1.16 and later.
 *
 * <h2>pc-value tables</h2>
 * Pairs of varints (value delta zig-zag encoded, pc delta in quanta), starting at value -1 and the
 * function entry; a zero value delta after the first pair ends the table.
 *
 * <p>Instances are immutable and thread-safe (the name cache is concurrent).
 */
public final class GoPcLnTab {
    /** The known layouts. */
    public enum Layout {
        GO_1_2(0xfffffffb, "1.2"),
        GO_1_16(0xfffffffa, "1.16"),
        GO_1_18(0xfffffff0, "1.18"),
        GO_1_20(0xfffffff1, "1.20");

        final int magic;
        final String since;

        Layout(int magic, String since) {
            this.magic = magic;
            this.since = since;
        }

        /** The first Go release that writes this layout, e.g. "1.18". */
        public String since() {
            return since;
        }

        private static final Layout[] ALL = values();

        static Layout ofMagic(int magic) {
            for (Layout l : ALL) {
                if (l.magic == magic) {
                    return l;
                }
            }
            return null;
        }
    }

    /** Function flag set for functions written in assembly (Go 1.19+ sets it). */
    public static final int FUNC_FLAG_ASM = 1 << 2;

    private static final int PCDATA_INL_TREE_INDEX = 2;
    private static final int FUNCDATA_INL_TREE = 3;
    private static final int MAX_INLINE_DEPTH = 256;

    private final ByteBuffer tab;
    private final Layout layout;
    private final int quantum;
    private final int ptrSize;
    private final int nfunc;
    private final long textStart;
    private final int funcnametab;
    private final int pctab;
    private final int functab;
    private final int funcBase;
    private final int ftabEntrySize;
    /** 1.18+: functab entries and _func entry are uint32 offsets from textStart. */
    private final boolean offsets32;
    private final int minFuncSize;
    private final ConcurrentHashMap<Integer, String> names = new ConcurrentHashMap<>();

    private GoPcLnTab(ByteBuffer tab, Layout layout) throws DamagedBinaryException {
        this.tab = tab;
        this.layout = layout;
        this.quantum = tab.get(6) & 0xff;
        this.ptrSize = tab.get(7) & 0xff;
        if (tab.get(4) != 0 || tab.get(5) != 0 || (quantum != 1 && quantum != 2 && quantum != 4)
                || (ptrSize != 4 && ptrSize != 8)) {
            throw new DamagedBinaryException("bad .gopclntab header");
        }
        long n = word(8);
        if (n <= 0 || n > 50_000_000) {
            throw new DamagedBinaryException("implausible function count " + n);
        }
        nfunc = (int) n;
        switch (layout) {
            case GO_1_2:
                textStart = 0;
                funcnametab = 0;
                pctab = 0;
                functab = 8 + ptrSize;
                funcBase = 0;
                ftabEntrySize = 2 * ptrSize;
                break;
            case GO_1_16:
                textStart = 0;
                funcnametab = offsetField(8 + 2 * ptrSize);
                pctab = offsetField(8 + 5 * ptrSize);
                functab = offsetField(8 + 6 * ptrSize);
                funcBase = functab;
                ftabEntrySize = 2 * ptrSize;
                break;
            default:
                textStart = word(8 + 2 * ptrSize);
                funcnametab = offsetField(8 + 3 * ptrSize);
                pctab = offsetField(8 + 6 * ptrSize);
                functab = offsetField(8 + 7 * ptrSize);
                funcBase = functab;
                ftabEntrySize = 8;
                break;
        }
        offsets32 = layout == Layout.GO_1_18 || layout == Layout.GO_1_20;
        minFuncSize = layout == Layout.GO_1_2 ? ptrSize + 8 : pcdataField();
        long ftabEnd = (long) functab + (long) ftabEntrySize * nfunc + (offsets32 ? 4 : ptrSize);
        if (ftabEnd > tab.limit()) {
            throw new DamagedBinaryException("function table runs past the end of .gopclntab");
        }
        validate();
    }

    /**
     * Parses a table. {@code tab} starts at the table's first byte, is in the binary's byte order and
     * may extend past the table's end (the table's size is not needed).
     *
     * @throws DamagedBinaryException when the magic is unknown or the table is inconsistent
     */
    public static GoPcLnTab parse(ByteBuffer tab, ByteOrder order) throws DamagedBinaryException {
        ByteBuffer t = tab.slice().order(order);
        if (t.limit() < 16) {
            throw new DamagedBinaryException(".gopclntab is too short");
        }
        Layout layout = Layout.ofMagic(t.getInt(0));
        if (layout == null) {
            throw new DamagedBinaryException(String.format("unknown .gopclntab magic 0x%08x", t.getInt(0)));
        }
        try {
            return new GoPcLnTab(t, layout);
        } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            // a header whose offsets point past the table (found by fuzzing: ReadersFuzzTest#elfGopclntab)
            throw new DamagedBinaryException(".gopclntab header points past the table's " + t.limit() + " bytes");
        }
    }

    /** Whether {@code b} at {@code off} looks like the start of a table header (a cheap pre-check for scans). */
    public static boolean looksLikeHeader(ByteBuffer b, int off, int ptrSize) {
        // every magic is 0xfffffffX: its two middle bytes are 0xff in either byte order. Testing them
        // first keeps a scan of a non-Go binary to two byte reads per offset (1.2 MB bash: ~50 ms -> ~2)
        if (off + 16 > b.limit() || b.get(off + 1) != (byte) 0xff || b.get(off + 2) != (byte) 0xff
                || Layout.ofMagic(b.getInt(off)) == null) {
            return false;
        }
        int q = b.get(off + 6);
        return b.get(off + 4) == 0 && b.get(off + 5) == 0 && (q == 1 || q == 2 || q == 4)
                && b.get(off + 7) == ptrSize;
    }

    public Layout layout() {
        return layout;
    }

    public int functionCount() {
        return nfunc;
    }

    public int pointerSize() {
        return ptrSize;
    }

    /** Offset of the funcnametab inside the table (names in inline trees are relative to it). */
    int funcnametabOffset() {
        return funcnametab;
    }

    /** The lowest address covered (the first function's entry). */
    public long minPc() {
        return entry(0);
    }

    /** The end of the text covered (the sentinel entry). */
    public long maxPc() {
        return entry(nfunc);
    }

    /** The entry address of function {@code i} (0 <= i <= functionCount(), the last being the end). */
    public long entry(int i) {
        int p = functab + i * ftabEntrySize;
        if (offsets32) {
            return textStart + (tab.getInt(p) & 0xffffffffL);
        }
        return word(p);
    }

    /** The index of the function whose code holds {@code pc}, or -1. */
    public int find(long pc) {
        if (pc < entry(0) || pc >= entry(nfunc)) {
            return -1;
        }
        int lo = 0;
        int hi = nfunc - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (entry(mid) <= pc) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The name of function {@code i} (UTF-8, as Go writes names). */
    public String name(int i) {
        int f = func(i);
        return nameAt(tab.getInt(f + (offsets32 ? 4 : ptrSize)));
    }

    /** The function's flag byte (1.18+; 0 before). */
    public int flag(int i) {
        if (!offsets32) {
            return 0;
        }
        return tab.get(func(i) + (layout == Layout.GO_1_20 ? 41 : 37)) & 0xff;
    }

    /**
     * The names at {@code pc} inside function {@code i}, outermost first: the function itself, then
     * the calls inlined into it at that PC. Just the function's name when the binary has no inline
     * tree for it (or {@code gofunc} is unknown for a 1.18+ binary).
     *
     * @param gofunc the virtual address of {@code moduledata.gofunc} (1.18+), -1 when unknown
     * @param memory turns a virtual address into an offset in {@code file}, -1 when not in it
     * @param file   the whole file (for inline trees, which live outside the table from 1.16 on)
     */
    public String[] inlined(int i, long pc, long gofunc, AddressMap memory, ByteBuffer file) {
        String outer = name(i);
        int tree = inlineTree(i, gofunc, memory);
        if (tree < 0) {
            return new String[] {outer};
        }
        int f = func(i);
        int inlTable = pcdata(f, PCDATA_INL_TREE_INDEX);
        if (inlTable <= 0) {
            return new String[] {outer};
        }
        long entry = entry(i);
        int recSize = layout == Layout.GO_1_20 ? 16 : 20;
        int nameField = layout == Layout.GO_1_20 ? 4 : 12;
        int parentPcField = layout == Layout.GO_1_20 ? 8 : 16;
        List<String> inner = new ArrayList<>();
        long at = pc;
        int ix = pcvalue(inlTable, entry, at);
        while (ix >= 0 && inner.size() < MAX_INLINE_DEPTH) {
            long rec = (long) tree + (long) ix * recSize;
            if (rec + recSize > file.limit()) {
                break;
            }
            inner.add(nameAt(file.getInt((int) rec + nameField)));
            at = entry + file.getInt((int) rec + parentPcField);
            int next = pcvalue(inlTable, entry, at);
            if (next == ix) {
                break; // a loop would mean a damaged tree
            }
            ix = next;
        }
        String[] out = new String[inner.size() + 1];
        out[0] = outer;
        for (int k = 0; k < inner.size(); k++) {
            out[k + 1] = inner.get(inner.size() - 1 - k);
        }
        return out;
    }

    /** The file offset of function i's inline tree, or -1. */
    private int inlineTree(int i, long gofunc, AddressMap memory) {
        if (layout == Layout.GO_1_2) {
            return -1;
        }
        int f = func(i);
        int npcdata = tab.getInt(f + npcdataField());
        int nfuncdata = tab.get(f + nfuncdataField()) & 0xff;
        if (nfuncdata <= FUNCDATA_INL_TREE || npcdata <= PCDATA_INL_TREE_INDEX) {
            return -1;
        }
        int pcdataStart = f + pcdataField();
        long addr;
        if (offsets32) {
            int fd = pcdataStart + 4 * npcdata + 4 * FUNCDATA_INL_TREE;
            int off = tab.getInt(fd);
            if (off == -1 || gofunc < 0) {
                return -1;
            }
            addr = gofunc + (off & 0xffffffffL);
        } else {
            int fdStart = pcdataStart + 4 * npcdata;
            fdStart = (fdStart + ptrSize - 1) & -ptrSize;
            addr = word(fdStart + ptrSize * FUNCDATA_INL_TREE);
            if (addr == 0) {
                return -1;
            }
        }
        long off = memory.offsetOf(addr);
        return off < 0 || off > Integer.MAX_VALUE ? -1 : (int) off;
    }

    private int npcdataField() {
        return offsets32 ? 28 : ptrSize + 24;
    }

    private int nfuncdataField() {
        switch (layout) {
            case GO_1_20:
                return 43;
            case GO_1_18:
                return 39;
            default:
                return ptrSize + 35;
        }
    }

    private int pcdataField() {
        switch (layout) {
            case GO_1_20:
                return 44;
            case GO_1_18:
                return 40;
            default:
                return ptrSize + 36;
        }
    }

    /** The offset (inside the table) of pc-value table {@code k} of the function at {@code f}, or 0. */
    private int pcdata(int f, int k) {
        int npcdata = tab.getInt(f + npcdataField());
        if (k >= npcdata) {
            return 0;
        }
        int off = tab.getInt(f + pcdataField() + 4 * k);
        return off == 0 ? 0 : pctab + off;
    }

    /** The value of the pc-value table at {@code table} for {@code target}, or -1 when not covered. */
    int pcvalue(int table, long entry, long target) {
        int p = table;
        int val = -1;
        long pc = entry;
        boolean first = true;
        int limit = tab.limit();
        while (p < limit) {
            long uv = 0;
            int shift = 0;
            int b;
            do {
                b = tab.get(p++) & 0xff;
                uv |= (long) (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0 && p < limit && shift < 35);
            if (uv == 0 && !first) {
                return -1;
            }
            first = false;
            int d = (int) uv;
            val += (d >>> 1) ^ -(d & 1);
            long pd = 0;
            shift = 0;
            do {
                b = tab.get(p++) & 0xff;
                pd |= (long) (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0 && p < limit && shift < 35);
            pc += pd * quantum;
            if (target < pc) {
                return val;
            }
        }
        return -1;
    }

    private int func(int i) {
        int p = functab + i * ftabEntrySize;
        long off = offsets32 ? tab.getInt(p + 4) & 0xffffffffL : word(p + ptrSize);
        return (int) (funcBase + off);
    }

    private String nameAt(int nameOff) {
        return names.computeIfAbsent(nameOff, o -> {
            int start = funcnametab + o;
            if (o < 0 || start >= tab.limit()) {
                return "?";
            }
            int end = start;
            while (end < tab.limit() && tab.get(end) != 0) {
                end++;
            }
            byte[] b = new byte[end - start];
            tab.get(start, b);
            return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        });
    }

    private long word(int off) {
        return ptrSize == 8 ? tab.getLong(off) : tab.getInt(off) & 0xffffffffL;
    }

    private int offsetField(int off) throws DamagedBinaryException {
        long v = word(off);
        if (v < 0 || v >= tab.limit()) {
            throw new DamagedBinaryException("table offset " + v + " lies outside .gopclntab");
        }
        return (int) v;
    }

    /** Entries must ascend and every _func record and name must lie inside the table. */
    private void validate() throws DamagedBinaryException {
        long prev = entry(0);
        int limit = tab.limit();
        for (int i = 0; i < nfunc; i++) {
            long e = entry(i + 1);
            if (e < prev) {
                throw new DamagedBinaryException("function table is not sorted at entry " + i);
            }
            prev = e;
            int p = functab + i * ftabEntrySize;
            long off = offsets32 ? tab.getInt(p + 4) & 0xffffffffL : word(p + ptrSize);
            long f = funcBase + off;
            if (f < 0 || f + minFuncSize > limit) {
                throw new DamagedBinaryException("function record " + i + " lies outside .gopclntab");
            }
            int nameOff = tab.getInt((int) f + (offsets32 ? 4 : ptrSize));
            if (nameOff < 0 || (long) funcnametab + nameOff >= limit) {
                throw new DamagedBinaryException("function name " + i + " lies outside .gopclntab");
            }
        }
        if (!offsets32 && word(func(0)) != entry(0)) {
            // the _func record repeats its entry address: a cheap check that funcoff is right
            throw new DamagedBinaryException("function record 0 does not match its table entry");
        }
        if (offsets32 && (tab.getInt(func(0)) & 0xffffffffL) != entry(0) - textStart) {
            throw new DamagedBinaryException("function record 0 does not match its table entry");
        }
    }

    /** Virtual address to file offset. */
    @FunctionalInterface
    public interface AddressMap {
        /** The file offset of {@code vaddr}, or -1. */
        long offsetOf(long vaddr);
    }
}
