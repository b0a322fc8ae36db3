package io.github.stackfold.bench;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Inputs derived from the real recording: its folded stacks, and a larger folded profile for the
 * renderer questions (the goal is stated for >= 100k distinct stacks; the recording alone has fewer).
 */
public final class Fixtures {
    /** Default number of distinct stacks for the rendering benchmarks ({@code -Dstackfold.bench.minStacks}). */
    public static final int MIN_STACKS = 100_000;

    private static FoldedProfile collapsed;

    private Fixtures() {
    }

    /** The recording collapsed with the default options (as {@code flame collapse} does). */
    public static synchronized FoldedProfile collapsedRecording() {
        if (collapsed == null) {
            try {
                collapsed = PerfCollapser.create(CollapseOptions.defaults())
                        .collapse(new ByteArrayInputStream(BenchInputs.perfScript()), BenchInputs.RECORDING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return collapsed;
    }

    /** {@link #expand} of the collapsed recording to {@code stackfold.bench.minStacks} (default 100k) stacks. */
    public static FoldedProfile manyStacks() {
        return expand(collapsedRecording(), Integer.getInteger("stackfold.bench.minStacks", MIN_STACKS));
    }

    /**
     * A deterministic synthetic expansion of a real profile to at least {@code minStacks} distinct
     * stacks: {@code k = ceil(minStacks / size)} copies, copy 0 as it is and copy {@code c > 0} with its
     * root frame (the process name) renamed {@code NAME-c}, as if {@code c} more processes of the same
     * program had been recorded (what {@code --pid} naming looks like). Weights are kept, so the frame
     * tree, the names and the widths stay those of the real recording, only repeated side by side.
     */
    public static FoldedProfile expand(FoldedProfile base, int minStacks) {
        if (base.isEmpty() || base.size() >= minStacks) {
            return base;
        }
        int copies = (minStacks + base.size() - 1) / base.size();
        FoldedProfile.Builder b = FoldedProfile.builder();
        StringBuilder sb = new StringBuilder(512);
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < base.size(); i++) {
                String s = base.stack(i);
                if (c == 0) {
                    b.add(s, base.count(i));
                    continue;
                }
                int semi = s.indexOf(';');
                int rootEnd = semi < 0 ? s.length() : semi;
                sb.setLength(0);
                sb.append(s, 0, rootEnd).append('-').append(c).append(s, rootEnd, s.length());
                b.add(sb.toString(), base.count(i));
            }
        }
        return b.build();
    }

    /** The folded text of a profile. */
    public static byte[] text(FoldedProfile p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        try {
            p.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
