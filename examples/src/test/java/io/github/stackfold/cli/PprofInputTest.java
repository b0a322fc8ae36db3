package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.GoToolPprof;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** pprof files given to the commands that read profiles: collapse, flamegraph and diff (analyze has its own tests). */
class PprofInputTest {
    private static final String LOADED = "real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb";
    private static final String ALONE = "real/kube-apiserver-pprof/kubeapiserver_alone_cpu_profile.pb";
    // hand-checked with go tool pprof -raw (see PprofReaderTest): 110 ms loaded, 70 ms alone
    private static final String EPOLL =
            "runtime.mcall;runtime.park_m;runtime.schedule;runtime.findRunnable;runtime.netpoll;runtime.epollwait";

    private record Run(int code, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.ISO_8859_1);
        }
    }

    private static Run flame(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(args, new ByteArrayInputStream(stdin), out, err);
        return new Run(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void collapseWritesAPprofProfileAsGoToolPprofFoldsIt() throws Exception {
        Path file = Shared.path(LOADED);
        Run r = flame(new byte[0], "collapse", file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        FoldedProfile got = FoldedProfile.read(new ByteArrayInputStream(r.out()), "stdout");
        String go = GoToolPprof.requireGo();
        assertThat(got.asMap()).isEqualTo(GoToolPprof.fold(GoToolPprof.raw(go, file), 1));
    }

    @Test
    void collapseReadsGzippedPprofFromStdinAndValueSamplesCountsSamples() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(Files.readAllBytes(Shared.path(LOADED)));
        }
        Run r = flame(gz.toByteArray(), "collapse", "--value", "samples", "-");
        assertThat(r.code()).as(r.err()).isZero();
        FoldedProfile got = FoldedProfile.read(new ByteArrayInputStream(r.out()), "stdout");
        assertThat(got.total()).isEqualTo(199);
        assertThat(got.count(EPOLL)).isEqualTo(11);
    }

    @Test
    void collapseMergesPprofWithPerfScriptInput() throws Exception {
        Path perf = Shared.path("conformance/collapse-perf/inputs/go-stacks.txt");
        Run alone = flame(new byte[0], "collapse", perf.toString());
        Run both = flame(new byte[0], "collapse", perf.toString(), Shared.path(LOADED).toString());
        assertThat(both.code()).as(both.err()).isZero();
        FoldedProfile a = FoldedProfile.read(new ByteArrayInputStream(alone.out()), "a");
        FoldedProfile b = FoldedProfile.read(new ByteArrayInputStream(both.out()), "b");
        assertThat(b.total()).isEqualTo(a.total() + 1_990_000_000L);
    }

    @Test
    void flamegraphRendersAPprofProfile() throws Exception {
        Run r = flame(new byte[0], "flamegraph", "--countname", "nanoseconds", Shared.path(LOADED).toString());
        assertThat(r.code()).as(r.err()).isZero();
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(r.out()));
        NodeList titles = svg.getElementsByTagName("title");
        boolean epoll = false;
        for (int i = 0; i < titles.getLength(); i++) {
            String t = titles.item(i).getTextContent();
            // 110 ms of 1990 ms in runtime.epollwait, its only caller being this stack
            epoll |= t.startsWith("runtime.epollwait (110,000,000 nanoseconds, 5.53%)");
        }
        assertThat(epoll).as("a runtime.epollwait frame with 110 ms").isTrue();
    }

    @Test
    void diffComparesTwoPprofProfiles() throws Exception {
        Run r = flame(new byte[0], "diff", Shared.path(ALONE).toString(), Shared.path(LOADED).toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.text().lines()).contains(EPOLL + " 70000000 110000000");
    }
}
