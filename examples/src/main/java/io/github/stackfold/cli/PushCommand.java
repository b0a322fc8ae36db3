package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.export.ExportProfile;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileInput;
import io.github.stackfold.flamegraph.pprof.PprofProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.perf.push.LabeledProfile;
import io.github.stackfold.perf.push.ProfileSink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code flame push}: push profile files to Pyroscope or an OpenTelemetry pipeline. Translates flags
 * into the library's sinks ({@link PushFlags}); what a file is, the one input layer says.
 */
@Command(name = "push", mixinStandardHelpOptions = true, versionProvider = FlameCli.Version.class,
        header = "Push profiles to Pyroscope or an OpenTelemetry pipeline.",
        sortOptions = false,
        description = {"Pushes each PROFILE to every receiver given: Pyroscope's HTTP ingest (--pyroscope) or"
                + " OTLP/HTTP profiles (--otlp). A pprof profile is pushed as it is; folded stacks or perf script"
                + " output as folded stacks counted at --sample-rate. A profile that cannot be pushed is kept in"
                + " --keep-dir and named, and the exit code is 7.",
                "",
                "  flame push --pyroscope http://pyroscope:4040 --cluster prod \\",
                "      results/kube-apiserver.pb.gz",
                "  FLAME_PUSH_TOKEN=... flame push --otlp https://otlp.example:4318 \\",
                "      --tenant team-a --label env=prod results/replicas/*/kube-apiserver.pb.gz"})
final class PushCommand implements Callable<Integer> {
    @ParentCommand
    FlameCli flame;

    @Mixin
    PushFlags push;

    @Option(names = "--sample-rate", paramLabel = "HZ", defaultValue = "99",
            description = "Folded or perf input: the frequency its samples were taken at (perf record -F; default:"
                    + " ${DEFAULT-VALUE}).")
    int sampleRate;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "30s", converter = DurationConverter.class,
            description = "Folded or perf input: how long it covers, ending when the file was written (default:"
                    + " ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--keep-dir", paramLabel = "DIR", defaultValue = "unpushed",
            description = "Where a profile that could not be pushed is kept (default: ${DEFAULT-VALUE}).")
    Path keepDir;

    @Parameters(arity = "1..*", paramLabel = "PROFILE", description = "pprof profiles, folded stacks or perf script output.")
    List<Path> profiles;

    @Override
    public Integer call() throws Exception {
        if (!push.any()) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "push: give --pyroscope URL or --otlp URL");
        }
        if (sampleRate < 1) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, "--sample-rate must be at least 1");
        }
        Map<String, String> labels;
        List<ProfileSink> sinks;
        try {
            labels = push.labels();
            sinks = push.sinks(keepDir);
        } catch (IllegalArgumentException e) {
            throw new FlameCli.CliExit(ExitCodes.USAGE, e.getMessage());
        }
        List<LabeledProfile> all = new ArrayList<>();
        for (Path file : profiles) {
            all.add(labeled(file, labels));
        }
        ProfileSink.pushAll(sinks, all);
        // the application names, which the profiles chose unless --app did
        String apps = String.join(", ", all.stream().map(LabeledProfile::app).distinct().toList());
        flame.stderr().println("flame push: pushed " + all.size() + " profile" + (all.size() == 1 ? "" : "s") + " as " + apps
                + " to " + String.join(" and ", sinks.stream().map(ProfileSink::describe).toList()));
        return ExitCodes.OK;
    }

    /**
     * The file as a profile to push: pprof as it is, any other format folded by the one input layer. Its
     * application ({@link PushFlags#app(String)}): a pprof profile's main binary, the one process of perf
     * input (its stacks' first frame); folded stacks name none.
     */
    private LabeledProfile labeled(Path file, Map<String, String> labels) throws IOException {
        Instant written = Files.getLastModifiedTime(file).toInstant();
        byte[] pprof = null;
        ProfileInput.Kind kind;
        try (ProfileInput in = CliProfiles.open(file.toString(), flame)) {
            kind = in.kind();
            if (kind == ProfileInput.Kind.PPROF) {
                pprof = in.stream().readAllBytes();
            }
        }
        if (pprof != null) {
            PprofProfile p = PprofReader.create().read(pprof, file.toString());
            Instant from;
            Instant until;
            if (p.timeNanos() > 0) {
                from = Instant.ofEpochSecond(0, p.timeNanos());
                until = p.durationNanos() > 0 ? from.plusNanos(p.durationNanos()) : written;
            } else {
                // no start time (a profile exported from perf): its own duration, ending when the file was written
                until = written;
                from = written.minus(p.durationNanos() > 0 ? Duration.ofNanos(p.durationNanos()) : duration);
            }
            return new LabeledProfile(push.app(p.binary()), labels, from, until, p.folded(), p.sampleType(), 100, pprof);
        }
        FoldedProfile f = CliProfiles.load(file.toString(), flame).profile();
        boolean perf = kind == ProfileInput.Kind.PERF_SCRIPT || kind == ProfileInput.Kind.PERF_DATA;
        return new LabeledProfile(push.app(perf ? ExportProfile.oneProcess(f) : ""), labels, written.minus(duration), written,
                f, "samples/count", sampleRate, null);
    }
}
