package io.github.stackfold.flamegraph.symbolize.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.stackfold.testing.GoPrograms;
import io.github.stackfold.testing.GoPrograms.Toolchain;
import io.github.stackfold.testing.GoPrograms.Variant;
import io.github.stackfold.testing.Shared;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The function-table parser on real binaries, built in the test with each Go toolchain on the machine.
 * The independent truth is the unstripped build's ELF symbol table (read by {@code go tool nm}) and the
 * Go runtime's own reading of its table ({@code runtime.FuncForPC}: the innermost inlined function at
 * a PC and the physical function around it), asked by the program itself about its own addresses.
 */
class GoPcLnTabTest {
    @TempDir
    Path tmp;

    static Stream<Toolchain> toolchains() {
        return GoPrograms.requireToolchains().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("toolchains")
    void readsTheLayoutThatEachGoVersionWrites(Toolchain go) throws Exception {
        GoBinary b = GoBinary.open(GoPrograms.build(go, Variant.STRIPPED));
        GoPcLnTab.Layout expected = go.minor() >= 20 ? GoPcLnTab.Layout.GO_1_20
                : go.minor() >= 18 ? GoPcLnTab.Layout.GO_1_18
                : go.minor() >= 16 ? GoPcLnTab.Layout.GO_1_16 : GoPcLnTab.Layout.GO_1_2;
        assertEquals(expected, b.table().layout(), go.version());
        assertEquals("section .gopclntab", b.foundBy());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("toolchains")
    void namesEveryFunctionOfTheStrippedBuildLikeTheUnstrippedSymbolTable(Toolchain go) throws Exception {
        Path plain = GoPrograms.build(go, Variant.PLAIN);
        GoBinary stripped = GoBinary.open(GoPrograms.build(go, Variant.STRIPPED));
        assertTrue(GoPrograms.run(List.of("readelf", "-S", GoPrograms.build(go, Variant.STRIPPED).toString()),
                null, 60).indexOf(".symtab") < 0, "the stripped build has no .symtab");

        Map<Long, List<String>> symbols = textSymbols(go, plain);
        assertTrue(symbols.size() > 1000, "symbols read: " + symbols.size());
        int same = 0;
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<Long, List<String>> e : symbols.entrySet()) {
            String[] got = stripped.namesAtAddress(e.getKey(), false);
            String name = got == null ? null : got[0];
            if (name != null && e.getValue().stream().anyMatch(s -> withoutAbi(s).equals(name))) {
                same++;
            } else if (wrong.size() < 20) {
                wrong.add(Long.toHexString(e.getKey()) + " " + e.getValue() + " -> " + name);
            }
        }
        double share = 100.0 * same / symbols.size();
        System.err.printf("%s: %d of %d functions named as in the symbol table (%.2f %%)%n", go, same,
                symbols.size(), share);
        assertTrue(share >= 99.0, share + " %; first differences: " + wrong);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("toolchains")
    void looksUpAddressesInsideFunctionsNotJustTheirEntries(Toolchain go) throws Exception {
        GoBinary b = GoBinary.open(GoPrograms.build(go, Variant.STRIPPED));
        GoPcLnTab t = b.table();
        int checked = 0;
        for (int i = 0; i < t.functionCount(); i++) {
            long lo = t.entry(i);
            long hi = t.entry(i + 1);
            if (hi > lo) {
                assertEquals(i, t.find(hi - 1), "last byte of function " + i);
                assertEquals(i, t.find(lo + (hi - lo) / 2), "middle of function " + i);
                checked++;
            }
        }
        assertTrue(checked > 1000);
        assertEquals(-1, t.find(t.minPc() - 1));
        assertEquals(-1, t.find(t.maxPc()));
        ElfFile.Section text = b.elf().section(".text");
        assertTrue(t.minPc() >= text.addr() && t.maxPc() <= text.addr() + text.size(), "table covers .text only");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("toolchains")
    void expandsInlinedCallsLikeTheGoRuntimeItself(Toolchain go) throws Exception {
        Path plain = GoPrograms.build(go, Variant.PLAIN);
        GoBinary stripped = GoBinary.open(GoPrograms.build(go, Variant.STRIPPED));
        assertTrue(stripped.gofunc() > 0, "moduledata.gofunc found");
        assertEquals(goFuncSymbol(go, plain), stripped.gofunc(), "gofunc is the go:func.* symbol");
        GoPcLnTab t = stripped.table();
        // every byte of the program's own functions and of the sort package: much inlining there
        List<Long> addrs = new ArrayList<>();
        for (int i = 0; i < t.functionCount(); i++) {
            String n = t.name(i);
            if (n.startsWith("main.") || n.startsWith("sort.") || n.startsWith("crypto/sha256.")) {
                for (long pc = t.entry(i); pc < t.entry(i + 1); pc++) {
                    addrs.add(pc);
                }
            }
        }
        Path in = tmp.resolve("addrs.txt");
        StringBuilder sb = new StringBuilder();
        addrs.forEach(a -> sb.append(Long.toHexString(a)).append('\n'));
        Files.writeString(in, sb);
        String out = GoPrograms.run(List.of(plain.toString(), "frames"), in, 120);
        int same = 0;
        int inlined = 0;
        int total = 0;
        List<String> wrong = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", -1);
            long pc = Long.parseLong(f[0], 16);
            String[] got = stripped.namesAtAddress(pc, true);
            total++;
            boolean equal = got != null && f[1].equals(got[0]) && f[2].equals(got[got.length - 1]);
            if (equal) {
                same++;
                inlined += got.length > 1 ? 1 : 0;
            } else if (wrong.size() < 10) {
                wrong.add(f[0] + " runtime: " + f[1] + " ... " + f[2] + ", mine: "
                        + (got == null ? null : String.join(";", got)));
            }
        }
        System.err.printf("%s: inline expansion (outermost and innermost) equal to the runtime's at %d of %d addresses (%d inlined)%n",
                go, same, total, inlined);
        assertEquals(addrs.size(), total);
        assertTrue(inlined > 100, "addresses inside inlined calls: " + inlined);
        assertTrue(same >= total * 0.99, "equal at " + same + " of " + total + "; e.g. " + wrong);
    }

    @Test
    void findsTheTableByScanningWhenSectionHeadersAreGone() throws Exception {
        Toolchain go = GoPrograms.requireDefault();
        for (Variant v : List.of(Variant.STRIPPED, Variant.PIE_STRIPPED)) {
            Path orig = GoPrograms.build(go, v);
            Path copy = tmp.resolve("sstripped-" + v);
            byte[] bytes = Files.readAllBytes(orig);
            ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            bb.putLong(0x28, 0); // e_shoff
            bb.putShort(0x3c, (short) 0); // e_shnum
            bb.putShort(0x3e, (short) 0); // e_shstrndx
            Files.write(copy, bytes);

            GoBinary withHeaders = GoBinary.open(orig);
            GoBinary scanned = GoBinary.open(copy);
            assertTrue(scanned.elf().sections().isEmpty());
            assertTrue(scanned.foundBy().startsWith("scan"), scanned.foundBy());
            assertEquals(withHeaders.tableAddress(), scanned.tableAddress(), v.name());
            assertEquals(withHeaders.gofunc(), scanned.gofunc(), v.name());
            GoPcLnTab a = withHeaders.table();
            GoPcLnTab b = scanned.table();
            assertEquals(a.functionCount(), b.functionCount());
            for (int i = 0; i < a.functionCount(); i++) {
                assertEquals(a.entry(i), b.entry(i));
                assertEquals(a.name(i), b.name(i));
            }
        }
    }

    @Test
    void convertsFileOffsetsToAddressesWithTheLoadSegments() throws Exception {
        Toolchain go = GoPrograms.requireDefault();
        for (Variant v : Variant.values()) {
            ElfFile elf = ElfFile.open(GoPrograms.build(go, v));
            ElfFile.Section text = elf.section(".text");
            assertEquals(text.addr(), elf.offsetToAddress(text.offset()), v.name());
            assertEquals(text.offset(), elf.addressToOffset(text.addr()), v.name());
            assertEquals(-1, elf.offsetToAddress(Files.size(elf.path()) + 10));
        }
    }

    @Test
    void rejectsAnElfFileThatIsNotGo() throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("/bin/sh")).toRealPath();
        ElfFile elf = ElfFile.open(java);
        assertTrue(elf.loadSegments().size() > 0);
        DamagedBinaryException e = assertThrows(DamagedBinaryException.class, () -> GoBinary.open(java));
        assertTrue(e.getMessage().contains("not a Go binary"), e.getMessage());
    }

    @Test
    void rejectsAFileThatIsNotElf() throws Exception {
        Path f = tmp.resolve("text");
        Files.writeString(f, "#!/bin/sh\necho this is not an ELF file at all, but long enough to have a header\n");
        DamagedBinaryException e = assertThrows(DamagedBinaryException.class, () -> GoBinary.open(f));
        assertEquals("not an ELF file", e.getMessage());
    }

    @Test
    void rejectsATableWhoseFunctionsAreOutOfOrder() throws Exception {
        Path orig = GoPrograms.build(GoPrograms.requireDefault(), Variant.STRIPPED);
        GoBinary good = GoBinary.open(orig);
        ElfFile.Section s = good.elf().section(".gopclntab");
        byte[] bytes = Files.readAllBytes(orig);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int ptr = 8;
        int functab = (int) (s.offset() + bb.getLong((int) s.offset() + 8 + 7 * ptr));
        int e10 = functab + 10 * 8;
        bb.putInt(e10, bb.getInt(e10 + 8 * 5)); // entry 10 now starts after entry 15
        Path bad = tmp.resolve("unsorted");
        Files.write(bad, bytes);
        DamagedBinaryException e = assertThrows(DamagedBinaryException.class, () -> GoBinary.open(bad));
        assertTrue(e.getMessage().contains("not sorted"), e.getMessage());

        bb.putInt((int) s.offset(), 0xfffffff5); // unknown magic
        Files.write(bad, bytes);
        e = assertThrows(DamagedBinaryException.class, () -> GoBinary.open(bad));
        assertTrue(e.getMessage().contains("unknown .gopclntab magic 0xfffffff5"), e.getMessage());
    }

    @Test
    void rejectsATruncatedBinary() throws Exception {
        Path orig = GoPrograms.build(GoPrograms.requireDefault(), Variant.STRIPPED);
        byte[] bytes = Files.readAllBytes(orig);
        Path cut = tmp.resolve("cut");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThrows(DamagedBinaryException.class, () -> GoBinary.open(cut));
    }

    @Test
    void readsDebiansStrippedEtcd() throws Exception {
        Path etcd = Path.of("/usr/bin/etcd");
        Shared.requireThat(Files.isRegularFile(etcd), "/usr/bin/etcd missing (apt-get install etcd-server)");
        GoBinary b = GoBinary.open(etcd);
        assertTrue(b.elf().section(".symtab") == null, "Debian's etcd is stripped");
        GoPcLnTab t = b.table();
        assertTrue(t.functionCount() > 10_000, "functions: " + t.functionCount());
        assertNotEquals(-1L, b.gofunc());
        int etcdFunctions = 0;
        for (int i = 0; i < t.functionCount(); i++) {
            if (t.entry(i) < t.entry(i + 1)) {
                assertEquals(i, t.find(t.entry(i)));
            }
            etcdFunctions += t.name(i).startsWith("go.etcd.io/etcd/") ? 1 : 0;
        }
        assertTrue(etcdFunctions > 1000, "go.etcd.io/etcd functions: " + etcdFunctions);
        assertNotNull(b.namesAtAddress(t.entry(0), true));
    }

    @Test
    void readsPrebuiltGo120PlusBinariesFoundOnThisMachine() throws Exception {
        // third-party binaries built by newer Go releases, when this machine has them (none in CI's list)
        List<Path> found = new ArrayList<>();
        for (String p : List.of("/usr/local/bin/docker", "/usr/lib/google-cloud-sdk/bin/kubectl",
                "/usr/local/bin/terraform")) {
            if (Files.isRegularFile(Path.of(p))) {
                found.add(Path.of(p));
            }
        }
        Shared.requireThat(!found.isEmpty(), "no prebuilt Go 1.20+ binary on this machine");
        for (Path p : found) {
            GoBinary b = GoBinary.open(p);
            System.err.println(p + ": " + b.table().layout() + ", " + b.table().functionCount() + " functions, "
                    + b.foundBy() + ", gofunc 0x" + Long.toHexString(b.gofunc()));
            assertEquals(GoPcLnTab.Layout.GO_1_20, b.table().layout(), p.toString());
            assertTrue(b.gofunc() > 0, p + " gofunc");
            GoPcLnTab t = b.table();
            for (int i = 0; i < t.functionCount(); i += 97) {
                assertNotNull(b.namesAtAddress(t.entry(i), true));
            }
        }
    }

    /** Function symbols of an unstripped build by address ({@code go tool nm}: T and t only). */
    private static Map<Long, List<String>> textSymbols(Toolchain go, Path binary) {
        Map<Long, List<String>> out = new TreeMap<>();
        for (String line : GoPrograms.goTool(go, "nm", binary.toString()).split("\n")) {
            String[] f = line.trim().split("\\s+", 3);
            if (f.length == 3 && (f[1].equals("T") || f[1].equals("t"))) {
                out.computeIfAbsent(Long.parseLong(f[0], 16), k -> new ArrayList<>()).add(f[2]);
            }
        }
        // runtime.text / runtime.etext are markers, not functions
        out.values().removeIf(l -> l.stream().allMatch(s -> s.equals("runtime.text") || s.equals("runtime.etext")));
        return out;
    }

    private static long goFuncSymbol(Toolchain go, Path binary) {
        Map<String, Long> bySymbol = new HashMap<>();
        for (String line : GoPrograms.goTool(go, "nm", binary.toString()).split("\n")) {
            String[] f = line.trim().split("\\s+", 3);
            if (f.length == 3) {
                bySymbol.put(f[2], Long.parseLong(f[0], 16));
            }
        }
        Long v = bySymbol.getOrDefault("go:func.*", bySymbol.get("go.func.*"));
        assertNotNull(v, "go:func.* in the symbol table");
        return v;
    }

    private static String withoutAbi(String s) {
        return s.endsWith(".abi0") ? s.substring(0, s.length() - 5) : s;
    }
}
