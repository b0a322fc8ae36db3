package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.perf.ExecTarget;
import io.github.stackfold.perf.NotPermittedException;
import io.github.stackfold.testing.LocalReplicas;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame profile --pprof --all-replicas}: the lab on every replica at once, against three local
 * HTTPS servers serving real apiserver profiles and a <b>stub</b> kubectl (no cluster here).
 */
class ProfileRunReplicasTest {
    @TempDir
    Path tmp;

    private static final List<String> THREE = List.of(LocalReplicas.PROFILE, LocalReplicas.ALONE, LocalReplicas.PROFILE);

    private ProfileRun.Options options(Path kubectl, Path out) {
        return new ProfileRun.Options("kube-apiserver", 0, Duration.ofSeconds(1), 99, ExecTarget.local(), 0,
                kubectl.toString(), false, "kubectl", out, Rules.kubeApiserver(), true);
    }

    @Test
    void writesEachReplicasResultSetTheComparisonAndTheLabsFilesOfAllMerged() throws Exception {
        Path out = tmp.resolve("results");
        List<String> said = new ArrayList<>();
        try (LocalReplicas replicas = LocalReplicas.start(tmp.resolve("replicas"), true, THREE, List.of())) {
            LabPipeline.Result r = new ProfileRun().run(options(replicas.stubKubectl(), out), said::add);
            long sum = 0;
            for (int i = 0; i < 3; i++) {
                Path folded = out.resolve("replicas").resolve("replicas")
                        .resolve(replicas.instance(i).replace(':', '_')).resolve("kube-apiserver.folded");
                sum += read(folded).total();
            }
            assertThat(read(out.resolve("replicas").resolve("merged").resolve("kube-apiserver.folded")).total()).isEqualTo(sum);
            assertThat(out.resolve("replicas").resolve("replicas.json")).exists();
            assertThat(r.report().total()).isEqualTo(sum);
            assertThat(said).anyMatch(s -> s.startsWith("fetching 1 s of CPU profile from each of 3 replicas at once"));
            assertThat(said).anyMatch(s -> s.contains("3 replicas, cpu/nanoseconds; hot: "));
            assertThat(out.resolve("flame.svg")).exists();
        }
    }

    @Test
    void aForbiddenReplicaEndsTheRunNamingTheRbacRuleAfterTheOthersWereWritten() throws Exception {
        Path out = tmp.resolve("results");
        try (LocalReplicas replicas = LocalReplicas.start(tmp.resolve("replicas"), true, THREE, List.of(2))) {
            assertThatThrownBy(() -> new ProfileRun().run(options(replicas.stubKubectl(), out), s -> { }))
                    .isInstanceOf(NotPermittedException.class)
                    .hasMessageContaining(replicas.instance(2))
                    .hasMessageContaining("non-resource URL /debug/pprof/*");
            assertThat(out.resolve("replicas").resolve("replicas").resolve(replicas.instance(0).replace(':', '_'))
                    .resolve("kube-apiserver.folded")).exists();
        }
        assertThatThrownBy(() -> new ProfileRun.Options("kube-apiserver", 0, Duration.ofSeconds(1), 99,
                ExecTarget.local(), 0, "kubectl", false, null, out, Rules.kubeApiserver(), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--all-replicas goes with --pprof");
    }

    private static FoldedProfile read(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return FoldedProfile.read(in, file.toString());
        }
    }
}
