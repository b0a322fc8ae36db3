package io.github.stackfold.flamegraph.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The honest verdict on unnamed frames, on the nine flame graphs lab users published (every Go frame
 * {@code [kube-apiserver]}): analyze said "authentication 0.0 %" for them, which the data cannot say.
 * The unnamed share is recounted here over the folded lines with a pattern of its own.
 */
class UnnamedFramesTest {
    /** An unnamed frame as perf prints it: a module in brackets, [unknown], or a raw address. */
    private static final Pattern UNNAMED = Pattern.compile("^(\\[[^\\]]*\\]|0x[0-9a-fA-F]+)(_\\[[kjiw]\\])?$");

    /** The share of the weight in lines with an unnamed frame, counted independently of the analyzer. */
    static double unnamedShare(Path folded) throws Exception {
        long all = 0;
        long unnamed = 0;
        for (String line : Files.readAllLines(folded, StandardCharsets.ISO_8859_1)) {
            int sp = line.lastIndexOf(' ');
            if (sp < 0) {
                continue;
            }
            long w = Long.parseLong(line.substring(sp + 1).trim());
            all += w;
            for (String f : line.substring(0, sp).split(";")) {
                if (UNNAMED.matcher(f).matches()) {
                    unnamed += w;
                    break;
                }
            }
        }
        return (double) unnamed / all;
    }

    /**
     * The share under the rule that spares the unwinder's junk: a line counts when it has a bracketed
     * module other than [unknown] or a raw address, or an [unknown] with no named frame after it.
     */
    static double unnamedShareSparingJunk(List<String> lines) {
        long all = 0;
        long unnamed = 0;
        for (String line : lines) {
            int sp = line.lastIndexOf(' ');
            if (sp < 0) {
                continue;
            }
            long w = Long.parseLong(line.substring(sp + 1).trim());
            all += w;
            String[] frames = line.substring(0, sp).split(";");
            boolean counts = false;
            boolean onlyUnnamedAfter = true;
            for (int i = frames.length - 1; i >= 0 && !counts; i--) {
                boolean unnamedFrame = UNNAMED.matcher(frames[i]).matches();
                boolean junkCandidate = frames[i].replaceAll("_\\[[kjiw]\\]$", "").equals("[unknown]");
                if (unnamedFrame && (!junkCandidate || onlyUnnamedAfter)) {
                    counts = true;
                }
                onlyUnnamedAfter &= unnamedFrame;
            }
            if (counts) {
                unnamed += w;
            }
        }
        return (double) unnamed / all;
    }

    /**
     * A real recording of Debian's stripped etcd (perf record -e cpu-clock -F 999 -g -p PID for 5 s under
     * an etcdctl put loop, folded with its Go frames named from .gopclntab): every etcd frame is named,
     * but a third of the stacks start (at the root) with [unknown] frames the frame-pointer walk finds
     * past runtime.goexit / runtime.mcall, and some have one where the stack switches. Those are no
     * frame of etcd: no verdict.
     */
    @Test
    void aNamedEtcdRecordingWithJunkUnknownRootFramesGetsNoVerdict() throws Exception {
        Path file = Path.of(getClass().getResource("/analyze/etcd-named-perf.folded").toURI());
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        assertThat(unnamedShare(file)).as("lines with an [unknown] frame (what the verdict used to count)")
                .isGreaterThan(Report.CANNOT_TELL);
        assertThat(lines).as("the junk sits under named Go frames")
                .anyMatch(l -> l.startsWith("etcd;[unknown];runtime.mstart;"))
                .anyMatch(l -> l.matches("etcd;\\[unknown\\];.*\\(\\*EtcdServer\\).*;\\[unknown\\];runtime\\.mcall;.*"));
        double expected = unnamedShareSparingJunk(lines);
        assertThat(expected).isLessThanOrEqualTo(Report.CANNOT_TELL);

        FoldedProfile p = ProfileLoader.create().load(file);
        Report r = Analyzer.create(Analyzer.Options.of(Rules.builtIn("etcd"))).analyze(p);
        assertThat(r.unnamedShare()).isCloseTo(expected, within(1e-12));
        assertThat(r.cannotTell()).isFalse();
        assertThat(r.verdict()).isEmpty();
        assertThat(r.toText()).doesNotContain("cannot tell");
        assertThat(Analyzer.unnamedVerdict(p)).isEmpty();
        assertThat(Analyzer.unnamedWeights(p).values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(Math.round(expected * p.total()));
    }

    @Test
    void anUnknownFrameCountsWhenNoNamedFrameIsAboveIt() throws Exception {
        List<String> lines = List.of(
                "etcd;[unknown];runtime.goexit;main.work 1", // junk root: named
                "etcd;runtime.goexit;main.work;[unknown] 2", // the leaf has no name: unnamed
                "etcd;[unknown];[unknown] 4", // nothing named below the comm: unnamed
                "etcd;[unknown];runtime.goexit;[etcd];main.work 8", // a frame of etcd without a name: unnamed
                "etcd;[unknown];runtime.goexit;main.work;0x4ed063 16", // a raw address leaf: unnamed
                "etcd;runtime.goexit;main.work;do_syscall_64_[k];[unknown]_[k] 32"); // unnamed leaf
        Path file = Files.createTempFile("unnamed", ".folded");
        try {
            Files.write(file, lines, StandardCharsets.ISO_8859_1);
            FoldedProfile p = ProfileLoader.create().load(file);
            assertThat(unnamedShareSparingJunk(lines)).isCloseTo(62.0 / 63, within(1e-12));
            assertThat(Analyzer.withDefaults().analyze(p).unnamedShare()).isCloseTo(62.0 / 63, within(1e-12));
            assertThat(Analyzer.unnamedWeights(p)).containsOnly(
                    java.util.Map.entry("unknown", 54L), java.util.Map.entry("etcd", 8L));
        } finally {
            Files.delete(file);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cizarkiev", "dereban25", "grigoriy-romanenko", "kipkent", "oleksii-bebych", "roko99",
            "vkamlov-arm64", "vmahilevskyi", "yryzhan"})
    void everyLabRecordingGetsTheVerdictInsteadOfZeroShares(String who) throws Exception {
        Path file = Shared.path("real/lab-recordings/" + who + "-flame.folded");
        double expected = unnamedShare(file);
        assertThat(unnamedShareSparingJunk(Files.readAllLines(file, StandardCharsets.ISO_8859_1)))
                .as("no lab recording's share comes from junk [unknown] frames").isEqualTo(expected);
        assertThat(expected).as("the recordings are unnamed").isGreaterThan(Report.CANNOT_TELL);

        Report r = Analyzer.withDefaults().analyze(ProfileLoader.create().load(file));
        assertThat(r.unnamedShare()).isCloseTo(expected, within(1e-12));
        assertThat(r.cannotTell()).isTrue();
        assertThat(r.unnamedByBinary()).containsKey("kube-apiserver");
        String verdict = String.format(Locale.ROOT, "cannot tell: %.1f%% of CPU is in unnamed kube-apiserver", expected * 100);
        assertThat(r.verdict()).startsWith(verdict);

        String text = r.toText();
        assertThat(text).contains(verdict).contains("flame analyze --binary ./kube-apiserver perf.data")
                .contains("flame profile");
        List<String> categoryLines = text.lines().dropWhile(l -> !l.startsWith("CPU by category"))
                .skip(1).takeWhile(l -> !l.isBlank()).filter(l -> !l.contains("(unclassified)")).toList();
        assertThat(categoryLines).hasSizeGreaterThan(5).noneMatch(l -> l.contains(" 0.0%"))
                .allMatch(l -> l.contains("cannot tell") || l.contains(">="));
        assertThat(text.lines().dropWhile(l -> !l.startsWith("API calls")).skip(1).findFirst().orElse(""))
                .contains("cannot tell");
        // unnamed work may belong to a category: the unclassified share is an upper bound, never ">="
        String unclassified = text.lines().filter(l -> l.strip().startsWith("(unclassified)")).findFirst().orElseThrow();
        assertThat(unclassified).doesNotContain(">=").endsWith(String.format(Locale.ROOT, "<=%.1f%%", r.unclassified() * 100));

        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertThat(j.get("unnamed").get("share").asDouble()).isCloseTo(expected, within(1e-12));
        assertThat(j.get("unnamed").get("cannotTell").asBoolean()).isTrue();
        assertThat(j.get("unnamed").get("verdict").asText()).startsWith(verdict);
        assertThat(j.get("unnamed").get("remedy").asText()).contains("--binary ./kube-apiserver");
    }

    @Test
    void aNamedProfileGetsNoVerdict() throws Exception {
        Path pprof = Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb");
        FoldedProfile p = ProfileLoader.create().load(pprof);
        Report r = Analyzer.withDefaults().analyze(p);
        assertThat(r.unnamedShare()).isZero();
        assertThat(r.cannotTell()).isFalse();
        assertThat(r.verdict()).isEmpty();
        assertThat(r.toText()).contains("unnamed frames: 0.0% of samples").doesNotContain("cannot tell");
    }

    @Test
    void unnamedFramesAreBracketedModulesUnknownAndRawAddresses() {
        assertThat(Analyzer.unnamedBinary("[kube-apiserver]")).isEqualTo("kube-apiserver");
        assertThat(Analyzer.unnamedBinary("[unknown]")).isEqualTo("unknown");
        assertThat(Analyzer.unnamedBinary("[kernel.kallsyms]_[k]")).isEqualTo("kernel.kallsyms");
        assertThat(Analyzer.unnamedBinary("[/usr/local/bin/etcd <4a3f2c>]")).isEqualTo("etcd");
        assertThat(Analyzer.unnamedBinary("0x4ed063")).isEqualTo("unknown");
        assertThat(Analyzer.unnamedBinary("00000000004ed063")).isEqualTo("unknown");
        assertThat(Analyzer.unnamedBinary("runtime.mallocgc")).isNull();
        assertThat(Analyzer.unnamedBinary("do_syscall_64_[k]")).isNull();
        assertThat(Analyzer.unnamedBinary("add")).isNull();
        assertThat(Analyzer.unnamedBinary("[]byte.String")).isNull();
    }
}
