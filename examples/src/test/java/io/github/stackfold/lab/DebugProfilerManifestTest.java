package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** manifests/debug-profiler.yaml: the debug pod that can see kube-apiserver's PID. */
class DebugProfilerManifestTest {
    private static JsonNode pod;

    @BeforeAll
    static void read() throws IOException {
        Path file = Shared.repoRoot().resolve("manifests/debug-profiler.yaml");
        pod = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    }

    @Test
    void isOnePodSpecUnderstoodAsYaml() {
        assertThat(pod.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(pod.path("kind").asText()).isEqualTo("Pod");
        assertThat(pod.path("metadata").path("name").asText()).isEqualTo("debug-profiler");
    }

    @Test
    void sharesTheHostPidNamespaceSoTheApiserverPidIsVisible() {
        assertThat(pod.path("spec").path("hostPID").isBoolean()).isTrue();
        assertThat(pod.path("spec").path("hostPID").booleanValue()).isTrue();
    }

    @Test
    void runsItsContainerPrivilegedWithAnImageAndSleepsUntilUsed() {
        JsonNode containers = pod.path("spec").path("containers");
        assertThat(containers.size()).isEqualTo(1);
        JsonNode c = containers.get(0);
        assertThat(c.path("securityContext").path("privileged").booleanValue()).isTrue();
        assertThat(c.path("image").asText()).isNotBlank();
        assertThat(c.path("command").get(0).asText()).isEqualTo("sleep");
        assertThat(c.path("command").get(1).asText()).isEqualTo("infinity");
    }

    @Test
    void isPinnedToTheControlPlaneNodeAndToleratesItsTaint() {
        JsonNode spec = pod.path("spec");
        JsonNode selector = spec.path("nodeSelector");
        assertThat(selector.has("node-role.kubernetes.io/control-plane")).isTrue();
        assertThat(selector.path("node-role.kubernetes.io/control-plane").asText()).isEmpty();
        boolean tolerated = false;
        for (JsonNode t : spec.path("tolerations")) {
            if (t.path("key").asText().equals("node-role.kubernetes.io/control-plane")
                    && t.path("operator").asText().equals("Exists")
                    && t.path("effect").asText().equals("NoSchedule")) {
                tolerated = true;
            }
        }
        assertThat(tolerated).as("toleration for node-role.kubernetes.io/control-plane:NoSchedule").isTrue();
    }
    /** manifests/debug-profiler-daemonset.yaml: the same pod on every control-plane node, for --all-replicas. */
    @Test
    void theDaemonSetPutsTheSamePodOnEveryControlPlaneNodeWithTheLabelItsSelectorAndFlameUse() throws IOException {
        JsonNode ds = new ObjectMapper(new YAMLFactory()).readTree(
                Shared.repoRoot().resolve(PerfFleet.DAEMONSET).toFile());
        assertThat(ds.path("apiVersion").asText()).isEqualTo("apps/v1");
        assertThat(ds.path("kind").asText()).isEqualTo("DaemonSet");
        assertThat(ds.path("metadata").path("name").asText()).isEqualTo("debug-profiler");
        assertThat(ds.path("spec").path("selector").path("matchLabels").path("app").asText()).isEqualTo("debug-profiler");
        JsonNode template = ds.path("spec").path("template");
        assertThat(template.path("metadata").path("labels").path("app").asText()).isEqualTo("debug-profiler");
        JsonNode spec = template.path("spec");
        assertThat(spec.path("hostPID").booleanValue()).isTrue();
        assertThat(spec.path("nodeSelector").has("node-role.kubernetes.io/control-plane")).isTrue();
        assertThat(spec.path("tolerations").findValuesAsText("key")).contains("node-role.kubernetes.io/control-plane");
        JsonNode c = spec.path("containers").get(0);
        assertThat(c.path("securityContext").path("privileged").booleanValue()).isTrue();
        assertThat(c.path("image").asText()).isEqualTo(pod.path("spec").path("containers").get(0).path("image").asText());
    }
}
