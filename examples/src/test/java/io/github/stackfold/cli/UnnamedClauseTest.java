package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.Shared;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The clause {@code flame record}'s summary says of frames left unnamed, from the data. */
class UnnamedClauseTest {
    @Test
    void aRecordingWhoseProgramFramesAreNamedSaysSo() {
        // a junk [unknown] root frame under named Go frames is not an unnamed frame (see Analyzer.unnamedAt)
        FoldedProfile p = FoldedProfile.of(Map.of(
                "etcd;main.main;raft.(*node).run", 7L,
                "etcd;[unknown];runtime.goexit;main.main", 3L));
        assertThat(CliProfiles.unnamedClause(p, Analyzer.unnamedWeights(p))).isEqualTo("no program frame left unnamed");
    }

    @Test
    void aLabRecordingOfUnnamedApiserverFramesGivesTheShareCountedHere() throws Exception {
        Path file = Shared.path("real/lab-recordings/roko99-flame.folded");
        FoldedProfile p;
        try (InputStream in = Files.newInputStream(file)) {
            p = FoldedProfile.read(in, file.toString());
        }
        long unnamed = 0;
        for (int i = 0; i < p.size(); i++) {
            if (p.stack(i).contains("[kube-apiserver]")) {
                unnamed += p.count(i);
            }
        }
        assertThat(unnamed).isPositive();
        String share = String.format(Locale.ROOT, "%.1f%%", 100.0 * unnamed / p.total());
        assertThat(CliProfiles.unnamedClause(p, Analyzer.unnamedWeights(p)))
                .isEqualTo(share + " of samples in unnamed [kube-apiserver] frames");
    }
}
