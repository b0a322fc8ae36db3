package io.github.stackfold.flamegraph.symbolize;

import io.github.stackfold.flamegraph.symbolize.internal.DamagedBinaryException;
import io.github.stackfold.flamegraph.symbolize.internal.ElfFile;
import io.github.stackfold.flamegraph.symbolize.internal.GoBinary;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A local copy of a binary that lives elsewhere (in a pod, reached through {@code kubectl exec}), holding
 * only what naming its Go frames needs, fetched as byte ranges and kept by build-id.
 *
 * <p>What is fetched, in order:
 * <ol>
 *   <li>the first 4 KiB: the ELF header, the program headers and (in every Go binary seen so far) the
 *       notes, whose GNU build-id (else Go build ID) is the cache key. When the cache holds a copy for
 *       that key, nothing more is fetched;</li>
 *   <li>the section header table and the section name table;</li>
 *   <li>{@code .gopclntab} (or {@code .data.rel.ro.gopclntab} in a PIE): of a Go 1.16+ table without
 *       inline expansion only the function names and records, not the file and pc-value tables;</li>
 *   <li>for inline expansion only: the file bytes of the writable segments (the module data) and the
 *       section holding {@code moduledata.gofunc} (the inline trees).</li>
 * </ol>
 * The copy is a sparse file as long as the original with those ranges at their own offsets and zeros
 * elsewhere, so it is read like the binary itself (the {@code PT_LOAD} headers turn perf's file offsets
 * into addresses as for the original). It is checked to parse before it is put in the cache
 * ({@code DIR/BUILD-ID/elf}, or {@code elf-inline} with the inline parts), so a copy found there is
 * whole. The library never runs commands: the caller says how ranges are read ({@link Ranges}).
 */
public final class PartialBinary {
    /** How much of the file's start is fetched first. */
    static final int HEAD = 4096;
    /** The largest range asked for at once. */
    static final int CHUNK = 8 << 20;
    private static final String[] TABLES = {".gopclntab", ".data.rel.ro.gopclntab"};

    /** Reads byte ranges of the remote file. */
    @FunctionalInterface
    public interface Ranges {
        /**
         * The {@code length} bytes at {@code offset}; fewer only where the file ends.
         *
         * @throws IOException when they cannot be read
         */
        byte[] read(long offset, int length) throws IOException;
    }

    /**
     * A copy in the cache.
     *
     * @param file         the local sparse copy
     * @param buildId      the cache key: the GNU build-id in hex, or {@code go-} and the Go build ID in hex
     * @param fetchedBytes how many bytes this call read through {@link Ranges}
     * @param fileSize     the binary's size as its headers give it (the end of its last section or table)
     * @param cached       true when the copy was in the cache already (only the first 4 KiB were read)
     */
    public record Copy(Path file, String buildId, long fetchedBytes, long fileSize, boolean cached) {
    }

    private PartialBinary() {
    }

    /** {@code $XDG_CACHE_HOME/stackfold/buildid}, else {@code ~/.cache/stackfold/buildid}; null when neither is known. */
    public static Path defaultCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            return Path.of(xdg, "stackfold", "buildid");
        }
        String home = System.getProperty("user.home");
        return home == null ? null : Path.of(home, ".cache", "stackfold", "buildid");
    }

    /**
     * The cached copy for the remote binary, fetched now when the cache has none.
     *
     * @param remote   how its bytes are read
     * @param cacheDir where copies are kept
     * @param inline   whether inline expansion will be asked for (fetches more)
     * @throws IOException when a range cannot be read, the cache cannot be written, or the binary is not
     *                     an ELF file with a build-id and a Go function table section
     */
    public static Copy fetch(Ranges remote, Path cacheDir, boolean inline) throws IOException {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(cacheDir, "cacheDir");
        Counting r = new Counting(remote);
        byte[] head = r.read(0, HEAD);
        if (head.length < 52 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
            throw new IOException("not an ELF file");
        }
        boolean is64 = head[4] == 2;
        if (head[4] != 1 && head[4] != 2 || head[5] != 1 && head[5] != 2 || is64 && head.length < 64) {
            throw new IOException("unknown ELF class or data encoding");
        }
        ByteOrder order = head[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        ByteBuffer h = ByteBuffer.wrap(head).order(order);
        long phoff = is64 ? h.getLong(0x20) : u32(h, 0x1c);
        int phentsize = u16(h, is64 ? 0x36 : 0x2a);
        int phnum = u16(h, is64 ? 0x38 : 0x2c);
        long shoff = is64 ? h.getLong(0x28) : u32(h, 0x20);
        int shentsize = u16(h, is64 ? 0x3a : 0x2e);
        int shnum = u16(h, is64 ? 0x3c : 0x30);
        int shstrndx = u16(h, is64 ? 0x3e : 0x32);
        if (phentsize < (is64 ? 56 : 32) && phnum > 0 || phoff < 0) {
            throw new IOException("damaged program header table");
        }

        Sparse parts = new Sparse();
        parts.add(0, head);
        byte[] ph = parts.bytes(r, phoff, (long) phentsize * phnum);
        ByteBuffer p = ByteBuffer.wrap(ph).order(order);
        List<long[]> loads = new ArrayList<>(); // offset, fileSize, flags
        String gnuId = null;
        String goId = null;
        for (int i = 0; i < phnum; i++) {
            int o = i * phentsize;
            int type = p.getInt(o);
            long off = is64 ? p.getLong(o + 8) : u32(p, o + 4);
            long fileSize = is64 ? p.getLong(o + 32) : u32(p, o + 16);
            int flags = is64 ? p.getInt(o + 4) : p.getInt(o + 24);
            long align = is64 ? p.getLong(o + 48) : u32(p, o + 28);
            if (type == 1) {
                loads.add(new long[] {off, fileSize, flags});
            } else if (type == 4 && fileSize > 0 && fileSize <= 1 << 16) {
                ByteBuffer n = ByteBuffer.wrap(parts.bytes(r, off, fileSize)).order(order);
                for (String[] note : notes(n, align == 8 ? 8 : 4)) {
                    if (note[0].equals("GNU") && note[1].equals("3") && gnuId == null) {
                        gnuId = note[2];
                    } else if (note[0].equals("Go") && note[1].equals("4") && goId == null) {
                        goId = "go-" + note[2];
                    }
                }
            }
        }
        String id = gnuId != null ? gnuId : goId;
        if (id == null || id.length() < 8) {
            throw new IOException("no build-id note (GNU or Go): a copy could not be told from another binary's");
        }
        Path dir = cacheDir.resolve(id);
        Path full = dir.resolve("elf-inline");
        Path plain = dir.resolve("elf");
        Path hit = Files.isRegularFile(full) ? full : !inline && Files.isRegularFile(plain) ? plain : null;
        if (hit != null) {
            return new Copy(hit, id, r.count, extentOf(hit), true);
        }

        if (shoff == 0 || shnum == 0 || shentsize < (is64 ? 64 : 40) || shstrndx >= shnum) {
            throw new IOException("no section headers (stripped with sstrip?): the Go function table cannot be"
                    + " found without fetching the whole binary");
        }
        byte[] sh = parts.bytes(r, shoff, (long) shentsize * shnum);
        ByteBuffer s = ByteBuffer.wrap(sh).order(order);
        long[][] sections = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            int o = i * shentsize;
            sections[i] = is64
                    ? new long[] {u32(s, o), u32(s, o + 4), s.getLong(o + 8), s.getLong(o + 16), s.getLong(o + 24), s.getLong(o + 32)}
                    : new long[] {u32(s, o), u32(s, o + 4), u32(s, o + 8), u32(s, o + 12), u32(s, o + 16), u32(s, o + 20)};
        }
        long[] strtab = sections[shstrndx];
        byte[] names = parts.bytes(r, strtab[4], strtab[5]);
        long extent = Math.max(head.length, Math.max(phoff + ph.length, shoff + sh.length));
        for (long[] sec : sections) {
            if (sec[1] != 8) { // SHT_NOBITS has no bytes in the file
                extent = Math.max(extent, sec[4] + sec[5]);
            }
        }
        for (long[] l : loads) {
            extent = Math.max(extent, l[0] + l[1]);
        }
        boolean table = false;
        for (String want : TABLES) {
            for (long[] sec : sections) {
                if (!table && sec[1] != 8 && want.equals(cString(names, sec[0]))) {
                    fetchTable(r, parts, sec[4], sec[5], order, inline);
                    table = true;
                }
            }
        }
        if (!table) {
            throw new IOException("no .gopclntab section: not a Go binary");
        }
        if (inline) {
            for (long[] l : loads) {
                if ((l[2] & 2) != 0) {
                    parts.bytes(r, l[0], l[1]); // the module data, for moduledata.gofunc
                }
            }
        }

        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "elf", ".part");
        try {
            parts.write(tmp, extent);
            if (inline) {
                long gofunc = open(tmp).gofunc();
                for (long[] sec : sections) {
                    if (gofunc >= 0 && sec[1] != 8 && gofunc >= sec[3] && gofunc < sec[3] + sec[5]) {
                        parts.bytes(r, sec[4], sec[5]); // the inline trees lie after gofunc
                        parts.write(tmp, extent);
                        break;
                    }
                }
            }
            open(tmp); // a copy that does not parse is not cached
            Path target = inline ? full : plain;
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Copy(target, id, r.count, extent, false);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The function table at {@code offset}: without inline expansion, of a Go 1.16+ table only the
     * header, the function names and the function records ({@code [0, cuOffset)} and
     * {@code [pclnOffset, size)}); the file table and the pc-value tables in between are what line
     * numbers and inlined calls need. All of it otherwise, or when the header does not read as expected.
     */
    private static void fetchTable(Counting r, Sparse parts, long offset, long size, ByteOrder order, boolean inline)
            throws IOException {
        if (!inline && size > 128) {
            ByteBuffer h = ByteBuffer.wrap(parts.bytes(r, offset, 128)).order(order);
            int magic = h.getInt(0);
            int ptr = h.get(7) & 0xff;
            int first = magic == 0xfffffffa ? 8 + 3 * ptr : magic == 0xfffffff0 || magic == 0xfffffff1 ? 8 + 4 * ptr : -1;
            if (first > 0 && (ptr == 4 || ptr == 8)) {
                long cu = ptr == 8 ? h.getLong(first) : u32(h, first);
                long pcln = ptr == 8 ? h.getLong(first + 3 * ptr) : u32(h, first + 3 * ptr);
                if (cu >= 128 && cu <= pcln && pcln < size) {
                    parts.bytes(r, offset + 128, cu - 128);
                    parts.bytes(r, offset + pcln, size - pcln);
                    return;
                }
            }
        }
        parts.bytes(r, offset, size);
    }

    private static GoBinary open(Path file) throws IOException {
        try {
            return GoBinary.open(file);
        } catch (DamagedBinaryException e) {
            throw new IOException("the fetched parts do not name frames: " + e.getMessage());
        }
    }

    private static long extentOf(Path file) throws IOException {
        return Files.size(file);
    }

    /** name, type, descriptor in hex; for each note of a PT_NOTE segment. */
    private static List<String[]> notes(ByteBuffer n, int align) {
        List<String[]> out = new ArrayList<>();
        int pos = 0;
        while (pos + 12 <= n.limit()) {
            long namesz = u32(n, pos);
            long descsz = u32(n, pos + 4);
            long type = u32(n, pos + 8);
            long desc = pos + 12 + roundUp(namesz, align);
            long next = desc + roundUp(descsz, align);
            if (namesz > n.limit() || descsz > n.limit() || next > n.limit() || desc + descsz > n.limit()) {
                break;
            }
            int nameLen = (int) namesz;
            while (nameLen > 0 && n.get(pos + 12 + nameLen - 1) == 0) {
                nameLen--;
            }
            byte[] name = new byte[nameLen];
            n.get(pos + 12, name);
            byte[] d = new byte[(int) descsz];
            n.get((int) desc, d);
            out.add(new String[] {new String(name, StandardCharsets.ISO_8859_1), Long.toString(type), hex(d)});
            pos = (int) next;
        }
        return out;
    }

    private static long roundUp(long v, int align) {
        return (v + align - 1) & -align;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
        }
        return sb.toString();
    }

    private static String cString(byte[] table, long index) {
        if (index < 0 || index >= table.length) {
            return "";
        }
        int end = (int) index;
        while (end < table.length && table[end] != 0) {
            end++;
        }
        return new String(table, (int) index, end - (int) index, StandardCharsets.ISO_8859_1);
    }

    private static long u32(ByteBuffer b, int off) {
        return b.getInt(off) & 0xffffffffL;
    }

    private static int u16(ByteBuffer b, int off) {
        return b.getShort(off) & 0xffff;
    }

    /** Counts what is read; reads in chunks of at most {@link #CHUNK}. */
    private static final class Counting {
        final Ranges remote;
        long count;

        Counting(Ranges remote) {
            this.remote = remote;
        }

        byte[] read(long offset, long length) throws IOException {
            if (offset < 0 || length < 0 || length > Integer.MAX_VALUE - 8) {
                throw new IOException("damaged headers: a range of " + length + " bytes at offset " + offset);
            }
            byte[] out = new byte[(int) length];
            int done = 0;
            while (done < length) {
                int want = (int) Math.min(CHUNK, length - done);
                byte[] b = remote.read(offset + done, want);
                count += b.length;
                System.arraycopy(b, 0, out, done, Math.min(b.length, want));
                done += b.length;
                if (b.length < want) {
                    break;
                }
            }
            if (done < length && offset > 0) {
                throw new IOException("the file ends at " + (offset + done) + ", inside a range its headers name ("
                        + length + " bytes at offset " + offset + ")");
            }
            return done == length ? out : java.util.Arrays.copyOf(out, done);
        }
    }

    /** The ranges fetched so far, by offset; each read once. */
    private static final class Sparse {
        final List<long[]> at = new ArrayList<>();
        final List<byte[]> bytes = new ArrayList<>();

        void add(long offset, byte[] b) {
            at.add(new long[] {offset, b.length});
            bytes.add(b);
        }

        /** The bytes of the range, from a part fetched already when one holds it all, else read now. */
        byte[] bytes(Counting r, long offset, long length) throws IOException {
            for (int i = 0; i < at.size(); i++) {
                long o = at.get(i)[0];
                long n = at.get(i)[1];
                if (offset >= o && offset + length <= o + n && length <= Integer.MAX_VALUE) {
                    return java.util.Arrays.copyOfRange(bytes.get(i), (int) (offset - o), (int) (offset - o + length));
                }
            }
            byte[] b = r.read(offset, length);
            add(offset, b);
            return b;
        }

        void write(Path file, long extent) throws IOException {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(extent); // sparse: the holes take no disk space
                for (int i = 0; i < at.size(); i++) {
                    if (at.get(i)[0] + at.get(i)[1] <= extent) {
                        f.seek(at.get(i)[0]);
                        f.write(bytes.get(i));
                    }
                }
            }
        }
    }
}
