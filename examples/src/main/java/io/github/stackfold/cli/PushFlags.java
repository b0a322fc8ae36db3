package io.github.stackfold.cli;

import io.github.stackfold.perf.push.LabeledProfile;
import io.github.stackfold.perf.push.OtlpSink;
import io.github.stackfold.perf.push.ProfileSink;
import io.github.stackfold.perf.push.PushOptions;
import io.github.stackfold.perf.push.PyroscopeSink;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import picocli.CommandLine.Option;

/**
 * Where and how profiles are pushed ({@code @Mixin} of {@code flame push} and {@code flame pprof}):
 * the receivers ({@code --pyroscope}, {@code --otlp}), the labels, the tenant and the token. The token
 * is read from {@code --push-token-file} or the {@value #TOKEN_ENV} environment variable, never from
 * the command line (where {@code ps} shows it).
 */
final class PushFlags {
    /** The environment variable holding the push token when no {@code --push-token-file} is given. */
    static final String TOKEN_ENV = "FLAME_PUSH_TOKEN";

    @Option(names = "--pyroscope", paramLabel = "URL",
            description = "Push to the Pyroscope server at URL, to its HTTP ingest (repeatable).")
    List<URI> pyroscope = new ArrayList<>();

    @Option(names = "--otlp", paramLabel = "URL",
            description = "Push over OTLP/HTTP to URL, the collector's port 4318 (/v1development/profiles is added to a"
                    + " URL without a path; repeatable).")
    List<URI> otlp = new ArrayList<>();

    @Option(names = "--label", paramLabel = "KEY=VALUE",
            description = "A label of every pushed profile (repeatable); instance and version are added per replica.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--cluster", paramLabel = "NAME", description = "The cluster label (k8s.cluster.name in OTLP).")
    String cluster;

    /** The application name when the profile names no program of its own. */
    static final String DEFAULT_APP = "kube-apiserver";

    @Option(names = "--app", paramLabel = "NAME",
            description = "The application name profiles are pushed under (default: for flame push, the program the"
                    + " profile names: a pprof profile's main binary, the one process of perf input, else " + DEFAULT_APP
                    + "; for flame pprof, " + DEFAULT_APP + ").")
    String app;

    @Option(names = "--tenant", paramLabel = "ID", description = "The tenant, sent as X-Scope-OrgID.")
    String tenant;

    @Option(names = "--push-token-file", paramLabel = "FILE",
            description = "File holding the receiver's bearer token (default: the " + TOKEN_ENV
                    + " environment variable, if set).")
    Path tokenFile;

    /** {@code --app}, or {@value #DEFAULT_APP} when not given (flame pprof: the apiserver's profiles). */
    String app() {
        return app != null ? app : DEFAULT_APP;
    }

    /**
     * {@code --app}, or else the program the profile names ({@code program}: a pprof profile's main binary,
     * perf's process; empty when unknown) with any character an application name cannot have as {@code _},
     * or else {@value #DEFAULT_APP}.
     */
    String app(String program) {
        if (app != null) {
            return app;
        }
        return program == null || program.isEmpty() ? DEFAULT_APP : program.replaceAll("[^A-Za-z0-9_.\\-/]", "_");
    }

    /** True when a receiver was given. */
    boolean any() {
        return !pyroscope.isEmpty() || !otlp.isEmpty();
    }

    /** The labels of {@code --label} and {@code --cluster}; a bad one is an {@link IllegalArgumentException}. */
    Map<String, String> labels() {
        Map<String, String> m = new TreeMap<>();
        for (String l : labels) {
            Map.Entry<String, String> e = LabeledProfile.label(l);
            m.put(e.getKey(), e.getValue());
        }
        if (cluster != null) {
            m.put("cluster", LabeledProfile.label("cluster=" + cluster).getValue());
        }
        return m;
    }

    /** The sinks, pushing with these flags' tenant and token; what cannot be pushed goes to {@code keepDir}. */
    List<ProfileSink> sinks(Path keepDir) throws IOException {
        String token = tokenFile != null ? Files.readString(tokenFile, StandardCharsets.UTF_8) : System.getenv(TOKEN_ENV);
        PushOptions o = PushOptions.builder().tenant(tenant).token(token).keepDir(keepDir).build();
        List<ProfileSink> sinks = new ArrayList<>();
        pyroscope.forEach(u -> sinks.add(PyroscopeSink.of(u, o)));
        otlp.forEach(u -> sinks.add(OtlpSink.of(u, o)));
        return sinks;
    }
}
