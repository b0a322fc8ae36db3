package io.github.stackfold.flamegraph.symbolize.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A read-only view of an ELF file: its section headers and its {@code PT_LOAD} program headers, over
 * a memory-mapped copy of the file that is parsed once. 32- and 64-bit, either byte order.
 *
 * <p>It is for finding the Go function table and turning file offsets (what perf prints for frames it
 * could not name) into virtual addresses; it is not a general ELF library (no symbols, no relocations,
 * no DWARF).
 */
public final class ElfFile {
    private static final int PT_LOAD = 1;
    private static final int SHT_NOBITS = 8;

    private final Path path;
    private final ByteBuffer data;
    private final boolean is64;
    private final List<Section> sections;
    private final List<Segment> loads;

    /** A section header: name, virtual address, file offset and size (0 bytes in the file for NOBITS). */
    public record Section(String name, long addr, long offset, long size, boolean inFile, boolean writable) {
    }

    /** A {@code PT_LOAD} program header. */
    public record Segment(long offset, long vaddr, long fileSize, long memSize, int flags) {
        /** Whether the segment is executable ({@code PF_X}). */
        public boolean executable() {
            return (flags & 1) != 0;
        }

        /** Whether the segment is writable ({@code PF_W}). */
        public boolean writable() {
            return (flags & 2) != 0;
        }
    }

    private ElfFile(Path path, ByteBuffer data) throws DamagedBinaryException {
        this.path = path;
        this.data = data;
        if (data.limit() < 52 || data.get(0) != 0x7f || data.get(1) != 'E' || data.get(2) != 'L' || data.get(3) != 'F') {
            throw new DamagedBinaryException("not an ELF file");
        }
        int cls = data.get(4);
        int enc = data.get(5);
        if (cls != 1 && cls != 2) {
            throw new DamagedBinaryException("unknown ELF class " + cls);
        }
        if (enc != 1 && enc != 2) {
            throw new DamagedBinaryException("unknown ELF data encoding " + enc);
        }
        is64 = cls == 2;
        data.order(enc == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        if (is64 && data.limit() < 64) {
            throw new DamagedBinaryException("truncated ELF header");
        }
        loads = Collections.unmodifiableList(readLoads());
        sections = Collections.unmodifiableList(readSections());
    }

    /**
     * Maps and parses the file.
     *
     * @throws IOException            when the file cannot be read
     * @throws DamagedBinaryException when it is not a (readable) ELF file
     */
    public static ElfFile open(Path path) throws IOException, DamagedBinaryException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new DamagedBinaryException("larger than 2 GiB");
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return new ElfFile(path, map);
        }
    }

    /** Parses an ELF image held in memory (tests). */
    public static ElfFile of(Path name, ByteBuffer bytes) throws DamagedBinaryException {
        return new ElfFile(name, bytes.duplicate());
    }

    public Path path() {
        return path;
    }

    /** The whole file; absolute reads only, in the file's byte order. Do not change its position. */
    public ByteBuffer data() {
        return data;
    }

    public boolean is64() {
        return is64;
    }

    public int pointerSize() {
        return is64 ? 8 : 4;
    }

    public ByteOrder order() {
        return data.order();
    }

    public List<Section> sections() {
        return sections;
    }

    public List<Segment> loadSegments() {
        return loads;
    }

    /** The first section of that name, or {@code null}. */
    public Section section(String name) {
        for (Section s : sections) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /**
     * The virtual address of a byte at {@code offset} in the file (what perf prints for an unnamed frame
     * is such an offset: the sampled address minus the mapping's start plus the mapping's file offset),
     * or -1 when no {@code PT_LOAD} segment holds that offset.
     */
    public long offsetToAddress(long offset) {
        for (Segment s : loads) {
            if (offset >= s.offset() && offset < s.offset() + s.fileSize()) {
                return offset - s.offset() + s.vaddr();
            }
        }
        return -1;
    }

    /** The file offset of the byte at virtual address {@code addr}, or -1 when it is not in the file. */
    public long addressToOffset(long addr) {
        for (Segment s : loads) {
            if (addr >= s.vaddr() && addr < s.vaddr() + s.fileSize()) {
                return addr - s.vaddr() + s.offset();
            }
        }
        return -1;
    }

    /** A pointer-sized value at a file offset. */
    public long word(long offset) {
        int o = (int) offset;
        return is64 ? data.getLong(o) : data.getInt(o) & 0xffffffffL;
    }

    private long addrField(int off) {
        return is64 ? data.getLong(off) : data.getInt(off) & 0xffffffffL;
    }

    private List<Segment> readLoads() throws DamagedBinaryException {
        long phoff = addrField(is64 ? 0x20 : 0x1c);
        int phentsize = data.getShort(is64 ? 0x36 : 0x2a) & 0xffff;
        int phnum = data.getShort(is64 ? 0x38 : 0x2c) & 0xffff;
        List<Segment> out = new ArrayList<>();
        if (phnum == 0) {
            return out;
        }
        checkTable(phoff, phentsize, phnum, is64 ? 56 : 32, "program header");
        for (int i = 0; i < phnum; i++) {
            int p = (int) (phoff + (long) i * phentsize);
            if (data.getInt(p) != PT_LOAD) {
                continue;
            }
            Segment s;
            if (is64) {
                s = new Segment(data.getLong(p + 8), data.getLong(p + 16), data.getLong(p + 32),
                        data.getLong(p + 40), data.getInt(p + 4));
            } else {
                s = new Segment(u32(p + 4), u32(p + 8), u32(p + 16), u32(p + 20), data.getInt(p + 24));
            }
            if (s.offset() < 0 || s.fileSize() < 0 || s.offset() + s.fileSize() > data.limit()) {
                throw new DamagedBinaryException("PT_LOAD segment " + i + " lies outside the file");
            }
            out.add(s);
        }
        return out;
    }

    private List<Section> readSections() throws DamagedBinaryException {
        long shoff = addrField(is64 ? 0x28 : 0x20);
        int shentsize = data.getShort(is64 ? 0x3a : 0x2e) & 0xffff;
        int shnum = data.getShort(is64 ? 0x3c : 0x30) & 0xffff;
        int shstrndx = data.getShort(is64 ? 0x3e : 0x32) & 0xffff;
        List<Section> out = new ArrayList<>();
        if (shoff == 0 || shnum == 0) {
            return out; // section headers are optional (sstrip): callers fall back to scanning
        }
        checkTable(shoff, shentsize, shnum, is64 ? 64 : 40, "section header");
        if (shstrndx >= shnum) {
            throw new DamagedBinaryException("section name table index " + shstrndx + " out of range");
        }
        long[] strtab = header((int) (shoff + (long) shstrndx * shentsize));
        for (int i = 0; i < shnum; i++) {
            long[] h = header((int) (shoff + (long) i * shentsize));
            boolean inFile = h[1] != SHT_NOBITS;
            if (inFile && (h[4] < 0 || h[5] < 0 || h[4] + h[5] > data.limit())) {
                throw new DamagedBinaryException("section " + i + " lies outside the file");
            }
            String name = cString(data, strtab[4], strtab[5], h[0]);
            out.add(new Section(name, h[3], h[4], h[5], inFile, (h[2] & 1) != 0));
        }
        return out;
    }

    /** name, type, flags, addr, offset, size. */
    private long[] header(int p) {
        if (is64) {
            return new long[] {u32(p), u32(p + 4), data.getLong(p + 8), data.getLong(p + 16),
                data.getLong(p + 24), data.getLong(p + 32)};
        }
        return new long[] {u32(p), u32(p + 4), u32(p + 8), u32(p + 12), u32(p + 16), u32(p + 20)};
    }

    /**
     * The NUL-terminated string at {@code index} of the string table at {@code tableOffset} in {@code data}
     * (raw bytes as ISO-8859-1); empty when the index or the table lies outside the file.
     */
    static String cString(ByteBuffer data, long tableOffset, long tableSize, long index) {
        if (index < 0 || tableOffset < 0 || tableSize < 0 || index >= tableSize || tableSize > data.limit()
                || tableOffset > data.limit() - tableSize) {
            return "";
        }
        int start = (int) (tableOffset + index);
        int end = start;
        int limit = (int) (tableOffset + tableSize);
        while (end < limit && data.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - start];
        data.get(start, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private void checkTable(long off, int entSize, int num, int minEntSize, String what)
            throws DamagedBinaryException {
        if (entSize < minEntSize || off < 0 || off > data.limit() || (long) entSize * num > data.limit() - off) { // no overflow past the end
            throw new DamagedBinaryException(what + " table lies outside the file");
        }
    }

    private long u32(int p) {
        return data.getInt(p) & 0xffffffffL;
    }
}
