package io.github.stackfold.flamegraph.perfdata;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernel symbols from a {@code /proc/kallsyms} file, looked up as perf does:
 *
 * <pre>
 * ffffffff81000000 T _text
 * ffffffffc0a01000 t nft_do_chain	[nf_tables]
 * </pre>
 *
 * Text, weak, data and bss symbols ({@code T W D B}, either case) are kept; each ends where the next
 * starts (a module's last symbol, and the last of all, at the next page but one); of several at one
 * address the last listed is kept. Module symbols carry their module, which perf prints as the frame's
 * module ({@code [nf_tables]}). Immutable.
 */
final class Kallsyms {
    private final long[] starts;
    private final long[] ends;
    private final String[] names;
    private final String[] modules;

    private Kallsyms(long[] starts, long[] ends, String[] names, String[] modules) {
        this.starts = starts;
        this.ends = ends;
        this.names = names;
        this.modules = modules;
    }

    /** Reads a kallsyms file; null when it has no usable address (all 0: kptr_restrict). */
    static Kallsyms read(Path file) throws IOException {
        record Sym(long start, String name, String module) {
        }
        List<Sym> syms = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String line;
            while ((line = r.readLine()) != null) {
                int s1 = line.indexOf(' ');
                if (s1 <= 0 || s1 + 3 > line.length() || line.charAt(s1 + 2) != ' ') {
                    continue;
                }
                char type = Character.toUpperCase(line.charAt(s1 + 1));
                if (type != 'T' && type != 'W' && type != 'D' && type != 'B') {
                    continue;
                }
                long addr;
                try {
                    addr = Long.parseUnsignedLong(line, 0, s1, 16);
                } catch (NumberFormatException e) {
                    continue;
                }
                String rest = line.substring(s1 + 3);
                String module = null;
                int tab = rest.indexOf('\t');
                if (tab >= 0) {
                    String m = rest.substring(tab + 1).strip();
                    rest = rest.substring(0, tab);
                    if (m.startsWith("[") && m.endsWith("]")) {
                        module = m;
                    }
                }
                syms.add(new Sym(addr, rest, module));
            }
        }
        boolean any = false;
        for (Sym s : syms) {
            any |= s.start != 0;
        }
        if (!any) {
            return null;
        }
        syms.sort((a, b) -> Long.compareUnsigned(a.start, b.start));
        int n = syms.size();
        long[] st = new long[n];
        long[] en = new long[n];
        String[] nm = new String[n];
        String[] md = new String[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            Sym s = syms.get(i);
            if (k > 0 && st[k - 1] == s.start) {
                k--; // aliases: the last listed has the length, and perf keeps the one with a length
            }
            st[k] = s.start;
            nm[k] = s.name;
            md[k] = s.module;
            k++;
        }
        for (int i = 0; i < k; i++) {
            boolean last = i + 1 == k || (md[i] == null) != (md[i + 1] == null);
            en[i] = last ? ((st[i] + 4096 + 4095) & ~4095L) : st[i + 1];
            if (i + 1 < k && !last) {
                en[i] = st[i + 1];
            }
        }
        return new Kallsyms(java.util.Arrays.copyOf(st, k), java.util.Arrays.copyOf(en, k),
                java.util.Arrays.copyOf(nm, k), java.util.Arrays.copyOf(md, k));
    }

    /** The index of the symbol holding {@code addr}, or -1. */
    int find(long addr) {
        int lo = 0;
        int hi = starts.length - 1;
        int at = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(starts[mid], addr) <= 0) {
                at = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return at >= 0 && Long.compareUnsigned(addr, ends[at]) < 0 ? at : -1;
    }

    String name(int i) {
        return names[i];
    }

    /** {@code [module]}, or null for the kernel itself. */
    String module(int i) {
        return modules[i];
    }
}
