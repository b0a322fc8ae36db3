package io.github.stackfold.perf.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.perf.NotPermittedException;
import io.github.stackfold.perf.pprof.PprofFetcher;
import io.github.stackfold.testing.GoToolPprof;
import io.github.stackfold.testing.LocalReplicas;
import io.github.stackfold.testing.Shared;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every replica of a control plane, against local servers that stand in for three apiservers (see
 * {@link LocalReplicas}) and a <b>stub</b> kubectl: there is no Kubernetes cluster here.
 */
class FleetFetcherTest {
    @TempDir
    Path tmp;

    private static final List<String> THREE = List.of(LocalReplicas.PROFILE, LocalReplicas.ALONE, LocalReplicas.PROFILE);

    @Test
    void readsTheReadyEndpointsOfTheKubernetesServiceAndPrefersIpv4InADualStackCluster() {
        String json = "{\"kind\":\"List\",\"items\":["
                + "{\"kind\":\"EndpointSlice\",\"addressType\":\"IPv6\",\"endpoints\":[{\"addresses\":[\"fd00::1\"]}],"
                + "\"ports\":[{\"name\":\"https\",\"port\":6443}]},"
                + "{\"kind\":\"EndpointSlice\",\"addressType\":\"IPv4\",\"endpoints\":["
                + "{\"addresses\":[\"10.0.0.1\"],\"conditions\":{\"ready\":true},\"nodeName\":\"cp-1\"},"
                + "{\"addresses\":[\"10.0.0.2\"]},"
                + "{\"addresses\":[\"10.0.0.3\"],\"conditions\":{\"ready\":false}}],"
                + "\"ports\":[{\"name\":\"metrics\",\"port\":9090},{\"name\":\"https\",\"port\":6443}]}]}";
        List<Replica> r = Endpoints.parse(json.getBytes(StandardCharsets.UTF_8), "slices.json");
        assertThat(r).extracting(Replica::instance).containsExactly("10.0.0.1:6443", "10.0.0.2:6443");
        assertThat(r.get(0).node()).isEqualTo("cp-1");
        assertThat(r.get(1).fileName()).isEqualTo("10.0.0.2_6443");
        // IPv6 alone: bracketed as in a URL
        List<Replica> v6 = Endpoints.parse(("{\"kind\":\"EndpointSlice\",\"addressType\":\"IPv6\",\"endpoints\":"
                + "[{\"addresses\":[\"fd00::2\"]}],\"ports\":[{\"port\":6443}]}").getBytes(StandardCharsets.UTF_8), "s");
        assertThat(v6).extracting(Replica::instance).containsExactly("[fd00::2]:6443");
        assertThat(PprofFetcher.builder().kubectl().build().at("fd00::2", 6443).command())
                .containsSequence("--server", "https://[fd00::2]:6443");
    }

    @Test
    void anUnreachableClusterIsSaidInOneLineNotAsKubectlsLog() throws Exception {
        // the real kubectl against a port nothing listens on: it logs five memcache.go lines, then
        // "The connection to the server 127.0.0.1:PORT was refused"
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/kubectl")), "kubectl is not installed in /usr/bin");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> kubectl = List.of("/usr/bin/kubectl", "--server", "http://127.0.0.1:" + port);
        assertThatThrownBy(() -> Endpoints.list(kubectl, java.time.Duration.ofSeconds(20)))
                .isInstanceOf(io.github.stackfold.perf.NoTargetException.class)
                .hasMessageContaining("get endpointslices")
                .hasMessageContaining("cannot connect to the cluster's API server 127.0.0.1:" + port + " (connection refused")
                .hasMessageNotContaining("memcache.go")
                .hasMessageNotContaining("\n");
    }

    @Test
    void endpointSlicesThatAreNotJsonOrHaveNoPortAreBadInputNamingTheSource() {
        assertThatThrownBy(() -> Endpoints.parse("No resources found".getBytes(StandardCharsets.UTF_8), "kubectl get"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("kubectl get")
                .hasMessageContaining("expected an EndpointSliceList");
        assertThatThrownBy(() -> Endpoints.parse(("{\"items\":[{\"addressType\":\"IPv4\",\"endpoints\":[],"
                + "\"ports\":[{\"name\":\"a\",\"port\":1},{\"name\":\"b\",\"port\":2}]}]}").getBytes(StandardCharsets.UTF_8), "x"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("port named https");
    }

    @Test
    void kubectlModeProfilesEveryReplicaAtTheSameTimeThroughItsOwnServer() throws Exception {
        try (LocalReplicas replicas = LocalReplicas.start(tmp, true, THREE, List.of())) {
            Path kubectl = replicas.stubKubectl();
            PprofFetcher template = PprofFetcher.builder().kubectl(List.of(kubectl.toString())).seconds(2).build();
            FleetFetcher fleet = FleetFetcher.of(template, List.of(kubectl.toString()), PprofReader.create());
            FleetProfiles got = fleet.fetch();
            got.requireAll();

            assertThat(got.profiles()).extracting(p -> p.replica().instance())
                    .containsExactly(replicas.instance(0), replicas.instance(1), replicas.instance(2));
            assertThat(got.profiles()).extracting(ReplicaProfile::version).containsExactly("v1.31.1", "v1.31.2", "v1.31.3");
            List<String> calls = replicas.kubectlCalls();
            assertThat(calls).contains(String.join(" ", Endpoints.LIST_ARGS));
            for (int i = 0; i < 3; i++) {
                assertThat(calls).contains("--server https://" + replicas.instance(i)
                        + " --tls-server-name kubernetes get --raw /debug/pprof/profile?seconds=2");
                assertThat(replicas.queries.get(replicas.instance(i))).isEqualTo("seconds=2");
            }
            // each replica's profile is the one its server served, stack for stack
            for (int i = 0; i < 3; i++) {
                PprofProfile direct = PprofReader.create().read(replicas.served.get(i));
                assertThat(got.profiles().get(i).profile().folded().asMap()).isEqualTo(direct.folded().asMap());
            }
            checkResults(got, replicas);
        }
    }

    @Test
    void urlModeAsksEachReplicaDirectlyOverHttpWithTheToken() throws Exception {
        try (LocalReplicas replicas = LocalReplicas.start(tmp, false, THREE, List.of())) {
            Path kubectl = replicas.stubKubectl();
            PprofFetcher template = PprofFetcher.builder().url(URI.create(replicas.url())).token("s3cret")
                    .seconds(1).build();
            FleetProfiles got = FleetFetcher.of(template, List.of(kubectl.toString()), PprofReader.create()).fetch();
            got.requireAll();
            assertThat(got.profiles()).hasSize(3);
            for (int i = 0; i < 3; i++) {
                assertThat(replicas.authorization.get(replicas.instance(i))).isEqualTo("Bearer s3cret");
                assertThat(replicas.queries.get(replicas.instance(i))).isEqualTo("seconds=1");
            }
            // the profiles' totals, against Go's own decoder where go is installed
            String go = GoToolPprof.requireGo();
            Map<String, Long> truth = GoToolPprof.fold(GoToolPprof.raw(go, replicas.served.get(1)), 1);
            assertThat(got.profiles().get(1).profile().folded().total())
                    .isEqualTo(truth.values().stream().mapToLong(Long::longValue).sum());
        }
    }

    @Test
    void aReplicaThatAnswers403IsAFailureNamingTheRbacRuleAndTheOthersAreKept() throws Exception {
        try (LocalReplicas replicas = LocalReplicas.start(tmp, true, THREE, List.of(1))) {
            Path kubectl = replicas.stubKubectl();
            PprofFetcher template = PprofFetcher.builder().kubectl(List.of(kubectl.toString())).seconds(1).build();
            FleetProfiles got = FleetFetcher.of(template, List.of(kubectl.toString()), PprofReader.create()).fetch();
            assertThat(got.profiles()).extracting(p -> p.replica().instance())
                    .containsExactly(replicas.instance(0), replicas.instance(2));
            assertThat(got.failures()).extracting(f -> f.replica().instance()).containsExactly(replicas.instance(1));
            assertThatThrownBy(got::requireAll).isInstanceOf(NotPermittedException.class)
                    .hasMessageStartingWith("1 of 3 replicas gave no profile: " + replicas.instance(1) + ": ")
                    .hasMessageContaining("Error from server (Forbidden)")
                    .hasMessageContaining("RBAC 'get' on the non-resource URL /debug/pprof/*");

            // the same refusal over a direct https URL: the HTTP status, then the rule
            PprofFetcher direct = PprofFetcher.builder().url(URI.create(replicas.url())).caCert(replicas.ca())
                    .seconds(1).build().at(LocalReplicas.address(1), replicas.port);
            assertThatThrownBy(direct::fetch).isInstanceOf(NotPermittedException.class)
                    .hasMessageContaining("HTTP 403 (forbidden: the user needs RBAC 'get' on the non-resource URL /debug/pprof/*");
        }
    }

    @Test
    void anIdleReplicaIsAnEmptyProfileAndTheColdestNotAFailure() throws Exception {
        // a CPU profile that declares samples/count and cpu/nanoseconds and holds no sample, as Go
        // writes one for a process that never ran during the profile
        Path idle = tmp.resolve("idle.pb");
        Files.write(idle, idleCpuProfile());
        try (LocalReplicas replicas = LocalReplicas.start(tmp.resolve("r"), false,
                List.of(LocalReplicas.PROFILE, idle.toString()), List.of())) {
            Path kubectl = replicas.stubKubectl();
            PprofFetcher template = PprofFetcher.builder().url(URI.create(replicas.url())).seconds(1).build();
            FleetProfiles got = FleetFetcher.of(template, List.of(kubectl.toString()), PprofReader.create()).fetch();
            got.requireAll();
            assertThat(got.profiles().get(1).profile().folded().isEmpty()).isTrue();
            assertThat(got.profiles().get(1).profile().sampleType()).isEqualTo("cpu/nanoseconds");
            ReplicaComparison c = got.compare(Analyzer.withDefaults());
            assertThat(c.hot().instance()).isEqualTo(replicas.instance(0));
            assertThat(c.loads().get(1).total()).isZero();
            assertThat(c.imbalance()).isEqualTo(2.0);
            FleetResults.write(got, tmp.resolve("out"), "kube-apiserver", 1, Analyzer.withDefaults());
            javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(tmp.resolve("out")
                    .resolve("replicas").resolve(got.profiles().get(1).replica().fileName()).resolve("flame.svg").toFile());
        }
    }

    /** profile.proto: sample_type (1) samples/count and cpu/nanoseconds, string_table (6), no sample. */
    private static byte[] idleCpuProfile() throws java.io.IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream o = com.google.protobuf.CodedOutputStream.newInstance(b);
        for (int[] vt : new int[][] {{1, 2}, {3, 4}}) {
            com.google.protobuf.ByteString valueType = com.google.protobuf.ByteString.copyFrom(new byte[] {
                0x08, (byte) vt[0], 0x10, (byte) vt[1]});
            o.writeBytes(1, valueType);
        }
        for (String s : new String[] {"", "samples", "count", "cpu", "nanoseconds"}) {
            o.writeString(6, s);
        }
        o.flush();
        return b.toByteArray();
    }

    private void checkResults(FleetProfiles got, LocalReplicas replicas) throws Exception {
        Path out = tmp.resolve("results");
        FleetResults.Written w = FleetResults.write(got, out, "kube-apiserver", 2, Analyzer.withDefaults());
        long sum = 0;
        for (int i = 0; i < 3; i++) {
            Path d = out.resolve("replicas").resolve(got.profiles().get(i).replica().fileName());
            FoldedProfile f = read(d.resolve("kube-apiserver.folded"));
            assertThat(f.asMap()).isEqualTo(got.profiles().get(i).profile().folded().asMap());
            assertThat(Files.readAllBytes(d.resolve("kube-apiserver.pb.gz"))).isEqualTo(got.profiles().get(i).raw());
            javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(d.resolve("flame.svg").toFile());
            sum += f.total();
        }
        FoldedProfile merged = read(out.resolve("merged").resolve("kube-apiserver.folded"));
        assertThat(merged.total()).isEqualTo(sum);
        assertThat(merged.asMap().keySet()).allMatch(s -> s.startsWith("instance=127.0.0."));
        assertThat(merged.asMap().keySet()).anyMatch(s -> s.startsWith("instance=" + replicas.instance(1) + ";"));

        // the hot replica is the one with the largest total; shares add up to 1
        JsonNode json = new ObjectMapper().readTree(out.resolve("replicas.json").toFile());
        long max = got.profiles().stream().mapToLong(p -> p.profile().folded().total()).max().orElseThrow();
        String hot = got.profiles().stream().filter(p -> p.profile().folded().total() == max).findFirst()
                .orElseThrow().replica().instance();
        assertThat(json.get("hot").asText()).isEqualTo(hot);
        assertThat(json.get("imbalance").asDouble()).isEqualTo(max / (sum / 3.0), org.assertj.core.data.Offset.offset(1e-9));
        double shares = 0;
        for (JsonNode r : json.get("replicas")) {
            shares += r.get("share").asDouble();
        }
        assertThat(shares).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        // replicas 0 and 2 served the same profile, replica 1 another: a category's spread is the
        // difference of the two profiles' shares
        JsonNode top = json.get("categories").get(0);
        assertThat(top.get("shares").get(replicas.instance(0)).asDouble())
                .isEqualTo(top.get("shares").get(replicas.instance(2)).asDouble());
        assertThat(top.get("spread").asDouble()).isPositive();
        assertThat(Files.readString(out.resolve("replicas.txt"))).startsWith("3 replicas, cpu/nanoseconds; hot: " + hot);
        assertThat(w.files()).contains(out.resolve("replicas.json"), out.resolve("merged").resolve("flame.svg"));
    }

    private static FoldedProfile read(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return FoldedProfile.read(in, file.toString());
        }
    }
}
