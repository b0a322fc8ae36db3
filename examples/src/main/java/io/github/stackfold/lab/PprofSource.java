package io.github.stackfold.lab;

import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.pprof.PprofOptions;
import io.github.stackfold.flamegraph.pprof.PprofProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.perf.pprof.PprofFetcher;

import java.io.IOException;
import java.net.URI;
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

    PprofSource(String source, String kubectl, Duration duration) {
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
        long samples = -1;
        try {
            samples = PprofReader.create(PprofOptions.builder().sampleType("samples").build()).read(data, fetcher.source())
                    .folded().total();
        } catch (StackfoldException noCountType) {
            // weights only: the report counts them
        }
        // the profile's own duration, not the one asked for (a server may serve another, or a saved profile)
        String length = p.durationNanos() > 0
                ? String.format(java.util.Locale.ROOT, "%.2f s", p.durationNanos() / 1e9)
                        + (Math.abs(p.durationNanos() / 1e9 - fetcher.seconds()) > 0.5 ? " (asked for " + fetcher.seconds() + " s)" : "")
                : fetcher.seconds() + " s asked for (the profile does not say its duration)";
        String desc = "pprof " + p.sampleType() + " profile of " + (p.binary().isEmpty() ? "the server" : p.binary())
                + " from " + fetcher.source() + ", " + length + (what.isEmpty() ? "" : ", " + what);
        return new LabPipeline.Source(p.folded(), samples, desc);
    }
}
