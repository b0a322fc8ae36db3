package io.github.stackfold.flamegraph.perfdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.symbolize.SymbolizerListener;
import io.github.stackfold.flamegraph.symbolize.internal.ElfFile;
import io.github.stackfold.flamegraph.symbolize.internal.ElfSymbols;
import io.github.stackfold.testing.Shared;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Symbols read ahead on another thread ({@link Binaries#readAhead}) name frames as symbols read when the
 * binary is opened, and are not taken for another file (perf's build-id cache holds a copy under the
 * recorded build-id, which the recorded path need not have). Real shared libraries of this machine.
 */
class BinariesReadAheadTest {
    /** Two libraries with symbol tables of their own (no debug file looked up) in the JDK running the tests. */
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "lib", "libjava.so");
    private static final Path ZIP = Path.of(System.getProperty("java.home"), "lib", "libzip.so");

    /** Names at every 64th byte of the file, null where none. */
    private static List<String> names(Binaries.Binary b, Path file) throws Exception {
        List<String> out = new ArrayList<>();
        for (long off = 0; off < Files.size(file); off += 64) {
            out.add(b.symbol(off));
        }
        return out;
    }

    private static Binaries binaries(Path cache) {
        return new Binaries(null, cache, SymbolizerListener.ignore(), false, false);
    }

    /** Binaries (with perf's build-id cache {@code cache}) that had {@code module}'s symbols read ahead. */
    private static Binaries readAhead(Path cache, Path module) {
        Binaries b = binaries(cache);
        b.readAhead(module.toString());
        b.endReadAhead();
        return b;
    }

    /** libjava's names, read when it is opened; many, so that an equal list says something. */
    private static List<String> javaNames() throws Exception {
        List<String> read = names(binaries(null).open(JAVA.toString(), null), JAVA);
        assertThat(read).filteredOn(n -> n != null).hasSizeGreaterThan(100);
        return read;
    }

    @Test
    void symbolsReadAheadNameAsSymbolsReadOnOpening() throws Exception {
        Shared.requireThat(Files.isRegularFile(JAVA), "no " + JAVA + " on this machine");
        Binaries ahead = readAhead(null, JAVA);
        assertThat(names(ahead.open(JAVA.toString(), null), JAVA)).isEqualTo(javaNames());
    }

    @Test
    void symbolsReadAheadOfAnotherFileAreNotTaken(@TempDir Path cache) throws Exception {
        Shared.requireThat(Files.isRegularFile(JAVA) && Files.isRegularFile(ZIP), "no " + JAVA + " or " + ZIP);
        String javaId = ElfSymbols.buildId(ElfFile.open(JAVA));
        Shared.requireThat(javaId != null && !javaId.equals(ElfSymbols.buildId(ElfFile.open(ZIP))),
                JAVA + " has no build-id of its own");
        // the recording says libzip, with libjava's build-id; the cache holds libjava under it
        Path copy = cache.resolve(".build-id").resolve(javaId.substring(0, 2)).resolve(javaId.substring(2)).resolve("elf");
        Files.createDirectories(copy.getParent());
        Files.copy(JAVA, copy);
        Binaries ahead = readAhead(cache, ZIP);
        assertThat(names(ahead.open(ZIP.toString(), javaId), JAVA)).isEqualTo(javaNames());
    }
}
