package io.github.stackfold.lab;

import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.pprof.PprofOptions;
import io.github.stackfold.flamegraph.pprof.PprofProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.perf.pprof.PprofFetcher;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.perf.fleet.FleetFetcher;
import io.github.stackfold.perf.fleet.FleetProfiles;
import io.github.stackfold.perf.fleet.FleetResults;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code flame profile --pprof}: the profile from the apiserver's own {@code /debug/pprof/profile}
 * (issue 6's {@link PprofFetcher}), through {@code kubectl get --raw} or a URL, instead of perf. Its
 * frames are always named; it has no kernel frames. Weights are CPU nanoseconds; the sample count is
 * read from the profile's {@code samples} type for the report.
 */
final class PprofSource {
    private final PprofFetcher fetcher;
    private final String kubectl;

    PprofSource(String source, String kubectl, Duration duration) {
        this.kubectl = kubectl;
        int seconds = (int) Math.max(1, Math.round(duration.toMillis() / 1000.0));
        PprofFetcher.Builder b = PprofFetcher.builder().seconds(seconds);
        URI url = url(source);
        if (url == null) {
            b.kubectl(List.of(kubectl));
        } else {
            b.url(url);
        }
        this.fetcher = b.build();
    }

    /**
     * The URL of a {@code --pprof} source, or null for {@code kubectl}.
     *
     * @throws IllegalArgumentException naming the problem when it is neither kubectl nor an http(s) URL
     */
    static URI url(String source) {
        if ("kubectl".equals(source)) {
            return null;
        }
        if (source.startsWith("http://") || source.startsWith("https://")) {
            try {
                return URI.create(source);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--pprof " + source + ": not a URL (" + e.getMessage() + ")", e);
            }
        }
        throw new IllegalArgumentException("--pprof takes 'kubectl' or an http(s):// URL, not '" + source + "'");
    }

    LabPipeline.Source fetch(String what, Consumer<String> say) throws IOException {
        say.accept("fetching " + fetcher.seconds() + " s of CPU profile from " + fetcher.source() + (what.isEmpty() ? "" : " " + what));
        byte[] data = fetcher.fetch();
        PprofProfile p = PprofReader.create().read(data, fetcher.source());
        long samples = samples(data, fetcher.source());
        // the profile's own duration, not the one asked for (a server may serve another, or a saved profile)
        String length = p.durationNanos() > 0
                ? String.format(java.util.Locale.ROOT, "%.2f s", p.durationNanos() / 1e9)
                        + (Math.abs(p.durationNanos() / 1e9 - fetcher.seconds()) > 0.5 ? " (asked for " + fetcher.seconds() + " s)" : "")
                : fetcher.seconds() + " s asked for (the profile does not say its duration)";
        String desc = "pprof " + p.sampleType() + " profile of " + (p.binary().isEmpty() ? "the server" : p.binary())
                + " from " + fetcher.source() + ", " + length + (what.isEmpty() ? "" : ", " + what);
        return new LabPipeline.Source(p.folded(), samples, desc, p.binary());
    }

    /** The profile's sample count (its {@code samples} type), or -1 when it has weights only. */
    private static long samples(byte[] data, String source) {
        try {
            return PprofReader.create(PprofOptions.builder().sampleType("samples").build()).read(data, source)
                    .folded().total();
        } catch (StackfoldException noCountType) {
            return -1; // weights only: the report counts them
        }
    }

    /**
     * Every replica of the {@code kubernetes} Service at once: each replica's result set and the
     * comparison are written below {@code dir} ({@link FleetResults}) before anything else, then a
     * replica that gave no profile is an error (a 403 names the RBAC rule); the source is all
     * replicas merged, each under an {@code instance=} root frame.
     */
    LabPipeline.Source fetchAll(String what, Path dir, Rules rules, Consumer<String> say) throws IOException {
        FleetFetcher fleet = FleetFetcher.of(fetcher, List.of(kubectl), PprofReader.create());
        List<io.github.stackfold.perf.fleet.Replica> replicas = fleet.replicas();
        say.accept("fetching " + fetcher.seconds() + " s of CPU profile from each of " + replicas.size()
                + " replicas at once: " + replicas + (what.isEmpty() ? "" : " " + what));
        FleetProfiles got = fleet.fetch(replicas);
        if (!got.profiles().isEmpty()) {
            FleetResults.Written w = FleetResults.write(got, dir, "kube-apiserver", fetcher.seconds(),
                    Analyzer.create(Analyzer.Options.of(rules)));
            say.accept("wrote " + w.files().size() + " files of " + got.profiles().size() + " replicas below " + dir
                    + "; " + w.comparison().toText().lines().findFirst().orElse(""));
        }
        got.requireAll();
        String desc = "pprof CPU profiles of " + got.profiles().size() + " replicas, merged, " + fetcher.seconds() + " s"
                + (what.isEmpty() ? "" : ", " + what);
        long samples = 0;
        for (io.github.stackfold.perf.fleet.ReplicaProfile p : got.profiles()) {
            long n = samples(p.raw(), p.replica().instance());
            samples = n < 0 || samples < 0 ? -1 : samples + n;
        }
        return new LabPipeline.Source(got.merged(), samples, desc, "kube-apiserver");
    }
}
