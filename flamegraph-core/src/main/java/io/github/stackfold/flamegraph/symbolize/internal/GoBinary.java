package io.github.stackfold.flamegraph.symbolize.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One Go ELF binary, opened once: its function table and what is needed to look addresses up in it.
 *
 * <p>Where the table is: the section {@code .gopclntab} (non-PIE), {@code .data.rel.ro.gopclntab}
 * (PIE, where the table needs relocations and moves into the RELRO segment), and when neither
 * section header exists (headers stripped by {@code sstrip}, or renamed by an external linker) the
 * loaded segments are scanned for a table header that parses and whose functions lie in an executable
 * segment. From Go 1.18 the inline trees are addressed relative to {@code moduledata.gofunc}; the
 * module data is the one word-aligned place in the writable data whose first two words point at the
 * table and at its function-name table, and {@code gofunc} is a fixed field of it.
 *
 * <p>Immutable and thread-safe.
 */
public final class GoBinary {
    private static final String[] SECTION_NAMES = {".gopclntab", ".data.rel.ro.gopclntab"};

    private final ElfFile elf;
    private final GoPcLnTab table;
    private final long tableAddress;
    private final long gofunc;
    private final String foundBy;

    private GoBinary(ElfFile elf, GoPcLnTab table, long tableAddress, String foundBy) {
        this.elf = elf;
        this.table = table;
        this.tableAddress = tableAddress;
        this.foundBy = foundBy;
        this.gofunc = findGofunc();
    }

    /**
     * Opens and parses a binary.
     *
     * @throws IOException            when it cannot be read
     * @throws DamagedBinaryException when it is not ELF, has no Go function table, or the table is damaged
     */
    public static GoBinary open(Path path) throws IOException, DamagedBinaryException {
        return of(ElfFile.open(path));
    }

    /** A binary from an already opened ELF file. */
    public static GoBinary of(ElfFile elf) throws DamagedBinaryException {
        for (String name : SECTION_NAMES) {
            ElfFile.Section s = elf.section(name);
            if (s != null && s.inFile() && s.size() >= 16) {
                ByteBuffer b = elf.data().duplicate().order(elf.order());
                b.position((int) s.offset()).limit((int) (s.offset() + s.size()));
                GoPcLnTab t = GoPcLnTab.parse(b, elf.order());
                return new GoBinary(elf, t, s.addr(), "section " + name);
            }
        }
        if (!elf.sections().isEmpty() && elf.section(".go.buildinfo") == null && elf.section(".note.go.buildid") == null) {
            // section headers without any Go section: libc, the JVM, node ... are not scanned byte by byte
            // (a system-wide perf.data maps dozens of them; ~200 ms of a 33 MB recording's 3 s). Go's
            // linker always writes .gopclntab; a binary stripped of its section headers is still scanned
            throw new DamagedBinaryException("no Go function table (.gopclntab): not a Go binary");
        }
        return scan(elf);
    }

    private static GoBinary scan(ElfFile elf) throws DamagedBinaryException {
        ByteBuffer data = elf.data();
        int ptr = elf.pointerSize();
        String firstProblem = null;
        for (ElfFile.Segment seg : elf.loadSegments()) {
            int start = (int) ((seg.offset() + 3) & ~3L);
            int end = (int) (seg.offset() + seg.fileSize()) - 16;
            for (int off = start; off <= end; off += 4) {
                if (!GoPcLnTab.looksLikeHeader(data, off, ptr)) {
                    continue;
                }
                ByteBuffer b = data.duplicate().order(elf.order());
                b.position(off).limit((int) (seg.offset() + seg.fileSize()));
                try {
                    GoPcLnTab t = GoPcLnTab.parse(b, elf.order());
                    if (inExecutableSegment(elf, t.minPc()) && inExecutableSegment(elf, t.maxPc() - 1)) {
                        return new GoBinary(elf, t, elf.offsetToAddress(off), "scan at file offset " + off);
                    }
                } catch (DamagedBinaryException | IndexOutOfBoundsException e) {
                    if (firstProblem == null) {
                        firstProblem = e.getMessage();
                    }
                }
            }
        }
        throw new DamagedBinaryException(firstProblem == null ? "no Go function table (.gopclntab): not a Go binary"
                : "Go function table found but unreadable: " + firstProblem);
    }

    private static boolean inExecutableSegment(ElfFile elf, long addr) {
        for (ElfFile.Segment s : elf.loadSegments()) {
            if (s.executable() && addr >= s.vaddr() && addr < s.vaddr() + s.memSize()) {
                return true;
            }
        }
        return false;
    }

    /** {@code moduledata.gofunc} for 1.18+ tables, -1 when not needed or not found. */
    private long findGofunc() {
        GoPcLnTab.Layout layout = table.layout();
        if (layout != GoPcLnTab.Layout.GO_1_18 && layout != GoPcLnTab.Layout.GO_1_20) {
            return -1;
        }
        ByteBuffer data = elf.data();
        int ptr = elf.pointerSize();
        long names = tableAddress + table.funcnametabOffset();
        int gofuncWord = layout == GoPcLnTab.Layout.GO_1_20 ? 40 : 38;
        for (ElfFile.Segment seg : elf.loadSegments()) {
            if (!seg.writable()) { // moduledata is in .noptrdata
                continue;
            }
            long start = (seg.offset() + ptr - 1) & -ptr;
            long end = seg.offset() + seg.fileSize() - (long) ptr * (gofuncWord + 1);
            for (long off = start; off <= end; off += ptr) {
                if (elf.word(off) == tableAddress && elf.word(off + ptr) == names) {
                    long g = elf.word(off + (long) ptr * gofuncWord);
                    if (elf.addressToOffset(g) >= 0) {
                        return g;
                    }
                }
            }
        }
        return -1;
    }

    /** The file this binary was read from. */
    public Path path() {
        return elf.path();
    }

    public GoPcLnTab table() {
        return table;
    }

    public ElfFile elf() {
        return elf;
    }

    /** Where the table was found, for messages ("section .gopclntab", "scan at file offset N"). */
    public String foundBy() {
        return foundBy;
    }

    /** The virtual address of the table. */
    public long tableAddress() {
        return tableAddress;
    }

    /** {@code moduledata.gofunc}, or -1 (pre-1.18 tables, or not found: then no inline expansion). */
    public long gofunc() {
        return gofunc;
    }

    /**
     * The names at a file offset as perf prints it for an unnamed frame, outermost first; {@code null}
     * when the offset is not in a loaded segment or not inside a Go function.
     *
     * <p>perf prints the sampled instruction for the leaf frame but return addresses for its callers,
     * and cannot say which is which. The function is looked up at the address as printed (as perf
     * names the frames of an unstripped binary); the inlined calls at {@code address - 1}, the call
     * instruction of a return address, unless the address is the function's entry. For a leaf that
     * only matters on the first byte of an inlined range.
     */
    public String[] namesAtOffset(long fileOffset, boolean inline) {
        long vaddr = elf.offsetToAddress(fileOffset);
        if (vaddr < 0) {
            return null;
        }
        int i = table.find(vaddr);
        if (i < 0) {
            return null;
        }
        if (!inline) {
            return new String[] {table.name(i)};
        }
        long at = vaddr > table.entry(i) ? vaddr - 1 : vaddr;
        return table.inlined(i, at, gofunc, elf::addressToOffset, elf.data());
    }

    /** The names at exactly this virtual address, outermost first, or {@code null}. */
    public String[] namesAtAddress(long vaddr, boolean inline) {
        int i = table.find(vaddr);
        if (i < 0) {
            return null;
        }
        if (!inline) {
            return new String[] {table.name(i)};
        }
        return table.inlined(i, vaddr, gofunc, elf::addressToOffset, elf.data());
    }
}
