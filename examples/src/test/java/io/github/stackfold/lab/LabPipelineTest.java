package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files {@code flame profile} writes, on real profiles: units, margins and the verdict on unnamed frames. */
class LabPipelineTest {
    @TempDir
    Path out;

    private static FoldedProfile load(String relative) throws Exception {
        return ProfileLoader.create().load(Shared.path(relative));
    }

    @Test
    void aLabUsersUnnamedRecordingGetsTheVerdictInTheReportTheSvgAndTheSummary() throws Exception {
        FoldedProfile p = load("real/lab-recordings/roko99-flame.folded");
        LabPipeline.Result r = new LabPipeline(out, Rules.kubeApiserver(), "kube-apiserver CPU", 10)
                .write(new LabPipeline.Source(p, -1, "roko99's published recording"), null);
        String verdict = "cannot tell: 100.0% of CPU is in unnamed kube-apiserver frames";
        String md = Files.readString(out.resolve("report.md"));
        assertThat(md).contains("## Unnamed frames").contains("**" + verdict + ".**").contains("| authentication | cannot tell | cannot tell |")
                .doesNotContain("| authentication | 0.0%");
        assertThat(Files.readString(out.resolve("flame.svg"))).contains(verdict);
        assertThat(r.summary()).anyMatch(l -> l.contains(verdict) && l.contains("--binary ./kube-apiserver"));
        JsonNode j = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(j.get("unnamed").get("cannotTell").asBoolean()).isTrue();
        assertThat(j.get("samples").asLong()).isEqualTo(149);
    }

    @Test
    void theRealIdleAndLoadedPprofProfilesGiveSamplesCpuAndMarginsEverywhere() throws Exception {
        FoldedProfile idle = load("real/kube-apiserver-pprof/kubeapiserver_alone_cpu_profile.pb");
        FoldedProfile loaded = load("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb");
        LabPipeline.Result r = new LabPipeline(out, Rules.kubeApiserver(), "kube-apiserver CPU", 10)
                .write(new LabPipeline.Source(loaded, -1, "loaded"), new LabPipeline.Source(idle, -1, "idle"));

        // the folded files: counts = samples after the header, as flamegraph.pl draws them
        List<String> folded = Files.readAllLines(out.resolve(LabPipeline.FOLDED), StandardCharsets.ISO_8859_1);
        assertThat(folded.get(0)).startsWith("# stackfold: samples=199 counts=samples event=cpu cpu_ns=1990000000");
        assertThat(folded.subList(1, folded.size()).stream().mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum())
                .isEqualTo(199);
        assertThat(Files.readAllLines(out.resolve("idle.folded")).get(0)).startsWith("# stackfold: samples=172 ");

        String svg = Files.readString(out.resolve("flame.svg"));
        assertThat(svg).contains("<title>all (199 samples, 1.99 s CPU, 100%)</title>").doesNotContain("1,990,000,000");

        JsonNode j = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(j.get("samples").asLong()).isEqualTo(199);
        assertThat(j.get("idleComparison").get("before").get("samples").asLong()).isEqualTo(172);
        assertThat(j.get("idleComparison").get("after").get("samples").asLong()).isEqualTo(199);
        assertThat(j.get("idleComparison").get("categories").get(0).has("exclusiveDeltaMargin")).isTrue();

        String md = Files.readString(out.resolve("report.md"));
        // authorization idle: 6 of 172 samples; the Wilson interval's half-width
        double p = 6.0 / 172;
        double m = 1.96 / (1 + 1.96 * 1.96 / 172) * Math.sqrt(p * (1 - p) / 172 + 1.96 * 1.96 / (4.0 * 172 * 172));
        assertThat(md).contains("Samples: 199 samples, 1.99 s CPU in 30.06 s (0.07 cores)")
                .contains("CPU: 1.72 s -> 1.99 s (+270 ms)")
                .contains(String.format(Locale.ROOT, "| authorization | 3.5%% \u00b1%.1f |", m * 100))
                .contains("inside the noise");
        // the summary's figures carry their margins too: go-scheduler is 50 of the 199 samples (exclusive)
        double q = 50.0 / 199;
        double mq = 1.96 / (1 + 1.96 * 1.96 / 199) * Math.sqrt(q * (1 - q) / 199 + 1.96 * 1.96 / (4.0 * 199 * 199));
        assertThat(r.summary().get(2)).startsWith(String.format(Locale.ROOT,
                "top categories (exclusive CPU): go-scheduler 25.1%% \u00b1%.1f (+4.2pp \u00b1", mq * 100))
                .matches("top categories \\(exclusive CPU\\): (\\S+ \\d+\\.\\d% \u00b1\\d+\\.\\d \\([+-]\\d+\\.\\dpp \u00b1\\d+\\.\\d( ~)? vs idle\\)(, |$)){4}");
        assertThat(r.summary().get(3)).matches("hottest path \\(\\d+\\.\\d% \u00b1\\d+\\.\\d\\): .*");
        // five lines: the idle comparison joins the samples line (e568e3a)
        assertThat(r.summary()).hasSize(5).anyMatch(l -> l.equals("samples: 199 (1.99 s CPU in 30.06 s, 0.07 cores; 136 distinct stacks,"
                + " rules kube-apiserver; idle 172 samples, CPU: 1.72 s -> 1.99 s (+270 ms), 0.06 -> 0.07 cores)"));
    }

    @Test
    void aProfileOfEtcdIsWrittenAsEtcdWithEtcdsRulesWhenNoneWereChosen() throws Exception {
        FoldedProfile p = FoldedProfile.builder().add("etcd;go.etcd.io/etcd/server/v3/etcdserver.(*EtcdServer).run;runtime.mallocgc", 3)
                .add("etcd;k8s.io/apiserver/pkg/storage/etcd3.(*store).GetList", 1).build();
        LabPipeline.Result r = new LabPipeline(out, null, "etcd CPU", 10).write(new LabPipeline.Source(p, -1, "etcd", "etcd"), null);
        assertThat(out.resolve("etcd.folded")).isNotEmptyFile();
        assertThat(out.resolve(LabPipeline.FOLDED)).doesNotExist();
        assertThat(r.report().rules()).isEqualTo("etcd");
        assertThat(r.report().category("etcd3-storage")).isEmpty();
        // an explicit choice stands; an unknown program is the apiserver
        new LabPipeline(out.resolve("k"), Rules.kubeApiserver(), "t", 10).write(new LabPipeline.Source(p, -1, "etcd", "etcd"), null);
        assertThat(out.resolve("k/etcd.folded")).isNotEmptyFile();
        assertThat(LabPipeline.foldedName("")).isEqualTo("apiserver.folded");
        assertThat(LabPipeline.foldedName("kube-apiserver")).isEqualTo("apiserver.folded");
        assertThat(LabPipeline.foldedName("my server")).isEqualTo("my_server.folded");
        assertThat(r.summary().get(4)).contains("etcd.folded").doesNotContain("apiserver.folded");
    }

    /**
     * An idle and a loaded recording of lab users, every kube-apiserver frame unnamed: report.md's
     * idle-versus-loaded table gives each side's verdict and remedy, shares as lower bounds and no
     * change, never "0.0%" and "+0.0pp"; two named profiles keep shares, margins and changes.
     */
    @Test
    void theIdleVersusLoadedTableOfUnnamedRecordingsSaysCannotTell() throws Exception {
        LabPipeline pipeline = new LabPipeline(out, Rules.kubeApiserver(), "kube-apiserver CPU", 10);
        pipeline.write(new LabPipeline.Source(load("real/lab-recordings/roko99-flame.folded"), -1, "roko99"),
                new LabPipeline.Source(load("real/lab-recordings/dereban25-flame.folded"), -1, "dereban25"));
        String md = Files.readString(out.resolve("report.md"));
        String table = md.substring(md.indexOf("## Idle versus under load"), md.indexOf("Functions that grew most"));
        assertThat(table).contains("**Idle:** cannot tell:").contains("**Under load:** cannot tell:")
                .contains("| authentication | cannot tell | cannot tell | cannot tell |")
                .doesNotContain("| authentication | 0.0%").doesNotContain("pp");
        JsonNode idleUnnamed = new ObjectMapper().readTree(
                io.github.stackfold.flamegraph.analyze.Comparison.of(
                        io.github.stackfold.flamegraph.analyze.Analyzer.withDefaults().analyze(load("real/lab-recordings/dereban25-flame.folded")),
                        io.github.stackfold.flamegraph.analyze.Analyzer.withDefaults().analyze(load("real/lab-recordings/roko99-flame.folded")),
                        10).toJson()).get("before").get("unnamed");
        assertThat(idleUnnamed.get("cannotTell").asBoolean()).isTrue();
        assertThat(idleUnnamed.get("share").asDouble()).isGreaterThan(0.9);
        assertThat(idleUnnamed.get("remedy").asText()).contains("--binary");

        Path named = out.resolve("named");
        new LabPipeline(named, Rules.kubeApiserver(), "kube-apiserver CPU", 10).write(
                new LabPipeline.Source(load("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb"), -1, "loaded"),
                new LabPipeline.Source(load("real/kube-apiserver-pprof/kubeapiserver_alone_cpu_profile.pb"), -1, "idle"));
        String namedMd = Files.readString(named.resolve("report.md"));
        String namedTable = namedMd.substring(namedMd.indexOf("## Idle versus under load"), namedMd.indexOf("Functions that grew most"));
        assertThat(namedTable).doesNotContain("cannot tell").containsPattern("\\| authentication \\| [0-9.]+% ±[0-9.]+ \\| [0-9.]+% ±[0-9.]+ \\| [-+][0-9.]+pp");
    }
}
