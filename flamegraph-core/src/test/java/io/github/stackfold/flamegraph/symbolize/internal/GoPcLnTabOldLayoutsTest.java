package io.github.stackfold.flamegraph.symbolize.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.stackfold.testing.GoPrograms;
import io.github.stackfold.testing.GoPrograms.Variant;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Go 1.2 - 1.15 and 1.16 - 1.17 layouts. No toolchain that old is installable on this Debian, and
 * no binary built by one is on the machine, so these tables are written by the test: the functions
 * (entries and names) of a real go1.19 build, re-encoded in the older layout as its format is
 * documented in {@link GoPcLnTab}, for 64- and 32-bit pointers and both byte orders.
 */
class GoPcLnTabOldLayoutsTest {
    record Fn(long entry, String name) {
    }

    @ParameterizedTest(name = "{0} ptr={1} {2}")
    @CsvSource({"GO_1_2, 8, LE", "GO_1_2, 4, LE", "GO_1_2, 8, BE", "GO_1_16, 8, LE", "GO_1_16, 4, BE"})
    void namesEveryFunctionOfARealProgramReEncodedInAnOlderLayout(GoPcLnTab.Layout layout, int ptr, String order)
            throws Exception {
        GoPcLnTab real = GoBinary.open(GoPrograms.build(GoPrograms.requireDefault(), Variant.STRIPPED)).table();
        List<Fn> fns = new ArrayList<>();
        for (int i = 0; i < real.functionCount(); i++) {
            fns.add(new Fn(real.entry(i), real.name(i)));
        }
        ByteOrder bo = order.equals("LE") ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        byte[] bytes = layout == GoPcLnTab.Layout.GO_1_2 ? go12(fns, real.maxPc(), ptr, bo)
                : go116(fns, real.maxPc(), ptr, bo);
        GoPcLnTab t = GoPcLnTab.parse(ByteBuffer.wrap(bytes), bo);
        assertEquals(layout, t.layout());
        assertEquals(fns.size(), t.functionCount());
        assertEquals(real.minPc(), t.minPc());
        assertEquals(real.maxPc(), t.maxPc());
        for (int i = 0; i < fns.size(); i++) {
            long lo = fns.get(i).entry();
            long hi = i + 1 < fns.size() ? fns.get(i + 1).entry() : real.maxPc();
            if (hi > lo) {
                assertEquals(i, t.find(lo));
                assertEquals(i, t.find(hi - 1));
            }
            assertEquals(fns.get(i).name(), t.name(i));
            assertEquals(0, t.flag(i));
        }
        assertEquals(-1, t.find(real.maxPc()));
    }

    /** Go 1.2: nfunc, {entry, funcoff} pairs and the end, then _func records; offsets from the table start. */
    private static byte[] go12(List<Fn> fns, long end, int ptr, ByteOrder bo) {
        int n = fns.size();
        int functab = 8 + ptr;
        int funcs = align(functab + (2 * n + 1) * ptr + 4, ptr);
        int funcSize = align(ptr + 32, ptr);
        int names = funcs + n * funcSize;
        ByteArrayOutputStream nameBytes = new ByteArrayOutputStream();
        int[] nameOff = new int[n];
        for (int i = 0; i < n; i++) {
            nameOff[i] = names + nameBytes.size();
            nameBytes.writeBytes(fns.get(i).name().getBytes(StandardCharsets.UTF_8));
            nameBytes.write(0);
        }
        ByteBuffer b = ByteBuffer.allocate(names + nameBytes.size()).order(bo);
        header(b, 0xfffffffb, ptr);
        word(b, 8, n, ptr);
        for (int i = 0; i < n; i++) {
            int f = funcs + i * funcSize;
            word(b, functab + 2 * i * ptr, fns.get(i).entry(), ptr);
            word(b, functab + (2 * i + 1) * ptr, f, ptr);
            word(b, f, fns.get(i).entry(), ptr);
            b.putInt(f + ptr, nameOff[i]);
        }
        word(b, functab + 2 * n * ptr, end, ptr);
        b.put(names, nameBytes.toByteArray());
        return b.array();
    }

    /** Go 1.16: seven header words, funcnametab, then functab and _func records at pclnOffset. */
    private static byte[] go116(List<Fn> fns, long end, int ptr, ByteOrder bo) {
        int n = fns.size();
        int nameTab = 8 + 7 * ptr;
        ByteArrayOutputStream nameBytes = new ByteArrayOutputStream();
        int[] nameOff = new int[n];
        for (int i = 0; i < n; i++) {
            nameOff[i] = nameBytes.size();
            nameBytes.writeBytes(fns.get(i).name().getBytes(StandardCharsets.UTF_8));
            nameBytes.write(0);
        }
        int pcln = align(nameTab + nameBytes.size(), ptr);
        int funcsRel = align((2 * n + 1) * ptr, ptr);
        int funcSize = align(ptr + 36, ptr);
        ByteBuffer b = ByteBuffer.allocate(pcln + funcsRel + n * funcSize).order(bo);
        header(b, 0xfffffffa, ptr);
        word(b, 8, n, ptr); // nfunc
        word(b, 8 + ptr, 0, ptr); // nfiles
        word(b, 8 + 2 * ptr, nameTab, ptr); // funcnameOffset
        word(b, 8 + 3 * ptr, pcln, ptr); // cuOffset
        word(b, 8 + 4 * ptr, pcln, ptr); // filetabOffset
        word(b, 8 + 5 * ptr, pcln, ptr); // pctabOffset
        word(b, 8 + 6 * ptr, pcln, ptr); // pclnOffset
        b.put(nameTab, nameBytes.toByteArray());
        for (int i = 0; i < n; i++) {
            int rel = funcsRel + i * funcSize;
            word(b, pcln + 2 * i * ptr, fns.get(i).entry(), ptr);
            word(b, pcln + (2 * i + 1) * ptr, rel, ptr);
            word(b, pcln + rel, fns.get(i).entry(), ptr);
            b.putInt(pcln + rel + ptr, nameOff[i]);
        }
        word(b, pcln + 2 * n * ptr, end, ptr);
        return b.array();
    }

    private static void header(ByteBuffer b, int magic, int ptr) {
        b.putInt(0, magic);
        b.put(6, (byte) 1);
        b.put(7, (byte) ptr);
    }

    private static void word(ByteBuffer b, int off, long v, int ptr) {
        if (ptr == 8) {
            b.putLong(off, v);
        } else {
            b.putInt(off, (int) v);
        }
    }

    private static int align(int v, int a) {
        return (v + a - 1) & -a;
    }
}
