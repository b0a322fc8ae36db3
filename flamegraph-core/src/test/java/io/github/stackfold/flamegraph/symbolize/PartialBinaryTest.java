package io.github.stackfold.flamegraph.symbolize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.symbolize.internal.GoBinary;
import io.github.stackfold.flamegraph.symbolize.internal.GoPcLnTab;
import io.github.stackfold.testing.Shared;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partial copy of Debian's stripped etcd, fetched by byte ranges from the real file (as through
 * {@code kubectl exec dd}), names every function of the binary as the binary itself does, and a second
 * fetch reads the first 4 KiB only.
 */
class PartialBinaryTest {
    private static final Path ETCD = Path.of("/usr/bin/etcd");

    @TempDir
    Path cache;

    /** Reads ranges of {@code file}, logging each as {offset, length}. */
    private static PartialBinary.Ranges ranges(Path file, List<long[]> log) {
        return (offset, length) -> {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                long n = Math.max(0, Math.min(length, f.length() - offset));
                byte[] b = new byte[(int) n];
                f.seek(offset);
                f.readFully(b);
                log.add(new long[] {offset, n});
                return b;
            }
        };
    }

    private static long sum(List<long[]> log) {
        return log.stream().mapToLong(r -> r[1]).sum();
    }

    /** Every function's entry, one byte after it and its last byte, as perf file offsets. */
    private static List<Long> offsets(GoBinary real) {
        GoPcLnTab t = real.table();
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < t.functionCount(); i++) {
            long entry = t.entry(i);
            long end = i + 1 < t.functionCount() ? t.entry(i + 1) : t.maxPc();
            for (long a : new long[] {entry, entry + 1, end - 1}) {
                long off = real.elf().addressToOffset(a);
                if (off >= 0) {
                    out.add(off);
                }
            }
        }
        return out;
    }

    @Test
    void aPartialCopyOfStrippedEtcdNamesEveryFunctionAsTheBinaryDoes() throws Exception {
        Shared.requireThat(Files.isRegularFile(ETCD), "/usr/bin/etcd is not installed (apt-get install etcd-server)");
        PartialBinary.Copy c = namesEveryFunctionAlike(ETCD);
        // the GNU build-id as readelf -n prints it for this file: 40 hex digits
        assertThat(c.buildId()).matches("[0-9a-f]{40}");
        List<long[]> again = new ArrayList<>();
        PartialBinary.Copy second = PartialBinary.fetch(ranges(ETCD, again), cache, false);
        assertThat(second.cached()).isTrue();
        assertThat(second.file()).isEqualTo(c.file());
        assertThat(again).hasSize(1);
        assertThat(again.get(0)).containsExactly(0, 4096);
    }

    @Test
    void aGo123BinaryWithoutGnuBuildIdIsKeptByItsGoBuildId() throws Exception {
        Path go = Path.of("/usr/lib/go-1.23/bin/go");
        Shared.requireThat(Files.isRegularFile(go), "no Go 1.23 toolchain (golang-1.23-go from bookworm-backports): its go"
                + " binary has the 0xfffffff1 table layout and a Go build ID only");
        PartialBinary.Copy c = namesEveryFunctionAlike(go);
        assertThat(c.buildId()).startsWith("go-").matches("go-[0-9a-f]{80,}");
    }

    /** Fetches {@code binary} into the cache and checks every function's names against the binary's own. */
    private PartialBinary.Copy namesEveryFunctionAlike(Path binary) throws Exception {
        List<long[]> log = new ArrayList<>();
        PartialBinary.Copy c = PartialBinary.fetch(ranges(binary, log), cache, false);
        long size = Files.size(binary);
        System.err.printf("partial %s: %d reads, %d of %d bytes (%.1f %%), build-id %s%n", binary, log.size(), sum(log),
                size, 100.0 * sum(log) / size, c.buildId());
        assertThat(c.cached()).isFalse();
        assertThat(c.fetchedBytes()).isEqualTo(sum(log));
        assertThat(c.fileSize()).isEqualTo(size);
        assertThat(c.fetchedBytes()).isLessThan(size / 3);
        assertThat(c.file()).isEqualTo(cache.resolve(c.buildId()).resolve("elf"));

        GoBinary real = GoBinary.open(binary);
        GoSymbolizer local = GoSymbolizer.builder().locator(BinaryLocator.binary(binary)).build();
        GoSymbolizer partial = GoSymbolizer.builder().locator(m -> c.file()).build();
        List<Long> offsets = offsets(real);
        assertThat(offsets.size()).isGreaterThan(3 * 10000);
        int named = 0;
        for (long off : offsets) {
            String[] a = local.symbolize(binary.toString(), off);
            String[] b = partial.symbolize(binary.toString(), off);
            assertThat(b).as("offset %x", off).isEqualTo(a);
            named += a != null ? 1 : 0;
        }
        assertThat(named).isGreaterThan(offsets.size() * 9 / 10);
        return c;
    }

    @Test
    void withInlineExpansionThePartialCopyGivesTheSameInlinedCalls() throws Exception {
        Shared.requireThat(Files.isRegularFile(ETCD), "/usr/bin/etcd is not installed (apt-get install etcd-server)");
        List<long[]> log = new ArrayList<>();
        PartialBinary.Copy c = PartialBinary.fetch(ranges(ETCD, log), cache, true);
        long size = Files.size(ETCD);
        System.err.printf("partial etcd with inline parts: %d of %d bytes (%.1f %%)%n", sum(log), size, 100.0 * sum(log) / size);
        assertThat(c.file().getFileName()).hasToString("elf-inline");
        assertThat(c.fetchedBytes()).isLessThan(size);
        GoBinary real = GoBinary.open(ETCD);
        GoBinary copy = GoBinary.open(c.file());
        assertThat(real.gofunc()).isPositive();
        assertThat(copy.gofunc()).isEqualTo(real.gofunc());
        int expanded = 0;
        List<Long> offsets = offsets(real);
        for (int i = 0; i < offsets.size(); i += 3) {
            long off = offsets.get(i) + 16; // inside the body, where inlined calls are
            String[] a = real.namesAtOffset(off, true);
            assertThat(copy.namesAtOffset(off, true)).as("offset %x", off).isEqualTo(a);
            expanded += a != null && a.length > 1 ? 1 : 0;
        }
        assertThat(expanded).as("addresses in inlined calls").isGreaterThan(100);
        // a later run without inline uses the fuller copy and fetches the first 4 KiB only
        List<long[]> again = new ArrayList<>();
        assertThat(PartialBinary.fetch(ranges(ETCD, again), cache, false).file()).isEqualTo(c.file());
        assertThat(sum(again)).isEqualTo(4096);
    }

    @Test
    void aFileThatIsNotElfOrNotGoIsRefusedAndNothingIsCached() throws Exception {
        Path text = cache.resolveSibling(cache.getFileName() + ".txt");
        Files.writeString(text, "hello, not a binary\n".repeat(300));
        assertThatThrownBy(() -> PartialBinary.fetch(ranges(text, new ArrayList<>()), cache, false))
                .isInstanceOf(IOException.class).hasMessage("not an ELF file");
        Path sh = Path.of("/bin/sh");
        Shared.requireThat(Files.isRegularFile(sh), "/bin/sh is missing");
        assertThatThrownBy(() -> PartialBinary.fetch(ranges(sh.toRealPath(), new ArrayList<>()), cache, false))
                .isInstanceOf(IOException.class).hasMessageContaining("no .gopclntab section: not a Go binary");
        try (var s = Files.walk(cache)) {
            assertThat(s.filter(Files::isRegularFile).toList()).isEmpty();
        }
        Files.delete(text);
    }
}
