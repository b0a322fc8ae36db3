package io.github.stackfold.perf.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.testing.Shared;

import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesPartialSuccess;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.Sample;

import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Pyroscope and OTLP sinks against a local receiver that decodes what it got. No Pyroscope or
 * OpenTelemetry Collector can be installed from the registries this machine reaches (Debian and npm
 * have neither), so the receiver checks the requests against the published formats.
 */
class ProfileSinkTest {
    private static final String PROFILE = "real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb";
    private static final Instant FROM = Instant.parse("2026-12-07T05:00:00Z");
    private static final Instant UNTIL = FROM.plusSeconds(30);

    @TempDir
    Path tmp;

    private PushOptions options() {
        return PushOptions.builder().backoff(Duration.ofMillis(10)).attempts(3).keepDir(tmp.resolve("unpushed"))
                .tenant("team-a").token("tok-123").build();
    }

    private static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
            gz.write(data);
        }
        return b.toByteArray();
    }

    /** The real apiserver profile, labelled as a replica's would be; with its pprof body or without. */
    private static LabeledProfile real(boolean withPprof) throws Exception {
        byte[] raw = gzip(Files.readAllBytes(Shared.path(PROFILE)));
        PprofProfile p = PprofReader.create().read(raw, PROFILE);
        return new LabeledProfile("kube-apiserver", Map.of("cluster", "lab", "instance", "127.0.0.2:6443",
                "version", "v1.31.0"), FROM, UNTIL, p.folded(), p.sampleType(), 100, withPprof ? raw : null);
    }

    @Test
    void pyroscopePprofIsAMultipartProfileWithTheLabelsInTheNameTheTenantAndTheToken() throws Exception {
        LabeledProfile p = real(true);
        try (Receiver r = new Receiver()) {
            PyroscopeSink.of(r.url(), options()).push(p);
            assertThat(r.requests).hasSize(1);
            Receiver.Request q = r.requests.get(0);
            assertThat(q.method()).isEqualTo("POST");
            assertThat(q.path()).isEqualTo("/ingest");
            assertThat(q.query()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "name", "kube-apiserver{cluster=lab,instance=127.0.0.2:6443,version=v1.31.0}",
                    "from", Long.toString(FROM.getEpochSecond()), "until", Long.toString(UNTIL.getEpochSecond()),
                    "format", "pprof"));
            assertThat(q.header("X-Scope-OrgID")).isEqualTo("team-a");
            assertThat(q.header("Authorization")).isEqualTo("Bearer tok-123");
            assertThat(q.header("Content-Type")).startsWith("multipart/form-data; boundary=");
            // the part decoded as a profile: the same stacks and total as the input
            PprofProfile got = PprofReader.create().read(Receiver.part(q.body(), q.header("Content-Type"), "profile"), "part");
            assertThat(got.folded().total()).isEqualTo(p.folded().total());
            assertThat(got.folded().asMap()).isEqualTo(p.folded().asMap());
        }
    }

    @Test
    void pyroscopeFoldedCountsWholeCpuPeriodsAsSamplesAt100Hz() throws Exception {
        LabeledProfile p = real(false);
        try (Receiver r = new Receiver()) {
            PyroscopeSink.of(URI.create(r.url() + "/pyro/"), options()).push(p);
            Receiver.Request q = r.requests.get(0);
            assertThat(q.path()).isEqualTo("/pyro/ingest");
            assertThat(q.query()).containsEntry("name", "kube-apiserver.cpu{cluster=lab,instance=127.0.0.2:6443,version=v1.31.0}")
                    .containsEntry("format", "folded").containsEntry("sampleRate", "100")
                    .containsEntry("units", "samples").containsEntry("aggregationType", "sum");
            Map<String, Long> got = folded(q.body());
            // Go's CPU weights are whole 10 ms periods: each count is the weight over 10,000,000 ns
            assertThat(got.values().stream().mapToLong(Long::longValue).sum() * 10_000_000L).isEqualTo(p.folded().total());
            assertThat(got).hasSize(p.folded().size());
            p.folded().forEach((stack, count) -> assertThat(got.get(stack) * 10_000_000L).isEqualTo(count));
        }
    }

    @Test
    void pyroscopeFoldedKeepsNanosecondsThatAreNotWholePeriodsAndPerfCountsAtTheirRate() throws Exception {
        FoldedProfile odd = FoldedProfile.of(Map.of("main;work", 12_345L, "main;idle", 10_000_000L));
        FoldedProfile perf = FoldedProfile.of(Map.of("perf;a", 7L, "perf;b", 3L));
        try (Receiver r = new Receiver()) {
            PyroscopeSink sink = PyroscopeSink.of(r.url(), options());
            sink.push(new LabeledProfile("app", Map.of(), FROM, FROM, odd, "cpu/nanoseconds", 100, null));
            sink.push(new LabeledProfile("perf", Map.of("host", "n1"), FROM, UNTIL, perf, "samples/count", 99, null));
            Receiver.Request a = r.requests.get(0);
            assertThat(a.query()).containsEntry("sampleRate", "1000000000").containsEntry("name", "app.cpu{}")
                    .containsEntry("until", Long.toString(FROM.getEpochSecond() + 1));
            assertThat(folded(a.body())).isEqualTo(odd.asMap());
            Receiver.Request b = r.requests.get(1);
            assertThat(b.query()).containsEntry("sampleRate", "99").containsEntry("units", "samples")
                    .containsEntry("name", "perf.samples{host=n1}");
            assertThat(folded(b.body())).isEqualTo(perf.asMap());
        }
    }

    @Test
    void otlpPostsAnExportRequestWhoseDecodedStacksAndTotalsAreTheInputs() throws Exception {
        LabeledProfile p = real(true);
        try (Receiver r = new Receiver()) {
            OtlpSink sink = OtlpSink.of(r.url(), options());
            assertThat(sink.endpoint().getPath()).isEqualTo("/v1development/profiles");
            sink.push(p);
            Receiver.Request q = r.requests.get(0);
            assertThat(q.method()).isEqualTo("POST");
            assertThat(q.path()).isEqualTo("/v1development/profiles");
            assertThat(q.header("Content-Type")).isEqualTo("application/x-protobuf");
            assertThat(q.header("X-Scope-OrgID")).isEqualTo("team-a");
            ExportProfilesServiceRequest req = ExportProfilesServiceRequest.parseFrom(q.body());
            Map<String, String> attributes = req.getResourceProfiles(0).getResource().getAttributesList().stream()
                    .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue()));
            assertThat(attributes).containsExactlyInAnyOrderEntriesOf(Map.of("service.name", "kube-apiserver",
                    "service.instance.id", "127.0.0.2:6443", "service.version", "v1.31.0", "k8s.cluster.name", "lab"));
            ProfilesDictionary d = req.getDictionary();
            assertThat(d.getStringTable(0)).isEmpty();
            Profile prof = req.getResourceProfiles(0).getScopeProfiles(0).getProfiles(0);
            assertThat(d.getStringTable(prof.getSampleType().getTypeStrindex())).isEqualTo("cpu");
            assertThat(d.getStringTable(prof.getSampleType().getUnitStrindex())).isEqualTo("nanoseconds");
            assertThat(prof.getTimeUnixNano()).isEqualTo(FROM.getEpochSecond() * 1_000_000_000L);
            assertThat(prof.getDurationNano()).isEqualTo(30_000_000_000L);
            assertThat(prof.getProfileId().size()).isEqualTo(16);
            // the stacks rebuilt from the dictionary, root first, as folded lines
            Map<String, Long> got = new HashMap<>();
            for (Sample s : prof.getSamplesList()) {
                List<Integer> locs = d.getStackTable(s.getStackIndex()).getLocationIndicesList();
                StringBuilder stack = new StringBuilder();
                for (int i = locs.size() - 1; i >= 0; i--) {
                    int fn = d.getLocationTable(locs.get(i)).getLines(0).getFunctionIndex();
                    stack.append(stack.length() == 0 ? "" : ";")
                            .append(FoldedProfile.encode(d.getStringTable(d.getFunctionTable(fn).getNameStrindex())));
                }
                got.merge(stack.toString(), s.getValues(0), Long::sum);
            }
            assertThat(got.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(p.folded().total());
            assertThat(got).isEqualTo(p.folded().asMap());
        }
    }

    @Test
    void anOtlpPartialSuccessThatRejectsTheProfileIsAFailureThatKeepsIt() throws Exception {
        LabeledProfile p = real(true);
        try (Receiver r = new Receiver()) {
            r.answer = ExportProfilesServiceResponse.newBuilder().setPartialSuccess(ExportProfilesPartialSuccess
                    .newBuilder().setRejectedProfiles(1).setErrorMessage("unsupported profile")).build().toByteArray();
            assertThatThrownBy(() -> OtlpSink.of(r.url(), options()).push(p)).isInstanceOf(PushFailedException.class)
                    .hasMessageContaining("rejected 1 profile(s): unsupported profile")
                    .hasMessageContaining("kept in " + tmp.resolve("unpushed"))
                    .satisfies(e -> {
                        PushFailedException f = (PushFailedException) e;
                        assertThat(f.refused()).isTrue();
                        assertThat(Files.readAllBytes(f.kept().get(0))).isEqualTo(p.pprof());
                    });
        }
    }

    @Test
    void fiveHundredsAreTriedAgainWithBackoffAndSucceedWhenTheReceiverRecovers() throws Exception {
        try (Receiver r = new Receiver()) {
            r.statuses = n -> n <= 2 ? 503 : 200;
            PyroscopeSink.of(r.url(), options()).push(real(true));
            assertThat(r.requests).hasSize(3);
            assertThat(r.requests).extracting(q -> q.body().length).containsOnly(r.requests.get(0).body().length);
            assertThat(tmp.resolve("unpushed")).doesNotExist();
        }
    }

    @Test
    void aReceiverThatKeepsFailingOrRefusesEndsInAnErrorNamingTheKeptFile() throws Exception {
        LabeledProfile p = real(true);
        try (Receiver r = new Receiver()) {
            r.statuses = n -> 500;
            assertThatThrownBy(() -> PyroscopeSink.of(r.url(), options()).push(p)).isInstanceOf(PushFailedException.class)
                    .hasMessageContaining("HTTP 500: status 500 from the test receiver after 3 attempts")
                    .hasMessageContaining("kept in " + tmp.resolve("unpushed").resolve("kube-apiserver-127.0.0.2_6443-"
                            + FROM.getEpochSecond() + ".pb.gz"))
                    .hasMessageNotContaining("tok-123");
            assertThat(r.requests).hasSize(3);
        }
        try (Receiver r = new Receiver()) {
            r.statuses = n -> 400;
            assertThatThrownBy(() -> PyroscopeSink.of(r.url(), options()).push(p))
                    .isInstanceOf(PushFailedException.class).hasMessageContaining("HTTP 400")
                    .hasMessageContaining("(refused)")
                    .satisfies(e -> assertThat(((PushFailedException) e).refused()).isTrue());
            assertThat(r.requests).as("a 4xx is not tried again").hasSize(1);
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertThatThrownBy(() -> OtlpSink.of(URI.create("http://127.0.0.1:" + closed), options()).push(p))
                .isInstanceOf(PushFailedException.class).hasMessageContaining("cannot connect")
                .hasMessageContaining("after 3 attempts").hasMessageContaining("kept in ");
    }

    @Test
    void pushAllGoesOnPastAFailureAndNamesEveryProfileNotPushed() throws Exception {
        LabeledProfile p = real(true);
        try (Receiver ok = new Receiver(); Receiver bad = new Receiver()) {
            bad.statuses = n -> 404;
            List<ProfileSink> sinks = List.of(PyroscopeSink.of(bad.url(), options()), OtlpSink.of(ok.url(), options()));
            assertThatThrownBy(() -> ProfileSink.pushAll(sinks, List.of(p, p)))
                    .isInstanceOf(PushFailedException.class).hasMessageStartingWith("2 of 4 pushes failed: pyroscope ");
            assertThat(ok.requests).hasSize(2);
        }
    }

    @Test
    void labelsAndTokensThatCannotTravelAreRefusedAtOnceAndTheTokenIsNeverPrinted() {
        assertThatThrownBy(() -> LabeledProfile.label("team")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LabeledProfile.label("env=a,b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LabeledProfile.label("1x=y")).isInstanceOf(IllegalArgumentException.class);
        assertThat(LabeledProfile.label("env=prod")).isEqualTo(Map.entry("env", "prod"));
        assertThatThrownBy(() -> PushOptions.builder().token("two words")).isInstanceOf(IllegalArgumentException.class);
        assertThat(options().toString()).doesNotContain("tok-123").contains("token=set");
    }

    private static Map<String, Long> folded(byte[] body) {
        Map<String, Long> m = new TreeMap<>();
        for (String line : Receiver.lines(body)) {
            int sp = line.lastIndexOf(' ');
            m.merge(FoldedProfile.encode(line.substring(0, sp)), Long.parseLong(line.substring(sp + 1)), Long::sum);
        }
        return m;
    }
}
