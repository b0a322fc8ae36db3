package io.github.stackfold.flamegraph.pprof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.GoToolPprof;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PprofReaderTest {
    private static final String DIR = "real/kube-apiserver-pprof/";
    private static final String LOADED = DIR + "kubeapiserver_cpu_profile.pb";
    private static final String ALONE = DIR + "kubeapiserver_alone_cpu_profile.pb";

    private static final String EPOLL =
            "runtime.mcall;runtime.park_m;runtime.schedule;runtime.findRunnable;runtime.netpoll;runtime.epollwait";
    private static final String TLS_RSA = "net/http.(*conn).serve;crypto/tls.(*Conn).HandshakeContext;"
            + "crypto/tls.(*Conn).handshakeContext;crypto/tls.(*Conn).serverHandshake;"
            + "crypto/tls.(*serverHandshakeStateTLS13).handshake;"
            + "crypto/tls.(*serverHandshakeStateTLS13).sendServerCertificate;crypto/rsa.(*PrivateKey).Sign;"
            + "crypto/rsa.SignPSS;crypto/rsa.signPSSWithSalt;crypto/rsa.decryptAndCheck;crypto/rsa.decrypt;"
            + "math/big.(*Int).Exp;math/big.nat.expNN;math/big.nat.expNNMontgomery;math/big.nat.montgomery;"
            + "math/big.addMulVVW";
    // location 7 holds two lines: typeFrameParser was inlined into (*Framer).ReadFrame
    private static final String INLINED = "google.golang.org/grpc/internal/transport.(*http2Client).reader;"
            + "golang.org/x/net/http2.(*Framer).ReadFrame;golang.org/x/net/http2.typeFrameParser;runtime.mapaccess1";

    /*
     * Expected numbers, derived by hand from Go's own decoder, not from this reader:
     *   go tool pprof -traces FILE | head -4     -> "Total samples = 1.99s" (loaded) / "1.72s" (alone);
     *                                               period 10 ms, so 199 / 172 samples
     *   go tool pprof -raw FILE                  -> folded with a 20-line awk script (sample location ids
     *                                               reversed, each location's lines reversed, equal
     *                                               stacks added), then `wc -l` for the distinct stacks
     *                                               and `grep` for the stacks below.
     * The test matchesGoToolPprofRawStackForStack repeats the whole comparison at test time.
     */
    @Test
    void readsTheLoadedApiserverProfileTotalsAndHandCheckedStacks() throws Exception {
        PprofProfile p = PprofReader.create().read(Shared.path(LOADED));
        FoldedProfile f = p.folded();
        assertThat(p.sampleType()).isEqualTo("cpu/nanoseconds");
        assertThat(p.binary()).isEqualTo("kube-apiserver");
        assertThat(f.total()).isEqualTo(1_990_000_000L);
        assertThat(f.size()).isEqualTo(136);
        assertThat(f.count(EPOLL)).isEqualTo(110_000_000L);
        assertThat(f.count(TLS_RSA)).isEqualTo(130_000_000L);
        assertThat(f.count(INLINED)).isEqualTo(20_000_000L);
        assertThat(f.count("runtime.nanotime1")).isEqualTo(10_000_000L);
        assertThat(p.durationNanos()).isBetween(30_000_000_000L, 30_100_000_000L);
    }

    @Test
    void readsTheIdleApiserverProfileTotalsAndHandCheckedStacks() throws Exception {
        FoldedProfile f = PprofReader.create().read(Shared.path(ALONE)).folded();
        assertThat(f.total()).isEqualTo(1_720_000_000L);
        assertThat(f.size()).isEqualTo(118);
        assertThat(f.count(EPOLL)).isEqualTo(70_000_000L);
        assertThat(f.count(TLS_RSA)).isEqualTo(160_000_000L);
    }

    @Test
    void samplesValueWeighsEachStackByItsSampleCount() throws Exception {
        PprofReader reader = PprofReader.create(PprofOptions.builder().sampleType("samples").build());
        PprofProfile p = reader.read(Shared.path(LOADED));
        assertThat(p.sampleType()).isEqualTo("samples/count");
        assertThat(p.folded().total()).isEqualTo(199);
        assertThat(p.folded().count(EPOLL)).isEqualTo(11);
        assertThat(PprofReader.create(PprofOptions.builder().sampleType("cpu/nanoseconds").build())
                .read(Shared.path(LOADED)).folded().total()).isEqualTo(1_990_000_000L);
    }

    @ParameterizedTest
    @ValueSource(strings = {LOADED, ALONE})
    void matchesGoToolPprofRawStackForStack(String profile) throws Exception {
        Path file = Shared.path(profile);
        String go = GoToolPprof.requireGo();
        String raw = GoToolPprof.raw(go, file);
        // column 1 of -raw's samples table is cpu/nanoseconds, column 0 samples/count
        assertThat(PprofReader.create().read(file).folded().asMap())
                .isEqualTo(GoToolPprof.fold(raw, 1));
        assertThat(PprofReader.create(PprofOptions.builder().sampleType("samples").build()).read(file).folded().asMap())
                .isEqualTo(GoToolPprof.fold(raw, 0));
    }

    @Test
    void gzippedAndRawInputGiveTheSameProfile() throws Exception {
        byte[] raw = Files.readAllBytes(Shared.path(LOADED));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(raw);
        }
        PprofReader r = PprofReader.create();
        FoldedProfile fromRaw = r.read(raw, "raw.pb").folded();
        FoldedProfile fromGz = r.read(new ByteArrayInputStream(gz.toByteArray()), "profile.pb.gz").folded();
        assertThat(fromGz.asMap()).isEqualTo(fromRaw.asMap());
        assertThat(PprofReader.isGzip(gz.toByteArray(), 2)).isTrue();
        assertThat(PprofReader.looksLikeProfile(raw, 64)).isTrue();
    }

    @Test
    void truncatedProfilesAreRejectedNamingTheFile() throws Exception {
        byte[] raw = Files.readAllBytes(Shared.path(LOADED));
        PprofReader r = PprofReader.create();
        // cut points all through the samples, locations and functions (the string table is last)
        for (int cut = 3; cut < raw.length * 9 / 10; cut += 997) {
            byte[] part = Arrays.copyOf(raw, cut);
            assertThatThrownBy(() -> r.read(part, "cut.pb"))
                    .as("cut at %d", cut)
                    .isInstanceOf(BadInputException.class)
                    .hasMessageStartingWith("cut.pb: ")
                    .hasMessageNotContaining("\n");
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(raw);
        }
        byte[] half = Arrays.copyOf(gz.toByteArray(), gz.size() / 2);
        assertThatThrownBy(() -> r.read(half, "half.pb.gz"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("half.pb.gz: truncated gzip data: the pprof profile is incomplete");
    }

    @Test
    void corruptLengthIsRejectedWithTheByteOffset() throws Exception {
        byte[] raw = Files.readAllBytes(Shared.path(LOADED));
        byte[] bad = raw.clone();
        // the first sample's length (after the two 6-byte sample_type fields) becomes a huge varint
        assertThat(bad[12]).isEqualTo((byte) 0x12);
        bad[13] = (byte) 0xff;
        bad[14] = (byte) 0xff;
        bad[15] = (byte) 0xff;
        bad[16] = (byte) 0x7f;
        assertThatThrownBy(() -> PprofReader.create().read(bad, "bad.pb"))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("bad.pb: truncated or corrupt pprof profile at byte ");
    }

    @Test
    void textJsonAndEmptyInputAreNotProfiles() {
        PprofReader r = PprofReader.create();
        for (String text : new String[] {"a;b;c 12\n", "{\"samples\": []}", "java 123 [000] 1.0: 1 cpu-clock:\n"}) {
            assertThatThrownBy(() -> r.read(text.getBytes(StandardCharsets.UTF_8), "x.txt"))
                    .isInstanceOf(BadInputException.class)
                    .hasMessage("x.txt: not a pprof profile: expected profile.proto, raw or gzipped");
        }
        assertThatThrownBy(() -> r.read(new byte[0], "empty.pb"))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("empty.pb: empty input");
    }

    @Test
    void aHeapProfileHasNoCpuSamplesAndSaysWhichTypesItHas() {
        byte[] heap = new ProtoWriter()
                .sampleType("alloc_objects", "count").sampleType("alloc_space", "bytes")
                .function(1, "main.alloc").location(1, 0x1000, 1)
                .sample(new long[] {1}, new long[] {3, 4096})
                .build();
        assertThatThrownBy(() -> PprofReader.create().read(heap, "heap.pb"))
                .isInstanceOf(NoSamplesException.class)
                .hasMessage("heap.pb: the pprof profile has no sample type 'cpu' (not a CPU profile?); "
                        + "it has alloc_objects/count, alloc_space/bytes");
        FoldedProfile space = PprofReader.create(PprofOptions.builder().sampleType("alloc_space").build())
                .read(heap, "heap.pb").folded();
        assertThat(space.asMap()).isEqualTo(Map.of("main.alloc", 4096L));
    }

    @Test
    void aCpuProfileWithOnlyZeroSamplesHasNoSamples() {
        byte[] idle = new ProtoWriter()
                .sampleType("samples", "count").sampleType("cpu", "nanoseconds")
                .function(1, "main.f").location(1, 0x1000, 1)
                .sample(new long[] {1}, new long[] {0, 0})
                .build();
        assertThatThrownBy(() -> PprofReader.create().read(idle, "idle.pb"))
                .isInstanceOf(NoSamplesException.class)
                .hasMessage("idle.pb: the pprof profile has no samples with a non-zero cpu/nanoseconds value");
    }

    @Test
    void aSampleWithoutLocationsKeepsItsTimeAsNoStack() {
        // go tool pprof leaves such a sample out (-raw does not list it): flame keeps its time, so
        // that totals and shares are those of the whole profile. A live etcd profile had one.
        byte[] p = new ProtoWriter()
                .sampleType("samples", "count").sampleType("cpu", "nanoseconds")
                .function(1, "main.work").location(1, 0x1000, 1)
                .sample(new long[] {1}, new long[] {1, 10})
                .sample(new long[] {}, new long[] {2, 20})
                .build();
        assertThat(PprofReader.create().read(p, "nostack.pb").folded().asMap()).isEqualTo(Map.of(
                "main.work", 10L,
                "[no stack]", 20L));
    }

    @Test
    void inlinedLinesBecomeFramesOutermostFirstAndNamesStaySafe() {
        byte[] p = new ProtoWriter()
                .sampleType("samples", "count").sampleType("cpu", "nanoseconds")
                .function(1, "main.leaf").function(2, "main.inlinedIntoCaller").function(3, "main.caller")
                .function(4, "main.F[go.shape.struct { a int; b int }]").function(5, "main.main")
                // location 1: leaf inlined into inlinedIntoCaller inlined into caller (innermost first)
                .location(1, 0x1000, 1, 2, 3)
                .location(2, 0x2000, 4)
                .location(3, 0x3000, 5)
                .location(4, 0xabc)
                .sample(new long[] {1, 2, 3}, new long[] {1, 10})
                .sample(new long[] {4, 3}, new long[] {2, 20})
                .mapping(1, "/usr/local/bin/demo")
                .build();
        PprofProfile profile = PprofReader.create().read(p, "inline.pb");
        assertThat(profile.folded().asMap()).isEqualTo(Map.of(
                "main.main;main.F[go.shape.struct { a int: b int }];main.caller;main.inlinedIntoCaller;main.leaf", 10L,
                "main.main;0xabc", 20L));
        assertThat(profile.binary()).isEqualTo("demo");
    }

    @Test
    void tagsBecomeRootFramesInTheGivenOrder() {
        byte[] p = new ProtoWriter()
                .sampleType("samples", "count").sampleType("cpu", "nanoseconds")
                .function(1, "main.work").location(1, 0x1000, 1)
                .sample(new long[] {1}, new long[] {1, 10}, new Object[] {"handler", "list"},
                        new Object[] {"bytes", 512L, "bytes"})
                .sample(new long[] {1}, new long[] {1, 30}, new Object[] {"handler", "get"})
                .sample(new long[] {1}, new long[] {1, 5})
                .build();
        PprofReader r = PprofReader.create(PprofOptions.builder().tag("handler").tag("bytes").build());
        assertThat(r.read(p, "labels.pb").folded().asMap()).isEqualTo(Map.of(
                "handler=list;bytes=512 bytes;main.work", 10L,
                "handler=get;bytes=?;main.work", 30L,
                "handler=?;bytes=?;main.work", 5L));
    }

    @Test
    void nonAsciiNamesAreRawUtf8Bytes() {
        byte[] p = new ProtoWriter()
                .sampleType("cpu", "nanoseconds")
                .function(1, "main.grüße").location(1, 0x1000, 1)
                .sample(new long[] {1}, new long[] {7})
                .build();
        FoldedProfile f = PprofReader.create().read(p, "utf8.pb").folded();
        assertThat(f.stack(0)).isEqualTo(FoldedProfile.encode("main.grüße"));
        assertThat(FoldedProfile.decode(f.stack(0))).isEqualTo("main.grüße");
    }
}
