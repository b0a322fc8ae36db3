package io.github.stackfold.flamegraph.pprof;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.cli.FlameCli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame analyze} of a pprof profile whose samples carry the labels verb and resource: the API
 * calls come from the labels first (in this package for flamegraph-core's test {@link ProtoWriter}).
 */
class AnalyzeLabelsCliTest {
    @Test
    void analyzeReadsTheRequestLabelsOfAPprofProfile(@TempDir Path dir) throws Exception {
        byte[] pb = new ProtoWriter()
                .sampleType("samples", "count").sampleType("cpu", "nanoseconds")
                .function(1, "main.work")
                .function(2, "k8s.io/apiserver/pkg/endpoints/handlers.GetResource.func1")
                .location(1, 0x1000, 1).location(2, 0x2000, 2)
                .sample(new long[] {1}, new long[] {3, 30_000_000}, new Object[] {"verb", "LIST"}, new Object[] {"resource", "pods"})
                .sample(new long[] {1}, new long[] {1, 10_000_000}, new Object[] {"verb", "POST"}, new Object[] {"resource", "events"})
                .sample(new long[] {2}, new long[] {2, 20_000_000})
                .sample(new long[] {1}, new long[] {4, 40_000_000})
                .mapping(1, "/usr/local/bin/kube-apiserver")
                .build();
        Path file = Files.write(dir.resolve("labelled.pb"), pb);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(new String[] {"analyze", "--json", file.toString()}, new ByteArrayInputStream(new byte[0]), out, err);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode j = new ObjectMapper().readTree(out.toByteArray());
        assertThat(j.get("samples").asLong()).isEqualTo(10);
        assertThat(j.get("apiCallsFromLabels").asDouble()).isEqualTo(0.4);
        assertThat(j.get("apiCallsTotal").asDouble()).isEqualTo(0.6);
        JsonNode calls = j.get("apiCalls");
        assertThat(calls.get(0).get("verb").asText()).isEqualTo("list");
        assertThat(calls.get(0).get("resource").asText()).isEqualTo("pods");
        assertThat(calls.get(0).get("share").asDouble()).isEqualTo(0.3);
        assertThat(calls.get(1).get("verb").asText()).isEqualTo("get");
        assertThat(calls.get(1).get("resource").asText()).isEqualTo("?");
        assertThat(calls.get(2).get("verb").asText()).isEqualTo("create");
        assertThat(calls.get(2).get("resource").asText()).isEqualTo("events");
        assertThat(j.get("hotPaths").findValuesAsText("stack")).noneMatch(s -> s.contains("verb="));
    }
}
