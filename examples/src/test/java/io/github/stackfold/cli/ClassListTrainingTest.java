package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;

import java.io.ByteArrayInputStream;

import org.junit.jupiter.api.Test;

class ClassListTrainingTest {
    @Test
    void everyTrainedCommandSucceeds() throws Exception {
        assertThat(ClassListTraining.train()).isZero();
    }

    @Test
    void theGeneratedTextIsPerfScriptWithEverySampleRecognised() throws Exception {
        PerfCollapser c = PerfCollapser.create(CollapseOptions.builder().threads(1).build());
        PerfCollapser.Session s = c.session();
        s.add(new ByteArrayInputStream(ClassListTraining.perfScript(ClassListTraining.SAMPLES)), "training");
        FoldedProfile p = s.finish();
        assertThat(p.total()).isEqualTo(ClassListTraining.SAMPLES * 1_001_001L);
        // "server" at each of the 5 stack depths, "worker-K" at depth 5 - K only (K = sample % 5)
        assertThat(p.size()).isEqualTo(10);
        assertThat(p.stack(0)).startsWith("server;");
    }

    @Test
    void theGeneratedTextIsLongEnoughForTheTwoThreadCollapseToStartItsWorker() {
        // the first piece takes all of a read that reaches the end: more than two pieces are needed
        assertThat(ClassListTraining.perfScript(ClassListTraining.SAMPLES).length)
                .isGreaterThan(2 * CollapseOptions.builder().build().chunkBytes());
    }
}
