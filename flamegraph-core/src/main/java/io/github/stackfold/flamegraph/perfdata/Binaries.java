package io.github.stackfold.flamegraph.perfdata;

import io.github.stackfold.flamegraph.symbolize.BinaryLocator;
import io.github.stackfold.flamegraph.symbolize.SymbolizerListener;
import io.github.stackfold.flamegraph.symbolize.internal.DamagedBinaryException;
import io.github.stackfold.flamegraph.symbolize.internal.ElfFile;
import io.github.stackfold.flamegraph.symbolize.internal.ElfSymbols;
import io.github.stackfold.flamegraph.symbolize.internal.GoBinary;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;

/**
 * Finds and opens the file behind a mapping of a recording, checking its build-id against the recorded
 * one: the locator's file ({@code --binary}, {@code --symfs}), then perf's build-id cache
 * ({@code ~/.debug/.build-id/87/2aa86e...e32a/elf}), then the recorded path. Symbols come from the first
 * of those files with a {@code .symtab}, or from a debug file in {@code /usr/lib/debug/.build-id}, or
 * from the {@code .dynsym} of the file found. Not thread-safe, but for {@link #readAhead}.
 */
final class Binaries {
    private final BinaryLocator locator;
    private final Path cache;
    private final SymbolizerListener listener;
    private final boolean go;
    private final boolean inline;

    /** Symbols read ahead ({@link #readAhead}), by the recorded path they are read from. */
    private final Map<String, FutureTask<ReadAhead>> ahead = new ConcurrentHashMap<>();
    /** The thread that reads them, started by the first {@link #readAhead}; null before. */
    private ExecutorService reader;
    private boolean ended;

    Binaries(BinaryLocator locator, Path cache, SymbolizerListener listener, boolean go, boolean inline) {
        this.locator = locator;
        this.cache = cache;
        this.listener = listener;
        this.go = go;
        this.inline = inline;
    }

    /** The symbols of a file read ahead, and its build-id (null: none). */
    private record ReadAhead(Path file, String buildId, ElfSymbols symbols) {
    }

    /**
     * Reads the symbols of the file at a recorded path on a thread of its own, ahead of {@link #open},
     * which takes them when the file it opens for that path is that one or has the same build-id (perf's
     * build-id cache holds copies), and reads them itself otherwise. The one method that may be called
     * from a thread other than {@link #open}'s, by one thread at a time; what fails here is left for
     * {@link #open} to meet again and report.
     */
    synchronized void readAhead(String module) {
        if (ended || !module.startsWith("/") || module.endsWith(" (deleted)")) {
            return;
        }
        Path p = Path.of(module);
        FutureTask<ReadAhead> task = new FutureTask<>(() -> {
            ElfFile elf = ElfFile.open(p);
            return new ReadAhead(p, ElfSymbols.buildId(elf), ElfSymbols.of(elf));
        });
        if (ahead.putIfAbsent(module, task) == null && Files.isRegularFile(p)) {
            if (reader == null) {
                reader = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "stackfold symbols ahead");
                    t.setDaemon(true);
                    return t;
                });
            }
            reader.execute(task);
        }
    }

    /** No more {@link #readAhead}: the reading thread ends once it has read what it was given. */
    synchronized void endReadAhead() {
        ended = true;
        if (reader != null) {
            reader.shutdown();
        }
    }

    /** The symbols of file p (build-id id), opened as elf for module: those read ahead, else read now. */
    private ElfSymbols symbols(String module, Path p, String id, ElfFile elf) {
        FutureTask<ReadAhead> task = ahead.get(module);
        if (task != null) {
            task.run(); // not begun on the other thread: read here (a task runs once)
            try {
                ReadAhead r = task.get();
                if (r.file().equals(p) || id != null && id.equals(r.buildId())) {
                    return r.symbols();
                }
            } catch (ExecutionException e) {
                // read below, to fail as reading fails here
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ElfSymbols.of(elf);
    }

    /** One opened binary: its symbols and, for Go, its function table (named as its {@link Binaries} say). */
    final class Binary {
        private final String module;
        private final ElfFile elf;
        private final ElfSymbols symbols;
        private GoBinary goBinary;
        private boolean goTried;
        private final Map<Long, String[]> goCache = new HashMap<>();

        Binary(String module, ElfFile elf, ElfSymbols symbols) {
            this.module = module;
            this.elf = elf;
            this.symbols = symbols;
        }

        String module() {
            return module;
        }

        /** The symbol at a file offset (as perf prints unnamed frames), or null. */
        String symbol(long fileOffset) {
            if (symbols == null || symbols.size() == 0) {
                return null;
            }
            long vaddr = elf.offsetToAddress(fileOffset);
            return vaddr < 0 ? null : symbols.find(vaddr);
        }

        /** Names from the Go function table, outermost first, or null. */
        synchronized String[] goNames(long fileOffset) {
            if (!hasGoTable()) {
                return null;
            }
            return goCache.computeIfAbsent(fileOffset, o -> goBinary.namesAtOffset(o, inline));
        }

        /** Whether {@link #goNames} can name anything: Go naming is on and the binary has a Go function table. */
        synchronized boolean hasGoTable() {
            if (!go) {
                return false;
            }
            if (!goTried) {
                goTried = true;
                try {
                    goBinary = GoBinary.of(elf);
                } catch (DamagedBinaryException | RuntimeException e) {
                    goBinary = null; // not Go
                }
            }
            return goBinary != null;
        }
    }

    /** The binary for a module, or null (with a warning when there was a file but not the right one). */
    Binary open(String module, String recordedBuildId) {
        if (module.isEmpty() || module.equals("[vdso]") && recordedBuildId == null) {
            return null;
        }
        List<Path> candidates = new ArrayList<>();
        if (locator != null) {
            Path p = locator.locate(module);
            if (p != null) {
                candidates.add(p);
            }
        }
        Path cached = null;
        if (recordedBuildId != null && cache != null && recordedBuildId.length() > 2) {
            cached = cached(cache, recordedBuildId, module.equals("[vdso]") ? "vdso" : "elf");
            if (cached != null) {
                candidates.add(cached);
            }
        }
        if (module.startsWith("/")) {
            String m = module.endsWith(" (deleted)") ? module.substring(0, module.length() - 10) : module;
            Path p = Path.of(m);
            if (Files.isRegularFile(p)) {
                candidates.add(p);
            }
        }
        for (Path p : candidates) {
            ElfFile elf;
            try {
                elf = ElfFile.open(p);
            } catch (IOException | DamagedBinaryException | RuntimeException e) {
                listener.warning(module, "cannot read " + p + " for " + module + ": " + e.getMessage());
                continue;
            }
            String id = ElfSymbols.buildId(elf);
            if (recordedBuildId != null && id != null && !id.equals(recordedBuildId)) {
                listener.warning(module, "build-id mismatch for " + module + ": recorded " + recordedBuildId + ", "
                        + p + " has " + id + "; its frames stay unnamed");
                continue;
            }
            ElfSymbols syms = symbols(module, p, id, elf);
            if (!syms.fromSymtab() && id != null) {
                ElfSymbols debug = debugSymbols(id);
                if (debug != null) {
                    syms = debug;
                }
            }
            return new Binary(module, elf, syms);
        }
        if (candidates.isEmpty() && module.startsWith("/") && !module.startsWith("/tmp/perf-")
                && !module.startsWith("//") && !module.startsWith("/memfd:")) {
            listener.warning(module, "cannot name frames of " + module + ": binary not found"
                    + (recordedBuildId != null ? " (build-id " + recordedBuildId + ")" : ""));
        }
        return null;
    }

    /** A file in perf's build-id cache: {@code DIR/.build-id/ab/cdef.../NAME}, or null. */
    static Path cached(Path cache, String buildId, String name) {
        if (cache == null || buildId == null || buildId.length() < 3) {
            return null;
        }
        Path p = cache.resolve(".build-id").resolve(buildId.substring(0, 2)).resolve(buildId.substring(2))
                .resolve(name);
        return Files.isRegularFile(p) ? p : null;
    }

    private static ElfSymbols debugSymbols(String id) {
        Path p = Path.of("/usr/lib/debug/.build-id", id.substring(0, 2), id.substring(2) + ".debug");
        if (!Files.isRegularFile(p)) {
            return null;
        }
        try {
            ElfSymbols s = ElfSymbols.of(ElfFile.open(p));
            return s.fromSymtab() ? s : null;
        } catch (IOException | DamagedBinaryException | RuntimeException e) {
            return null;
        }
    }

    /** The running kernel's build-id from {@code /sys/kernel/notes}, or null. */
    static String runningKernelBuildId() {
        try {
            byte[] b = Files.readAllBytes(Path.of("/sys/kernel/notes"));
            ByteBuffer d = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
            int p = 0;
            while (p + 12 <= b.length) {
                int namesz = d.getInt(p);
                int descsz = d.getInt(p + 4);
                int type = d.getInt(p + 8);
                int desc = p + 12 + ((namesz + 3) & ~3);
                if (namesz < 0 || descsz < 0 || desc + descsz > b.length) {
                    return null;
                }
                if (type == 3 && namesz == 4 && b[p + 12] == 'G' && b[p + 13] == 'N' && b[p + 14] == 'U') {
                    return BuildId.hex(b, desc, descsz);
                }
                p = desc + ((descsz + 3) & ~3);
            }
        } catch (IOException | SecurityException e) {
            return null;
        }
        return null;
    }
}
