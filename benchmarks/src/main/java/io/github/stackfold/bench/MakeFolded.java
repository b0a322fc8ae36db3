package io.github.stackfold.bench;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the folded input of the whole-process rendering test to standard output: a {@code perf script}
 * file collapsed with the default options, then {@link Fixtures#expand expanded} deterministically to
 * at least MIN_STACKS distinct stacks.
 *
 * <p>How to run: {@code java -cp benchmarks/target/benchmarks.jar io.github.stackfold.bench.MakeFolded PERF_SCRIPT_FILE [MIN_STACKS] > out.folded}
 */
public final class MakeFolded {
    private MakeFolded() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: MakeFolded PERF_SCRIPT_FILE [MIN_STACKS (default 100000)]");
            System.exit(64);
        }
        int min = args.length > 1 ? Integer.parseInt(args[1]) : Fixtures.MIN_STACKS;
        FoldedProfile base;
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            base = PerfCollapser.create(CollapseOptions.defaults()).collapse(in, args[0]);
        }
        FoldedProfile p = Fixtures.expand(base, min);
        OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
        p.write(out);
        out.flush();
        System.err.println("MakeFolded: " + base.size() + " distinct stacks collapsed, " + p.size()
                + " after expansion");
    }
}
