package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The verdict on unnamed frames reaches the flame graph's subtitle and the HTML viewer for every kind of
 * input: the nine lab flame graphs (as SVG and as the folded stacks beside them), the arm64
 * {@code perf.data}, perf script text, several inputs merged; a named profile (the real apiserver
 * pprof) gets none. The share is recounted here from the folded lines, with the rule written out
 * plainly: a line is unnamed when a frame is a module in brackets ({@code [kube-apiserver]}) or a raw
 * address, or when its leaf is {@code [unknown]}.
 */
class UnnamedVerdictCliTest {
    static final List<String> LAB = List.of("cizarkiev", "dereban25", "grigoriy-romanenko", "kipkent", "oleksii-bebych",
            "roko99", "vkamlov-arm64", "vmahilevskyi", "yryzhan");
    private static final Pattern VERDICT = Pattern.compile(
            "cannot tell: ([0-9]+\\.[0-9])% of CPU is in unnamed kube-apiserver(?: and [a-z.]+)? frames; name them: flame (\\w+)"
                    + " --binary \\./kube-apiserver perf\\.data");
    private static final Pattern META = Pattern.compile("<script type=\"application/json\" id=\"sf-meta\">(.*?)</script>",
            Pattern.DOTALL);

    @TempDir
    Path tmp;

    @Test
    void everyLabFlameGraphAndItsFoldedStacksSayCannotTellInTheSvgAndTheViewer() throws Exception {
        Path dir = Shared.path("real/lab-recordings");
        for (String who : LAB) {
            Path folded = dir.resolve(who + "-flame.folded");
            double share = unnamedShare(Files.readAllLines(folded, StandardCharsets.UTF_8));
            assertThat(share).as(who).isGreaterThan(0.10);
            for (Path input : List.of(folded, dir.resolve(who + "-flame.svg"))) {
                checkSvg(share, 0.05, input.toString());
                checkHtml(share, 0.05, input.toString());
            }
        }
    }

    @Test
    void theArm64PerfDataSaysCannotTell() throws Exception {
        Path data = Shared.path("real/lab-recordings/vkamlov-arm64.perf.data");
        // the flame graph made from it by the lab: ~0.08 % of the weight sits in parent frames there
        double share = unnamedShare(Files.readAllLines(Shared.path("real/lab-recordings/vkamlov-arm64-flame.folded"),
                StandardCharsets.UTF_8));
        String subtitle = checkSvg(share, 0.5, data.toString());
        assertThat(subtitle).as("the recording's units come first").startsWith("157 samples, 373,058,756 cycles");
        checkHtml(share, 0.5, data.toString());
    }

    @Test
    void mergedInputsAreJudgedTogether() throws Exception {
        Path dir = Shared.path("real/lab-recordings");
        Path a = dir.resolve("dereban25-flame.folded");
        Path b = dir.resolve("oleksii-bebych-flame.folded"); // both weigh in ns: one moves the other's share
        List<String> lines = new ArrayList<>(Files.readAllLines(a, StandardCharsets.UTF_8));
        lines.addAll(Files.readAllLines(b, StandardCharsets.UTF_8));
        double share = unnamedShare(lines);
        assertThat(share).isNotCloseTo(unnamedShare(Files.readAllLines(a, StandardCharsets.UTF_8)), within(0.005));
        checkSvg(share, 0.05, a.toString(), b.toString());
        checkHtml(share, 0.05, a.toString(), b.toString());
    }

    /**
     * perf script text with the lab's frames (roko99's stacks, one sample per count, the unnamed
     * frames as perf prints a stripped binary's: {@code [unknown] (/usr/local/bin/kube-apiserver)}):
     * the flame graph keeps the one hint perf script text has always had on stderr, not a second one.
     */
    @Test
    void perfScriptTextSaysCannotTellWithOneHint() throws Exception {
        List<String> lines = Files.readAllLines(Shared.path("real/lab-recordings/roko99-flame.folded"), StandardCharsets.UTF_8);
        double share = unnamedShare(lines);
        Path text = tmp.resolve("roko99.perf.txt");
        Files.writeString(text, perfScript(lines), StandardCharsets.UTF_8);
        checkSvg(share, 0.05, text.toString());
        String err = lastErr;
        assertThat(err.lines().filter(l -> l.startsWith("flame: hint:"))).as(err).hasSize(1);
        checkHtml(share, 0.05, text.toString());
        assertThat(lastErr.lines().filter(l -> l.startsWith("flame: hint:"))).as(lastErr).hasSize(1);
    }

    @Test
    void theNamedApiserverPprofGetsNoVerdict() throws Exception {
        Path dir = Shared.path("real/kube-apiserver-pprof");
        List<Path> pbs;
        try (var s = Files.list(dir)) {
            pbs = s.filter(p -> p.toString().endsWith(".pb")).sorted().toList();
        }
        assertThat(pbs).isNotEmpty();
        for (Path pb : pbs) {
            CliRun svg = CliRun.of("flamegraph", pb.toString());
            assertThat(svg.code()).as(svg.err()).isZero();
            assertThat(subtitles(svg.out())).as(pb.toString()).isEmpty();
            assertThat(svg.err()).doesNotContain("cannot tell");
            Path html = tmp.resolve("named.html");
            CliRun h = CliRun.of("html", "-o", html.toString(), pb.toString());
            assertThat(h.code()).as(h.err()).isZero();
            JsonNode meta = meta(html);
            assertThat(meta.get("subtitle").asText()).isEmpty();
            assertThat(meta.has("notice")).isFalse();
            assertThat(h.err()).doesNotContain("cannot tell");
        }
    }

    private String lastErr = "";

    /** Runs flame flamegraph on the inputs and checks the subtitle's verdict; returns the subtitle. */
    private String checkSvg(double share, double tolerancePp, String... inputs) throws Exception {
        List<String> args = new ArrayList<>(List.of("flamegraph"));
        args.addAll(List.of(inputs));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        lastErr = r.err();
        assertThat(r.code()).as(String.join(" ", inputs) + ": " + r.err()).isZero();
        List<String> subs = subtitles(r.out());
        assertThat(subs).as(String.join(" ", inputs)).hasSize(1);
        String subtitle = subs.get(0);
        Matcher m = VERDICT.matcher(subtitle);
        assertThat(m.find()).as(subtitle).isTrue();
        assertThat(Double.parseDouble(m.group(1))).as(String.join(" ", inputs)).isCloseTo(100 * share, within(tolerancePp));
        assertThat(m.group(2)).isEqualTo("flamegraph");
        return subtitle;
    }

    /** Runs flame html on the inputs and checks the page's subtitle and notice (read from the page, no browser). */
    private void checkHtml(double share, double tolerancePp, String... inputs) throws Exception {
        Path html = tmp.resolve("v.html");
        List<String> args = new ArrayList<>(List.of("html", "-o", html.toString()));
        args.addAll(List.of(inputs));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        lastErr = r.err();
        assertThat(r.code()).as(String.join(" ", inputs) + ": " + r.err()).isZero();
        JsonNode meta = meta(html);
        Matcher m = VERDICT.matcher(meta.get("subtitle").asText());
        assertThat(m.find()).as(meta.toString()).isTrue();
        assertThat(Double.parseDouble(m.group(1))).as(String.join(" ", inputs)).isCloseTo(100 * share, within(tolerancePp));
        assertThat(m.group(2)).isEqualTo("html");
        String notice = meta.get("notice").asText();
        assertThat(notice).startsWith("cannot tell: " + m.group(1) + "% of CPU is in unnamed kube-apiserver")
                .contains("'flame analyze --binary ./kube-apiserver perf.data'")
                .contains("folded stacks and flame graphs keep no addresses");
        assertThat(r.err()).contains("cannot tell: " + m.group(1) + "%");
    }

    /** The texts of the SVG's subtitle elements. */
    static List<String> subtitles(String svg) throws Exception {
        NodeList texts = SvgChecks.parse(svg.getBytes(StandardCharsets.UTF_8)).getElementsByTagNameNS("*", "text");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < texts.getLength(); i++) {
            Element e = (Element) texts.item(i);
            if (e.getAttribute("id").equals("subtitle")) {
                out.add(e.getTextContent());
            }
        }
        return out;
    }

    /** The viewer's embedded metadata (title, subtitle, notice ...), as JSON in the page's text. */
    static JsonNode meta(Path html) throws Exception {
        Matcher m = META.matcher(Files.readString(html, StandardCharsets.UTF_8));
        assertThat(m.find()).isTrue();
        return new ObjectMapper().readTree(m.group(1));
    }

    /** The share of the weight on lines with an unnamed frame (see the class comment). */
    static double unnamedShare(List<String> lines) {
        double all = 0;
        double unnamed = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            double w = Double.parseDouble(line.substring(sp + 1));
            String[] frames = line.substring(0, sp).split(";");
            boolean u = frames[frames.length - 1].equals("[unknown]");
            for (String f : frames) {
                u |= f.matches("\\[[^\\]]+\\]") && !f.equals("[unknown]") || f.matches("0x[0-9a-fA-F]+|[0-9a-fA-F]{8,}");
            }
            all += w;
            unnamed += u ? w : 0;
        }
        return unnamed / all;
    }

    /**
     * Folded lines (comm first, counts as samples) as perf script prints them: a header per sample,
     * frames leaf first, {@code [kube-apiserver]} as an address perf could not name in that binary,
     * other frames as named kernel frames.
     */
    static String perfScript(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        long t = 0;
        for (String line : lines) {
            int sp = line.lastIndexOf(' ');
            long n = Long.parseLong(line.substring(sp + 1));
            String[] frames = line.substring(0, sp).split(";");
            for (long k = 0; k < n; k++) {
                t++;
                sb.append(frames[0]).append(" 4242 [000] ").append(1000 + t / 1000).append('.')
                        .append(String.format("%06d", t % 1000 * 1000)).append(": 10101010 cpu-clock:\n");
                for (int i = frames.length - 1; i >= 1; i--) {
                    if (frames[i].equals("[kube-apiserver]")) {
                        sb.append("\t          4ed0").append(String.format("%02x", i)).append(" [unknown] (/usr/local/bin/kube-apiserver)\n");
                    } else {
                        sb.append("\tffffffff8100").append(String.format("%04x", i)).append(' ').append(frames[i])
                                .append(" ([kernel.kallsyms])\n");
                    }
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
