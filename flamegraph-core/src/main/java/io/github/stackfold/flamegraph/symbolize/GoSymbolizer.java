package io.github.stackfold.flamegraph.symbolize;

import io.github.stackfold.flamegraph.collapse.FrameSymbolizer;
import io.github.stackfold.flamegraph.symbolize.internal.DamagedBinaryException;
import io.github.stackfold.flamegraph.symbolize.internal.GoBinary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Names the frames perf printed as {@code [unknown]} in a stripped Go binary, from the function table
 * ({@code .gopclntab}) that every Go binary keeps for its own tracebacks.
 *
 * <p>perf prints such a frame's address relative to its mapping, i.e. as an offset in the file:
 * <pre>
 *             5e8f4 [unknown] (/usr/local/bin/kube-apiserver)
 * </pre>
 * The offset is turned into a virtual address with the ELF {@code PT_LOAD} headers (so PIE binaries
 * work too) and looked up in the table. Names are the Go runtime's own ({@code runtime.goexit}, as in
 * a Go traceback or a pprof profile), without the {@code .abi0} suffix that the linker adds to the
 * ELF symbols of assembly functions: the table does not record the ABI.
 *
 * <p>With {@link Builder#inline(boolean) inline(true)} one address gives the function and the calls
 * inlined into it at that address, outermost first (Go 1.16+ tables).
 *
 * <p>Each binary is opened once (memory-mapped) on its first frame, and each address is looked up once.
 * A module that is not found, not Go, or damaged is reported once to the listener and its frames are
 * left as they were. Thread-safe.
 */
public final class GoSymbolizer implements FrameSymbolizer {
    private static final String[] NONE = new String[0];

    private final BinaryLocator locator;
    private final boolean inline;
    private final SymbolizerListener listener;
    private final ConcurrentHashMap<String, Module> modules = new ConcurrentHashMap<>();
    private final LongAdder named = new LongAdder();
    private final LongAdder unnamed = new LongAdder();

    private GoSymbolizer(Builder b) {
        this.locator = b.locator;
        this.inline = b.inline;
        this.listener = b.listener;
    }

    /** Options with their defaults: modules read at their own paths, no inline expansion, warnings dropped. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String[] symbolize(String module, long address) {
        if (module == null || module.isEmpty() || module.charAt(0) != '/' || isPerfMap(module)) {
            return null; // [kernel.kallsyms], [vdso], [unknown], //anon, JIT maps: not files of ours
        }
        Module m = modules.computeIfAbsent(module, this::open);
        if (m.binary == null) {
            unnamed.increment();
            m.unnamed.increment();
            return null;
        }
        String[] names = m.cache.computeIfAbsent(address, a -> {
            String[] n = m.binary.namesAtOffset(a, inline);
            return n == null ? NONE : n;
        });
        if (names.length == 0) {
            unnamed.increment();
            m.unnamed.increment();
            return null;
        }
        named.increment();
        m.named.increment();
        return names.clone();
    }

    /** How many frames were named so far. */
    public long namedFrames() {
        return named.sum();
    }

    /**
     * How many frames of file modules were left unnamed so far (module not Go or not found, or the
     * address outside the Go functions).
     */
    public long unnamedFrames() {
        return unnamed.sum();
    }

    /** How many frames of {@code module} (as perf printed it) were named so far. */
    public long namedFrames(String module) {
        Module m = modules.get(module);
        return m == null ? 0 : m.named.sum();
    }

    /** How many frames of {@code module} were left unnamed so far. */
    public long unnamedFrames(String module) {
        Module m = modules.get(module);
        return m == null ? 0 : m.unnamed.sum();
    }

    private Module open(String module) {
        Path path = locator.locate(module);
        if (path == null) {
            listener.warning(module, "cannot name frames of " + module + ": binary not found");
            return new Module(null);
        }
        try {
            return new Module(GoBinary.open(path));
        } catch (DamagedBinaryException e) {
            listener.warning(module, "cannot name frames of " + module + " (read " + path + "): " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            listener.warning(module, "cannot name frames of " + module + ": cannot read " + path + ": " + e);
        }
        return new Module(null);
    }

    private static boolean isPerfMap(String module) {
        return module.startsWith("/tmp/perf-") && module.endsWith(".map") || module.startsWith("//")
                || module.startsWith("/memfd:");
    }

    private static final class Module {
        final GoBinary binary;
        final ConcurrentHashMap<Long, String[]> cache = new ConcurrentHashMap<>();
        final LongAdder named = new LongAdder();
        final LongAdder unnamed = new LongAdder();

        Module(GoBinary binary) {
            this.binary = binary;
        }
    }

    /** Options for a {@link GoSymbolizer}; every field has a default. */
    public static final class Builder {
        private BinaryLocator locator = BinaryLocator.modulePath();
        private boolean inline;
        private SymbolizerListener listener = SymbolizerListener.ignore();

        private Builder() {
        }

        /** Which file to read for a module. Default: {@link BinaryLocator#modulePath()}. */
        public Builder locator(BinaryLocator locator) {
            this.locator = Objects.requireNonNull(locator, "locator");
            return this;
        }

        /** Expand inlined calls (Go 1.16+ tables). Default: false. */
        public Builder inline(boolean inline) {
            this.inline = inline;
            return this;
        }

        /** Where warnings go (one per module that cannot be used). Default: dropped. */
        public Builder listener(SymbolizerListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public GoSymbolizer build() {
            return new GoSymbolizer(this);
        }
    }
}
