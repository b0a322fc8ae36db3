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

    @ParameterizedTest
    @ValueSource(strings = {"cizarkiev", "dereban25", "grigoriy-romanenko", "kipkent", "oleksii-bebych", "roko99",
            "vkamlov-arm64", "vmahilevskyi", "yryzhan"})
    void everyLabRecordingGetsTheVerdictInsteadOfZeroShares(String who) throws Exception {
        Path file = Shared.path("real/lab-recordings/" + who + "-flame.folded");
        double expected = unnamedShare(file);
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
