package io.github.stackfold.flamegraph.symbolize;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.EtcdServer;
import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.PerfRuns.Frame;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's etcd, a stripped Go server, under a bounded etcdctl load, recorded with real perf: perf
 * cannot name its frames; the symbolizer must name at least 99 % of them, also through the collapser.
 */
class EtcdSymbolizeTest {
    @TempDir
    Path tmp;

    @Test
    void namesAlmostEveryFrameOfDebiansStrippedEtcd() throws Exception {
        PerfRuns.requirePerf();
        Path text;
        try (EtcdServer etcd = EtcdServer.start()) {
            etcd.load(2, 3000, 30);
            text = PerfRuns.recordPid(etcd.pid(), 3, tmp, "etcd");
        }
        String module = EtcdServer.ETCD.toString();
        List<String> warnings = new CopyOnWriteArrayList<>();
        GoSymbolizer symbolizer = GoSymbolizer.builder().listener((m, w) -> warnings.add(w)).build();
        int frames = 0;
        int unknown = 0;
        int named = 0;
        for (Frame f : PerfRuns.frames(text)) {
            if (!f.module().equals(module)) {
                continue;
            }
            frames++;
            if (f.unknown()) {
                unknown++;
                named += symbolizer.symbolize(module, f.address()) != null ? 1 : 0;
            }
        }
        double share = 100.0 * named / unknown;
        assertTrue(frames > 200, "frames in " + module + ": " + frames);
        assertTrue(unknown >= frames * 0.9, "perf named " + (frames - unknown) + " of " + frames + " itself");
        assertTrue(warnings.isEmpty(), warnings.toString());
        assertTrue(share >= 99.0, share + " % named");

        // through the collapser: the [etcd] placeholder frames are (almost) gone
        FoldedProfile before = collapse(text, null);
        long t0 = System.nanoTime();
        FoldedProfile after = collapse(text, GoSymbolizer.builder().build());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        double placeholderBefore = placeholderShare(before);
        double placeholderAfter = placeholderShare(after);
        System.err.printf("etcd: %d of %d [unknown] frames in %s named (%.2f %%); [etcd] frames in the folded "
                + "stacks %.2f %% -> %.2f %%; collapse with symbolizer %d ms (%d samples)%n", named, unknown, module,
                share, placeholderBefore, placeholderAfter, ms, after.total());
        assertTrue(placeholderBefore > 50, "before: " + placeholderBefore);
        assertTrue(placeholderAfter <= 1.0, "after: " + placeholderAfter);
        assertTrue(after.total() == before.total());
    }

    private static FoldedProfile collapse(Path text, GoSymbolizer s) throws Exception {
        try (InputStream in = Files.newInputStream(text)) {
            return PerfCollapser.create(CollapseOptions.builder().symbolizer(s).build()).collapse(in, text.toString());
        }
    }

    /** Percent of all frames (weighted by samples) that are the {@code [etcd]} placeholder. */
    private static double placeholderShare(FoldedProfile p) {
        long all = 0;
        long placeholder = 0;
        for (int i = 0; i < p.size(); i++) {
            for (String f : FoldedProfile.frames(p.stack(i))) {
                all += p.count(i);
                placeholder += f.equals("[etcd]") ? p.count(i) : 0;
            }
        }
        return 100.0 * placeholder / all;
    }
}
