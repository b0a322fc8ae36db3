package io.github.stackfold.lab;

import io.github.stackfold.flamegraph.analyze.RequestMetrics;
import io.github.stackfold.perf.pprof.PprofFetcher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where {@code --metrics} reads the apiserver's request counts from: saved copies of {@code /metrics}
 * (one: its counts from zero; two: the delta from the first to the second), or a live source
 * ({@code kubectl}: {@code kubectl get --raw /metrics}; an {@code http(s)://.../metrics} URL) that is read
 * once before and once after a recording. Never prints.
 */
public final class MetricsSource {
    private final List<String> args;
    private final String kubectl;

    private MetricsSource(List<String> args, String kubectl) {
        this.args = List.copyOf(args);
        this.kubectl = kubectl;
    }

    /**
     * The source of one or two {@code --metrics} values; {@code kubectl} is the program for the
     * {@code kubectl} source.
     *
     * @throws IllegalArgumentException for more than two values, or a live source mixed with files
     */
    public static MetricsSource of(List<String> args, String kubectl) {
        if (args.isEmpty() || args.size() > 2) {
            throw new IllegalArgumentException("--metrics takes one or two values (the window's start and end), got "
                    + args.size());
        }
        long live = args.stream().filter(MetricsSource::isLive).count();
        if (live > 0 && args.size() > 1) {
            throw new IllegalArgumentException("--metrics: a live source (kubectl or a URL) is read before and after"
                    + " the recording by itself; give it once, without files");
        }
        return new MetricsSource(args, kubectl);
    }

    private static boolean isLive(String arg) {
        return arg.equals("kubectl") || arg.startsWith("http://") || arg.startsWith("https://");
    }

    /** Whether the source is read live (once before and once after a recording). */
    public boolean live() {
        return isLive(args.get(0));
    }

    /** The saved snapshots' request counts: one file from zero, two as the delta first to second. */
    public RequestMetrics fromFiles(InputStream stdin) throws IOException {
        List<RequestMetrics.Snapshot> s = new ArrayList<>();
        for (String a : args) {
            s.add(read(a, stdin));
        }
        return s.size() == 1 ? RequestMetrics.of(s.get(0)) : RequestMetrics.between(s.get(0), s.get(1));
    }

    /** One snapshot of a live source now, or of the (first) file. */
    public RequestMetrics.Snapshot snapshot(InputStream stdin) throws IOException {
        if (!live()) {
            return read(args.get(0), stdin);
        }
        String arg = args.get(0);
        PprofFetcher fetcher;
        String path = "/metrics";
        if (arg.equals("kubectl")) {
            fetcher = PprofFetcher.builder().kubectl(List.of(kubectl)).build();
        } else {
            URI url = URI.create(arg);
            fetcher = PprofFetcher.builder().url(url).build();
            path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/metrics" : url.getRawPath();
        }
        byte[] body = fetcher.get(path, Duration.ofSeconds(30));
        return RequestMetrics.parse(new ByteArrayInputStream(body), arg.equals("kubectl") ? "kubectl get --raw /metrics" : arg);
    }

    private static RequestMetrics.Snapshot read(String arg, InputStream stdin) throws IOException {
        if (arg.equals("-")) {
            return RequestMetrics.parse(stdin, "<stdin>");
        }
        try (InputStream in = Files.newInputStream(Path.of(arg))) {
            return RequestMetrics.parse(in, arg);
        }
    }
}
