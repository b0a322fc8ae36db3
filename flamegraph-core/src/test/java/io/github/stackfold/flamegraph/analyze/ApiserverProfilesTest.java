package io.github.stackfold.flamegraph.analyze;

import static io.github.stackfold.flamegraph.assertions.ProfileAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofOptions;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.testing.Shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two real kube-apiserver CPU profiles in ../shared (30 s each, a kind cluster): the shares the
 * analyzer finds, checked against counts made without it.
 */
class ApiserverProfilesTest {
    static final String DIR = "real/kube-apiserver-pprof/";

    static FoldedProfile load(Path pb) throws Exception {
        return PprofReader.create().read(pb).folded();
    }

    /**
     * Every category's exclusive and inclusive share equals what an independent script counts:
     * src/test/resources/analyze/pprof_shares.py decodes the protobuf itself (standard library only)
     * and applies the same rule file with its own code.
     */
    @ParameterizedTest
    @ValueSource(strings = {"kubeapiserver_cpu_profile.pb", "kubeapiserver_alone_cpu_profile.pb"})
    void categorySharesMatchAnIndependentCountOfTheProtobuf(String name) throws Exception {
        Path pb = Shared.path(DIR + name);
        Path python = findOnPath("python3");
        Shared.requireThat(python != null, "python3 is not on the PATH (CI installs it)");
        Path script = Path.of(getClass().getResource("/analyze/pprof_shares.py").toURI());
        Path rules = Path.of(Rules.class.getResource("kube-apiserver.json").toURI());
        Process p = new ProcessBuilder(python.toString(), script.toString(), pb.toString(), rules.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out;
        try {
            p.getOutputStream().close();
            out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("script finished").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("script exit code").isZero();
        JsonNode expected = new ObjectMapper().readTree(new String(out, StandardCharsets.UTF_8));

        FoldedProfile profile = load(pb);
        long samples = PprofReader.create(PprofOptions.builder().sampleType("samples").build()).read(pb).folded().total();
        Report r = Analyzer.withDefaults().analyze(profile, samples);
        assertThat(r.total()).isEqualTo(expected.get("total").asLong());
        assertThat(r.samples()).isEqualTo(expected.get("samples").asLong());
        assertThat(r.categories()).hasSize(expected.get("categories").size());
        for (Report.CategoryShare c : r.categories()) {
            JsonNode e = expected.get("categories").get(c.name());
            assertThat(c.exclusive()).as("exclusive %s", c.name()).isCloseTo(e.get("exclusive").asDouble(), within(1e-9));
            assertThat(c.inclusive()).as("inclusive %s", c.name()).isCloseTo(e.get("inclusive").asDouble(), within(1e-9));
        }
        // the profile is not trivially classified: most categories are present, some are not
        assertThat(r.categories().stream().filter(c -> c.inclusive() > 0).count()).isBetween(8L, 12L);
    }

    /**
     * Why wrappers matter, on a real profile: without them, flow control's {@code Handle} (which runs
     * the rest of the handler chain) would own every handler below it. Both counts come from the
     * independent script; the analyzer must agree with each.
     */
    @org.junit.jupiter.api.Test
    void withoutWrappersFlowControlWouldOwnTheHandlerChainBelowIt(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path pb = Shared.path(DIR + "kubeapiserver_alone_cpu_profile.pb");
        Path rules = Path.of(Rules.class.getResource("kube-apiserver.json").toURI());
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode noWrappers = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(rules.toFile());
        noWrappers.remove("wrappers");
        Path noWrappersFile = dir.resolve("no-wrappers.json");
        json.writeValue(noWrappersFile.toFile(), noWrappers);

        double with = independent(pb, rules).get("categories").get("flowcontrol").get("inclusive").asDouble();
        double without = independent(pb, noWrappersFile).get("categories").get("flowcontrol").get("inclusive").asDouble();
        assertThat(without).isGreaterThan(with * 2);

        FoldedProfile profile = load(pb);
        assertThat(profile).category("flowcontrol").inclusiveShare().isCloseTo(with, within(1e-9));
        assertThat(profile).withRules(Rules.read(noWrappersFile)).category("flowcontrol").inclusiveShare()
                .isCloseTo(without, within(1e-9));
    }

    static JsonNode independent(Path pb, Path rules) throws Exception {
        Path python = findOnPath("python3");
        Shared.requireThat(python != null, "python3 is not on the PATH (CI installs it)");
        Path script = Path.of(ApiserverProfilesTest.class.getResource("/analyze/pprof_shares.py").toURI());
        Process p = new ProcessBuilder(python.toString(), script.toString(), pb.toString(), rules.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("script finished").isTrue();
            assertThat(p.exitValue()).as("script exit code").isZero();
            return new ObjectMapper().readTree(new String(out, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * Counted by hand, without this program or the script: samples (10 ms each) of
     * {@code go tool pprof -traces FILE} whose stack holds a frame with one of the category's prefixes,
     * e.g. for authentication
     * {@code grep -E 'k8s.io/apiserver/pkg/authentication/|k8s.io/apiserver/plugin/pkg/authenticator/|k8s.io/kubernetes/pkg/serviceaccount\.|go-jose|go-oidc'}
     * over the traces joined one line per sample. For these four categories no frame of theirs sits
     * above a handler-chain wrapper in these profiles, so "any frame on the stack" is the inclusive share.
     */
    @ParameterizedTest
    @CsvSource({
        "kubeapiserver_cpu_profile.pb,       199, authentication, 9",
        "kubeapiserver_cpu_profile.pb,       199, authorization,  1",
        "kubeapiserver_cpu_profile.pb,       199, tls,           55",
        "kubeapiserver_cpu_profile.pb,       199, go-scheduler,  50",
        "kubeapiserver_alone_cpu_profile.pb, 172, authentication, 6",
        "kubeapiserver_alone_cpu_profile.pb, 172, authorization,  6",
        "kubeapiserver_alone_cpu_profile.pb, 172, tls,           46",
        "kubeapiserver_alone_cpu_profile.pb, 172, go-scheduler,  36",
    })
    void inclusiveSharesEqualHandCountsFromGoToolPprofTraces(String name, int samples, String category, int hits)
            throws Exception {
        FoldedProfile profile = load(Shared.path(DIR + name));
        assertThat(profile.total()).isEqualTo(samples * 10_000_000L);
        assertThat(profile).category(category).inclusiveShare().isCloseTo((double) hits / samples, within(1e-12));
    }

    /** The lab's question: authentication and authorization stay small in both profiles. */
    @ParameterizedTest
    @ValueSource(strings = {"kubeapiserver_cpu_profile.pb", "kubeapiserver_alone_cpu_profile.pb"})
    void authenticationAndAuthorizationTakeLessThanFivePercent(String name) throws Exception {
        FoldedProfile profile = load(Shared.path(DIR + name));
        assertThat(profile).category("authentication").inclusiveShare().isLessThan(0.05);
        assertThat(profile).category("authorization").inclusiveShare().isLessThan(0.05);
    }

    static Path findOnPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, exe);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
