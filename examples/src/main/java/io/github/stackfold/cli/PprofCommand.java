package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;
import io.github.stackfold.flamegraph.render.FoldedSamples;
import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.perf.fleet.FleetFetcher;
import io.github.stackfold.perf.fleet.FleetProfiles;
import io.github.stackfold.perf.fleet.FleetResults;
import io.github.stackfold.perf.fleet.Replica;
import io.github.stackfold.perf.pprof.PprofFetcher;
import io.github.stackfold.perf.push.ContinuousPush;
import io.github.stackfold.perf.push.LabeledProfile;
import io.github.stackfold.perf.push.ProfileSink;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code flame pprof}: fetch a live CPU profile from a Go server's pprof endpoint and write the results. */
@Command(name = "pprof", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        header = "Fetch a CPU profile from a Go server's pprof endpoint.",
        sortOptions = false,
        description = {"Fetches a live CPU profile from a Go server's pprof endpoint (kube-apiserver serves"
                + " /debug/pprof/profile by default) and writes DIR/NAME.folded and DIR/flame.svg, as 'flame record'"
                + " does.",
                "",
                "  flame pprof --kubectl --seconds 30",
                "  flame pprof --url https://127.0.0.1:6443/debug/pprof/profile \\",
                "      --cacert ca.crt --cert client.crt --key client.key",
                "  flame pprof --kubectl --all-replicas --seconds 30",
                "  flame pprof --kubectl --all-replicas --every 60s --push \\",
                "      --pyroscope http://pyroscope:4040"})
final class PprofCommand implements Callable<Integer> {
    @ParentCommand
    FlameCli flame;

    @Spec
    CommandSpec spec;

    /** Where the profile comes from: exactly one of the two. */
    static final class Source {
        @Option(names = "--url", paramLabel = "URL", required = true,
                description = "http(s)://HOST:PORT/debug/pprof/profile (?seconds=N is added).")
        URI url;

        @Option(names = "--kubectl", required = true,
                description = "Fetch with kubectl get --raw /debug/pprof/profile, with the current context.")
        boolean kubectl;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "30",
            description = "How long the server samples (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Mixin
    OutputDirFlag outputDir;

    @Option(names = "--name", paramLabel = "NAME",
            description = "File name of the folded output (default: the profiled binary, e.g. kube-apiserver).")
    String name;

    @Option(names = "--cacert", paramLabel = "FILE", description = "PEM CA bundle to trust (https).")
    Path caCert;

    @Option(names = "--cert", paramLabel = "FILE", description = "PEM client certificate (with --key).")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "PEM private key of --cert.")
    Path key;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token (visible in ps: prefer --token-file).")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the bearer token.")
    Path tokenFile;

    @Option(names = "--max-size", paramLabel = "SIZE", defaultValue = "256m", converter = SizeConverter.class,
            description = "The most a profile may have (e.g. 512m, 1g), from --url or kubectl get --raw; past it the"
                    + " fetch stops and says so, as for a server that streams without end (default: ${DEFAULT-VALUE}).")
    long maxSize;

    @Mixin
    PprofFlags pprof;

    @Option(names = "--keep", description = "Also keep the profile as fetched, DIR/NAME.pb.gz.")
    boolean keep;

    @Option(names = "--all-replicas",
            description = "Profile every replica of the kubernetes Service at once (its EndpointSlices, listed with"
                    + " kubectl): DIR/replicas/IP_PORT/ per replica, DIR/merged/, and the comparison in"
                    + " DIR/replicas.txt and .json. Needs RBAC list on endpointslices in default and get on /debug/pprof/*.")
    boolean allReplicas;

    @Option(names = "--kubectl-program", paramLabel = "PROGRAM", defaultValue = "kubectl",
            description = "The kubectl to run for --kubectl and for listing the replicas (default: ${DEFAULT-VALUE}).")
    String kubectlProgram;

    @Option(names = "--push",
            description = "Push each profile to the --pyroscope/--otlp receivers (after writing the files; with --every"
                    + " instead of them).")
    boolean pushFlag;

    @Option(names = "--every", paramLabel = "TIME", converter = DurationConverter.class,
            description = "Profile again every TIME (e.g. 60s) and push each round, until Ctrl-C or SIGTERM (exit 130);"
                    + " needs --push. Only profiles that could not be pushed are written (DIR/unpushed/).")
    Duration every;

    @Mixin
    PushFlags push;

    @Override
    public Integer call() throws Exception {
        // before the fetch: a directory the results cannot go to is refused, not found out after it
        AtomicOutput.requireWritableDirectory(outputDir.dir);
        PprofFetcher fetcher = fetcher();
        PprofReader reader = PprofReader.create(pprof.options());
        List<ProfileSink> sinks = sinks();
        if (every != null) {
            return continuous(fetcher, reader, sinks);
        }
        if (allReplicas) {
            return replicas(fetcher, reader, sinks);
        }

        flame.stderr().println("flame pprof: sampling " + fetcher.source() + " for " + seconds + " s ...");
        byte[] raw;
        long started = System.nanoTime();
        try (RecordCommand.Signals ignored = RecordCommand.Signals.onInterrupt(() -> {
            // the server sends the profile only when its seconds are over: there is nothing to write
            flame.stderr().println("flame: interrupted after " + (System.nanoTime() - started) / 1_000_000_000L + " of "
                    + seconds + " s: the server sends its profile only at the end, so nothing was written");
            flame.stderr().flush();
            System.exit(ExitCodes.INTERRUPTED);
        })) {
            raw = fetcher.fetch();
        }
        Path dir = outputDir.dir;
        Files.createDirectories(dir);
        Path svgFile = dir.resolve("flame.svg");
        PprofProfile profile;
        try {
            profile = reader.read(raw, fetcher.source());
        } catch (StackfoldException e) {
            if (keep) {
                // a profile this tool cannot read is still there to look at
                flame.stderr().println("flame pprof: kept " + write(dir.resolve(
                        (name != null ? name : "pprof") + ".pb.gz"), raw));
            }
            if (e instanceof NoSamplesException) {
                // as flamegraph.pl does: a graph that says there was nothing, and exit code 2
                try {
                    render(FoldedProfile.empty(), svgFile, "pprof", pprof.value);
                } catch (NoSamplesException expected) {
                    flame.stderr().println("flame pprof: wrote " + svgFile + " (no samples)");
                }
            }
            throw e;
        }
        String base = name != null ? name : profile.binary().isEmpty() ? "pprof" : profile.binary();
        Path kept = keep ? write(dir.resolve(base + ".pb.gz"), raw) : null;
        Path folded = dir.resolve(base + ".folded");
        AtomicOutput.write(folded, profile.folded()::write);
        Path svg = render(profile.folded(), svgFile, base, profile.sampleType());

        FoldedProfile f = profile.folded();
        flame.stderr().println("flame pprof: " + f.size() + " distinct stacks, " + describe(f.total(), profile.sampleType()));
        flame.stderr().println("flame pprof: wrote " + folded + (svg != null ? " and " + svg : "")
                + (kept != null ? " and " + kept : ""));
        if (!sinks.isEmpty()) {
            Instant from = profile.timeNanos() > 0 ? Instant.ofEpochSecond(0, profile.timeNanos())
                    : Instant.now().minusSeconds(seconds);
            Instant until = profile.durationNanos() > 0 ? from.plusNanos(profile.durationNanos()) : from.plusSeconds(seconds);
            Map<String, String> labels = new TreeMap<>(push.labels());
            if (fetcher.url() != null) {
                labels.put("instance", fetcher.url().getRawAuthority());
            }
            pushAll(sinks, List.of(new LabeledProfile(push.app(), labels, from, until, profile.folded(),
                    profile.sampleType(), 100, raw)));
        }
        return ExitCodes.OK;
    }

    /** The receivers of --push, or none; the flags' mistakes are usage errors. */
    private List<ProfileSink> sinks() throws IOException {
        if (pushFlag != push.any()) {
            throw new CommandLine.ParameterException(spec.commandLine(), pushFlag
                    ? "--push needs a receiver: --pyroscope URL or --otlp URL"
                    : "--pyroscope and --otlp push with --push");
        }
        if (every != null && !pushFlag) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--every needs --push and a receiver");
        }
        if (every != null && every.compareTo(Duration.ofSeconds(seconds)) < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--every " + every.toSeconds()
                    + "s is shorter than --seconds " + seconds + ": a round could not end before the next");
        }
        try {
            push.labels();
            return pushFlag ? push.sinks(outputDir.dir.resolve("unpushed")) : List.of();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private void pushAll(List<ProfileSink> sinks, List<LabeledProfile> profiles) throws IOException {
        ProfileSink.pushAll(sinks, profiles);
        flame.stderr().println("flame pprof: pushed " + profiles.size() + " profile" + (profiles.size() == 1 ? "" : "s")
                + " to " + String.join(" and ", sinks.stream().map(ProfileSink::describe).toList()));
    }

    /** --all-replicas: every replica at once; their result sets and comparison are written, then any failure. */
    private int replicas(PprofFetcher fetcher, PprofReader reader, List<ProfileSink> sinks) throws IOException {
        FleetFetcher fleet = FleetFetcher.of(fetcher, List.of(kubectlProgram), reader);
        List<Replica> replicas = fleet.replicas();
        flame.stderr().println("flame pprof: sampling " + replicas.size() + " replicas for " + seconds + " s at once: "
                + replicas);
        FleetProfiles got = fleet.fetch(replicas);
        if (!got.profiles().isEmpty()) {
            FleetResults.Written w = FleetResults.write(got, outputDir.dir, name != null ? name : "kube-apiserver",
                    seconds, Analyzer.withDefaults());
            w.comparison().toText().lines().forEach(l -> flame.stderr().println("flame pprof: " + l));
            flame.stderr().println("flame pprof: wrote " + w.files().size() + " files below " + outputDir.dir);
            if (!sinks.isEmpty()) {
                List<LabeledProfile> labeled = new ArrayList<>();
                got.profiles().forEach(p -> labeled.add(LabeledProfile.of(p, push.app(), push.labels())));
                pushAll(sinks, labeled);
            }
        }
        got.requireAll();
        return ExitCodes.OK;
    }

    /** --every: rounds of fetch and push until SIGINT or SIGTERM. */
    private int continuous(PprofFetcher fetcher, PprofReader reader, List<ProfileSink> sinks) throws IOException {
        ContinuousPush.Source source = allReplicas
                ? ContinuousPush.of(FleetFetcher.of(fetcher, List.of(kubectlProgram), reader), push.app(), push.labels())
                : ContinuousPush.of(fetcher, reader, push.app(), push.labels());
        ContinuousPush run = new ContinuousPush(source, sinks, every, (round, pushed, failures) -> {
            flame.stderr().println("flame pprof: round " + round + ": pushed " + pushed + " profile"
                    + (pushed == 1 ? "" : "s") + (failures.isEmpty() ? "" : ", " + failures.size() + " failed"));
            failures.forEach(f -> flame.stderr().println("flame pprof:   " + f));
            flame.stderr().flush();
        });
        flame.stderr().println("flame pprof: every " + every.toSeconds() + " s, " + seconds + " s of "
                + (allReplicas ? "every replica" : fetcher.source()) + ", pushed to "
                + String.join(" and ", sinks.stream().map(ProfileSink::describe).toList()) + "; Ctrl-C stops");
        flame.stderr().flush();
        ContinuousPush.Summary s;
        try (RecordCommand.Signals ignored = RecordCommand.Signals.onInterrupt(run::stop)) {
            s = run.run();
        }
        flame.stderr().println("flame pprof: stopped after " + s.rounds() + " rounds: " + s.pushed() + " pushed, "
                + s.failed() + " failed");
        return s.stopped() ? ExitCodes.INTERRUPTED : ExitCodes.OK;
    }

    private PprofFetcher fetcher() throws IOException {
        PprofFetcher.Builder b = PprofFetcher.builder();
        try {
            b.seconds(seconds).maxBytes(maxSize);
            if (source.kubectl) {
                b.kubectl(List.of(kubectlProgram));
            } else {
                b.url(source.url);
            }
            if (caCert != null) {
                b.caCert(caCert);
            }
            if (cert != null || key != null) {
                b.clientCertificate(cert, key);
            }
            if (token != null && tokenFile != null) {
                throw new IllegalArgumentException("give --token or --token-file, not both");
            }
            if (tokenFile != null) {
                b.token(Files.readString(tokenFile, StandardCharsets.UTF_8));
            } else if (token != null) {
                b.token(token);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * flamegraph.pl's defaults, with the weight's unit as the count name (CPU profiles count
     * nanoseconds, not samples) and where the profile came from as the subtitle.
     */
    private Path render(FoldedProfile profile, Path svg, String binary, String sampleType) throws IOException {
        String unit = sampleType.contains("/") ? sampleType.substring(sampleType.indexOf('/') + 1) : sampleType;
        FlameGraphOptions options = FlameGraphOptions.builder()
                .countName(unit.equals("count") ? "samples" : unit)
                .subtitle(binary + ": pprof " + sampleType + ", " + seconds + " s")
                .build();
        FlameGraphCommand.renderWhole(FlameGraphRenderer.of(options), FoldedSamples.of(profile),
                w -> AtomicOutput.write(svg, w));
        return svg;
    }

    private static String describe(long total, String sampleType) {
        if (sampleType.equals("cpu/nanoseconds")) {
            return String.format(java.util.Locale.ROOT, "%.2f s of CPU", total / 1e9);
        }
        return total + " " + sampleType;
    }

    private static Path write(Path file, byte[] data) throws IOException {
        AtomicOutput.write(file, data);
        return file;
    }
}
