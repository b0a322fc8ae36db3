package io.github.stackfold.flamegraph.perfdata;

import io.github.stackfold.flamegraph.internal.StableSort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

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
 * module ({@code [nf_tables]}). Immutable but for the names it makes once, on first use.
 */
final class Kallsyms {
    private final long[] starts;
    private final long[] ends;
    /** The file's text; a symbol's name is made from it when asked for (most are never asked). */
    private final byte[] text;
    private final int[] nameAt;
    /** The names made so far, by symbol (a race between two threads makes a name twice, harmlessly). */
    private String[] names;
    private final int[] nameLength;
    private final String[] modules;

    private Kallsyms(long[] starts, long[] ends, byte[] text, int[] nameAt, int[] nameLength, String[] modules) {
        this.starts = starts;
        this.ends = ends;
        this.text = text;
        this.nameAt = nameAt;
        this.nameLength = nameLength;
        this.modules = modules;
    }

    /** Reads a kallsyms file; null when it has no usable address (all 0: kptr_restrict). */
    static Kallsyms read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int cap = 1024;
        long[] start = new long[cap];
        int[] at = new int[cap];
        int[] len = new int[cap];
        String[] mod = new String[cap];
        Map<String, String> moduleNames = new HashMap<>();
        int n = 0;
        int p = 0;
        while (p < b.length) {
            // a line as BufferedReader.readLine cuts them: up to \n, \r or \r\n
            int e = p;
            while (e < b.length && b[e] != '\n' && b[e] != '\r') {
                e++;
            }
            int next = e < b.length && b[e] == '\r' && e + 1 < b.length && b[e + 1] == '\n' ? e + 2 : e + 1;
            int ls = p;
            p = next;
            int s1 = indexOf(b, ls, e, (byte) ' ');
            if (s1 <= ls || s1 + 3 > e || b[s1 + 2] != ' ') {
                continue;
            }
            int type = b[s1 + 1] & 0xff;
            if (type >= 'a' && type <= 'z') {
                type -= 'a' - 'A';
            }
            if (type != 'T' && type != 'W' && type != 'D' && type != 'B') {
                continue;
            }
            long addr;
            try {
                addr = parseHex(b, ls, s1);
            } catch (NumberFormatException ex) {
                continue;
            }
            int nameStart = s1 + 3;
            int nameEnd = e;
            String module = null;
            int tab = indexOf(b, nameStart, e, (byte) '\t');
            if (tab >= 0) {
                nameEnd = tab;
                int ms = tab + 1;
                int me = e;
                while (ms < me && isWhitespace(b[ms])) {
                    ms++;
                }
                while (me > ms && isWhitespace(b[me - 1])) {
                    me--;
                }
                if (me - ms >= 2 && b[ms] == '[' && b[me - 1] == ']') {
                    String m = new String(b, ms, me - ms, StandardCharsets.ISO_8859_1);
                    module = moduleNames.computeIfAbsent(m, x -> x);
                }
            }
            if (n == cap) {
                cap *= 2;
                start = Arrays.copyOf(start, cap);
                at = Arrays.copyOf(at, cap);
                len = Arrays.copyOf(len, cap);
                mod = Arrays.copyOf(mod, cap);
            }
            start[n] = addr;
            at[n] = nameStart;
            len[n] = nameEnd - nameStart;
            mod[n] = module;
            n++;
        }
        boolean any = false;
        long[] key = new long[n];
        for (int i = 0; i < n; i++) {
            any |= start[i] != 0;
            key[i] = start[i] ^ Long.MIN_VALUE; // unsigned order as signed
        }
        if (!any) {
            return null;
        }
        int[] order = StableSort.indexesByKey(key, n);
        long[] st = new long[n];
        long[] en = new long[n];
        int[] na = new int[n];
        int[] nl = new int[n];
        String[] md = new String[n];
        int k = 0;
        for (int o = 0; o < n; o++) {
            int i = order[o];
            if (k > 0 && st[k - 1] == start[i]) {
                k--; // aliases: the last listed has the length, and perf keeps the one with a length
            }
            st[k] = start[i];
            na[k] = at[i];
            nl[k] = len[i];
            md[k] = mod[i];
            k++;
        }
        for (int i = 0; i < k; i++) {
            boolean last = i + 1 == k || (md[i] == null) != (md[i + 1] == null);
            en[i] = last ? ((st[i] + 4096 + 4095) & ~4095L) : st[i + 1];
        }
        return new Kallsyms(Arrays.copyOf(st, k), Arrays.copyOf(en, k), b, Arrays.copyOf(na, k),
                Arrays.copyOf(nl, k), Arrays.copyOf(md, k));
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** What String.strip drops, for one char of ISO-8859-1 text. */
    private static boolean isWhitespace(byte c) {
        return Character.isWhitespace((char) (c & 0xff));
    }

    /** {@link Long#parseUnsignedLong(CharSequence, int, int, int)} in base 16 of {@code b[from, to)}. */
    private static long parseHex(byte[] b, int from, int to) {
        if (to - from <= 16) {
            long v = 0;
            boolean plain = true;
            for (int i = from; i < to && plain; i++) {
                int c = b[i];
                int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
                plain = d >= 0;
                v = v << 4 | (d & 15);
            }
            if (plain) {
                return v;
            }
        }
        return Long.parseUnsignedLong(new String(b, from, to - from, StandardCharsets.ISO_8859_1), 16); // a sign, zeros
    }

    /** The index of the symbol holding {@code addr}, or -1. */
    int find(long addr) {
        int at = AddressSearch.floor(starts, addr);
        return at >= 0 && Long.compareUnsigned(addr, ends[at]) < 0 ? at : -1;
    }

    /** Symbol {@code i}'s name: one String per symbol, made when first asked (its hash is kept with it). */
    String name(int i) {
        String[] n = names;
        if (n == null) {
            n = names = new String[nameAt.length];
        }
        String s = n[i];
        if (s == null) {
            s = n[i] = new String(text, nameAt[i], nameLength[i], StandardCharsets.ISO_8859_1);
        }
        return s;
    }

    /** {@code [module]}, or null for the kernel itself. */
    String module(int i) {
        return modules[i];
    }
}
