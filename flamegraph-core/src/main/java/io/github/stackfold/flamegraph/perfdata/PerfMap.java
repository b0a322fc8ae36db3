package io.github.stackfold.flamegraph.perfdata;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JIT's symbol map, {@code /tmp/perf-PID.map}, one function per line (hex start, hex size, name):
 *
 * <pre>
 * 7f3a0c1e2b40 1a0 Lcom/example/Foo;::bar
 * </pre>
 *
 * Immutable.
 */
final class PerfMap {
    private final long[] starts;
    private final long[] ends;
    private final String[] names;

    private PerfMap(long[] starts, long[] ends, String[] names) {
        this.starts = starts;
        this.ends = ends;
        this.names = names;
    }

    /** Reads a map; null when the file does not exist. */
    static PerfMap read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        record Sym(long start, long end, String name) {
        }
        List<Sym> syms = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String line;
            while ((line = r.readLine()) != null) {
                int a = line.indexOf(' ');
                int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
                if (b < 0) {
                    continue;
                }
                try {
                    long start = Long.parseUnsignedLong(strip0x(line.substring(0, a)), 16);
                    long size = Long.parseUnsignedLong(strip0x(line.substring(a + 1, b)), 16);
                    syms.add(new Sym(start, start + size, line.substring(b + 1)));
                } catch (NumberFormatException e) {
                    // not a map line
                }
            }
        }
        syms.sort((x, y) -> Long.compareUnsigned(x.start, y.start));
        long[] s = new long[syms.size()];
        long[] e = new long[syms.size()];
        String[] n = new String[syms.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = syms.get(i).start;
            e[i] = syms.get(i).end;
            n[i] = syms.get(i).name;
        }
        return new PerfMap(s, e, n);
    }

    private static String strip0x(String s) {
        return s.startsWith("0x") ? s.substring(2) : s;
    }

    /** The function at {@code addr}, or null. */
    String find(long addr) {
        int at = AddressSearch.floor(starts, addr);
        for (int i = at; i >= 0 && i > at - 8; i--) {
            if (Long.compareUnsigned(addr, ends[i]) < 0) {
                return names[i];
            }
        }
        return null;
    }
}
