package io.github.stackfold.flamegraph.symbolize.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The function symbols of an ELF file ({@code .symtab}, else {@code .dynsym}) as perf uses them to name
 * frames, and the file's GNU build-id. perf's rules are kept so that names agree with
 * {@code perf script}: functions ({@code STT_FUNC}, {@code STT_GNU_IFUNC}) and labels ({@code STT_NOTYPE}
 * in an executable section), defined and named, ARM mapping symbols ({@code $x}) left out; a symbol of
 * size 0 ends where the next one starts (the last at the next page but one); of several at one
 * address, the one with a size, else not weak, else global, else with fewer leading underscores, else
 * the longest name is kept. A symbol entry (Elf64_Sym) is:
 *
 * <pre>
 * u32 st_name, u8 st_info (binding &lt;&lt; 4 | type), u8 st_other, u16 st_shndx, u64 st_value, u64 st_size
 * </pre>
 *
 * Immutable.
 */
public final class ElfSymbols {
    private static final int SHT_SYMTAB = 2;
    private static final int SHT_DYNSYM = 11;
    private static final int STT_NOTYPE = 0;
    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;
    private static final int STB_GLOBAL = 1;
    private static final int STB_WEAK = 2;

    private final long[] starts;
    private final long[] ends;
    private final String[] names;
    private final boolean fromSymtab;
    /** The PLT stubs, looked up where no symbol holds an address; null when there are none. */
    private final ElfSymbols plt;

    /** perf's symbols__fixup_end then symbols__fixup_duplicate over symbols sorted by start. */
    private ElfSymbols(List<Sym> in, boolean symtab, ElfSymbols plt) {
        List<Sym> s = new ArrayList<>(in);
        s.sort((a, b) -> Long.compare(a.start, b.start)); // stable: equal starts keep table order
        int n = s.size();
        long[] end = new long[n];
        for (int i = 0; i < n; i++) {
            end[i] = s.get(i).end;
        }
        for (int i = 0; i + 1 < n; i++) {
            if (end[i] == s.get(i).start) {
                end[i] = s.get(i + 1).start;
            }
        }
        if (n > 0 && end[n - 1] == s.get(n - 1).start) {
            end[n - 1] = ((s.get(n - 1).start + 4095) & ~4095L) + 4096;
        }
        List<Integer> keep = new ArrayList<>();
        int cur = -1;
        for (int i = 0; i < n; i++) {
            if (cur >= 0 && s.get(cur).start == s.get(i).start) {
                if (!firstIsBetter(s.get(cur), end[cur], s.get(i), end[i])) {
                    keep.set(keep.size() - 1, i);
                    cur = i;
                }
                continue;
            }
            keep.add(i);
            cur = i;
        }
        starts = new long[keep.size()];
        ends = new long[keep.size()];
        names = new String[keep.size()];
        for (int k = 0; k < keep.size(); k++) {
            int i = keep.get(k);
            starts[k] = s.get(i).start;
            ends[k] = end[i];
            names[k] = s.get(i).name;
        }
        fromSymtab = symtab;
        this.plt = plt;
    }

    /** Whether the file has a {@code .symtab} (a {@code .dynsym} only names exported functions). */
    public boolean fromSymtab() {
        return fromSymtab;
    }

    public int size() {
        return names.length + (plt == null ? 0 : plt.size());
    }

    /** The symbols of {@code elf}: its .symtab, or its .dynsym when it has none (then perhaps none at all). */
    public static ElfSymbols of(ElfFile elf) {
        List<Sym> syms = new ArrayList<>();
        boolean symtab = true;
        read(elf, SHT_SYMTAB, syms);
        if (syms.isEmpty()) {
            symtab = false;
            read(elf, SHT_DYNSYM, syms);
        }
        List<Sym> stubs = new ArrayList<>();
        plt(elf, stubs);
        // perf adds the stubs after its fix-ups: a symbol stretched over .plt (_init, of size 0) still wins
        ElfSymbols plt = stubs.isEmpty() ? null : new ElfSymbols(stubs, false, null);
        return new ElfSymbols(syms, symtab, plt);
    }

    /**
     * perf's names for the PLT stubs: {@code name@plt} for relocation {@code i} of {@code .rela.plt}, at
     * {@code .plt + header + i * entry} ({@code .plt.sec}: no header), the names from {@code .dynsym}.
     */
    private static void plt(ElfFile elf, List<Sym> syms) {
        ByteBuffer d = elf.data();
        boolean is64 = elf.is64();
        long[] sh = sectionTable(elf);
        if (sh == null) {
            return;
        }
        List<ElfFile.Section> secs = elf.sections();
        int rela = -1;
        int plt = -1;
        int pltSec = -1;
        for (int i = 0; i < secs.size(); i++) {
            String n = secs.get(i).name();
            if (n.equals(".rela.plt") || n.equals(".rel.plt")) {
                rela = i;
            } else if (n.equals(".plt")) {
                plt = i;
            } else if (n.equals(".plt.sec")) {
                pltSec = i;
            }
        }
        if (rela < 0 || plt < 0) {
            return;
        }
        int rh = (int) (sh[0] + rela * sh[1]);
        long relOff = is64 ? d.getLong(rh + 24) : d.getInt(rh + 16) & 0xffffffffL;
        long relSize = is64 ? d.getLong(rh + 32) : d.getInt(rh + 20) & 0xffffffffL;
        int link = d.getInt(is64 ? rh + 40 : rh + 24);
        long relEnt = is64 ? d.getLong(rh + 56) : d.getInt(rh + 36) & 0xffffffffL;
        if (relEnt <= 0 || link <= 0 || link >= sh[2] || relOff + relSize > d.limit()) {
            return;
        }
        int dh = (int) (sh[0] + link * sh[1]);
        long symOff = is64 ? d.getLong(dh + 24) : d.getInt(dh + 16) & 0xffffffffL;
        long symEnt = is64 ? d.getLong(dh + 56) : d.getInt(dh + 36) & 0xffffffffL;
        int strLink = d.getInt(is64 ? dh + 40 : dh + 24);
        if (symEnt <= 0 || strLink <= 0 || strLink >= sh[2]) {
            return;
        }
        int strh = (int) (sh[0] + strLink * sh[1]);
        long strOff = is64 ? d.getLong(strh + 24) : d.getInt(strh + 16) & 0xffffffffL;
        long strSize = is64 ? d.getLong(strh + 32) : d.getInt(strh + 20) & 0xffffffffL;
        int machine = d.getShort(18) & 0xffff;
        long base;
        long entry;
        if (pltSec >= 0) {
            base = secs.get(pltSec).addr();
            entry = 16;
        } else {
            int ph = (int) (sh[0] + plt * sh[1]);
            long entsize = is64 ? d.getLong(ph + 56) : d.getInt(ph + 36) & 0xffffffffL;
            long header;
            if (machine == 183) { // EM_AARCH64
                header = 32;
                entry = 16;
            } else if (machine == 40) { // EM_ARM
                header = 20;
                entry = 12;
            } else {
                header = entsize;
                entry = entsize;
            }
            if (entry <= 0) {
                return;
            }
            base = secs.get(plt).addr() + header;
        }
        long idx = 0;
        for (long e = relOff; e + relEnt <= relOff + relSize; e += relEnt, idx++) {
            long info = is64 ? d.getLong((int) e + 8) : d.getInt((int) e + 4) & 0xffffffffL;
            long symIdx = is64 ? info >>> 32 : info >>> 8;
            long sp = symOff + symIdx * symEnt;
            String name = "";
            if (symIdx != 0 && sp + symEnt <= d.limit()) { // 0: an IRELATIVE stub, which perf calls "@plt"
                name = ElfFile.cString(d, strOff, strSize, d.getInt((int) sp) & 0xffffffffL);
            }
            long start = base + idx * entry;
            syms.add(new Sym(start, start + entry, name + "@plt", STB_GLOBAL));
        }
    }

    /** The name of the function holding virtual address {@code addr} (raw bytes as ISO-8859-1), or null. */
    public String find(long addr) {
        int at = Arrays.binarySearch(starts, addr); // starts are distinct
        if (at < 0) {
            at = -at - 2; // the closest start below, -1 when none
        }
        // a longer symbol before it may still hold the address
        for (int i = at; i >= 0 && i > at - 8; i--) {
            if (addr < ends[i]) {
                return names[i];
            }
        }
        return plt == null ? null : plt.find(addr);
    }

    private record Sym(long start, long end, String name, int binding) {
    }

    private static void read(ElfFile elf, int wanted, List<Sym> syms) {
        ByteBuffer d = elf.data();
        boolean is64 = elf.is64();
        long[] sh = sectionTable(elf);
        if (sh == null) {
            return;
        }
        long shoff = sh[0];
        int shentsize = (int) sh[1];
        int shnum = (int) sh[2];
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * shentsize);
            if (d.getInt(h + 4) != wanted) {
                continue;
            }
            long off = is64 ? d.getLong(h + 24) : d.getInt(h + 16) & 0xffffffffL;
            long size = is64 ? d.getLong(h + 32) : d.getInt(h + 20) & 0xffffffffL;
            int link = d.getInt(is64 ? h + 40 : h + 24);
            long entsize = is64 ? d.getLong(h + 56) : d.getInt(h + 36) & 0xffffffffL;
            if (entsize < (is64 ? 24 : 16) || link < 0 || link >= shnum || off < 0 || off + size > d.limit()) {
                continue;
            }
            int sh2 = (int) (shoff + (long) link * shentsize);
            long strOff = is64 ? d.getLong(sh2 + 24) : d.getInt(sh2 + 16) & 0xffffffffL;
            long strSize = is64 ? d.getLong(sh2 + 32) : d.getInt(sh2 + 20) & 0xffffffffL;
            if (strOff < 0 || strOff + strSize > d.limit()) {
                continue;
            }
            for (long e = off; e + entsize <= off + size; e += entsize) {
                int p = (int) e;
                long nameIdx = d.getInt(p) & 0xffffffffL;
                int info;
                int shndx;
                long value;
                long ssize;
                if (is64) {
                    info = d.get(p + 4) & 0xff;
                    shndx = d.getShort(p + 6) & 0xffff;
                    value = d.getLong(p + 8);
                    ssize = d.getLong(p + 16);
                } else {
                    value = d.getInt(p + 4) & 0xffffffffL;
                    ssize = d.getInt(p + 8) & 0xffffffffL;
                    info = d.get(p + 12) & 0xff;
                    shndx = d.getShort(p + 14) & 0xffff;
                }
                int type = info & 15;
                if (nameIdx == 0 || shndx == 0 || shndx >= 0xff00) {
                    continue; // unnamed, undefined, absolute or common
                }
                if (type == STT_NOTYPE) {
                    if (shndx >= shnum || !executable(d, is64, (int) (shoff + (long) shndx * shentsize))) {
                        continue;
                    }
                } else if (type != STT_FUNC && type != STT_GNU_IFUNC) {
                    continue;
                }
                String name = ElfFile.cString(d, strOff, strSize, nameIdx);
                if (name.isEmpty() || name.charAt(0) == '$') {
                    continue; // ARM mapping symbols
                }
                if (elf.pointerSize() == 4 || isArm(elf)) {
                    value &= ~1L; // Thumb functions have bit 0 set
                }
                syms.add(new Sym(value, value + ssize, name, info >> 4));
            }
        }
    }

    private static boolean isArm(ElfFile elf) {
        return (elf.data().getShort(18) & 0xffff) == 40; // EM_ARM
    }

    private static boolean executable(ByteBuffer d, boolean is64, int h) {
        long flags = is64 ? d.getLong(h + 8) : d.getInt(h + 8) & 0xffffffffL;
        return (flags & 4) != 0; // SHF_EXECINSTR
    }

    /** perf's choose_best_symbol: whether {@code a} stays rather than {@code b} (same start). */
    static boolean firstIsBetter(Sym a, long aEnd, Sym b, long bEnd) {
        long la = aEnd - a.start;
        long lb = bEnd - b.start;
        // > 0: a wins; each test decides only where the ones before it tie
        int c = la > 0 && lb == 0 ? 1 : la == 0 && lb > 0 ? -1 : 0; // a size
        if (c == 0) {
            c = Boolean.compare(b.binding == STB_WEAK, a.binding == STB_WEAK); // not weak
        }
        if (c == 0) {
            c = Boolean.compare(a.binding == STB_GLOBAL, b.binding == STB_GLOBAL); // global
        }
        if (c == 0) {
            c = Integer.compare(underscores(b.name), underscores(a.name)); // fewer leading underscores
        }
        return c != 0 ? c > 0 : a.name.length() >= b.name.length(); // the longer name
    }

    private static int underscores(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '_') {
            i++;
        }
        return i;
    }

    /** {shoff, shentsize, shnum}, or null when the file has no section headers. */
    private static long[] sectionTable(ElfFile elf) {
        ByteBuffer d = elf.data();
        boolean is64 = elf.is64();
        long shoff = is64 ? d.getLong(0x28) : d.getInt(0x20) & 0xffffffffL;
        int shentsize = d.getShort(is64 ? 0x3a : 0x2e) & 0xffff;
        int shnum = d.getShort(is64 ? 0x3c : 0x30) & 0xffff;
        if (shoff <= 0 || shnum == 0 || shentsize < (is64 ? 64 : 40) || shoff + (long) shnum * shentsize > d.limit()) {
            return null;
        }
        return new long[] {shoff, shentsize, shnum};
    }

    /**
     * The GNU build-id of the file (lower-case hex) from its {@code PT_NOTE}/{@code SHT_NOTE} notes
     * ({@code NT_GNU_BUILD_ID}, owner "GNU"), or null.
     */
    public static String buildId(ElfFile elf) {
        ByteBuffer d = elf.data();
        long[] sh = sectionTable(elf);
        if (sh == null) {
            return null;
        }
        boolean is64 = elf.is64();
        for (int i = 0; i < sh[2]; i++) {
            int h = (int) (sh[0] + i * sh[1]);
            if (d.getInt(h + 4) != 7) { // SHT_NOTE
                continue;
            }
            long off = is64 ? d.getLong(h + 24) : d.getInt(h + 16) & 0xffffffffL;
            long size = is64 ? d.getLong(h + 32) : d.getInt(h + 20) & 0xffffffffL;
            long p = off;
            while (p + 12 <= off + size && p + 12 <= d.limit()) {
                int namesz = d.getInt((int) p);
                int descsz = d.getInt((int) p + 4);
                int type = d.getInt((int) p + 8);
                long name = p + 12;
                long desc = name + ((namesz + 3) & ~3L);
                if (namesz < 0 || descsz < 0 || desc + descsz > d.limit()) {
                    break;
                }
                if (type == 3 && namesz == 4 && d.get((int) name) == 'G' && d.get((int) name + 1) == 'N'
                        && d.get((int) name + 2) == 'U' && descsz > 0 && descsz <= 64) {
                    StringBuilder sb = new StringBuilder();
                    for (int k = 0; k < descsz; k++) {
                        int v = d.get((int) desc + k) & 0xff;
                        sb.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 15, 16));
                    }
                    return sb.toString();
                }
                p = desc + ((descsz + 3) & ~3L);
            }
        }
        return null;
    }
}
