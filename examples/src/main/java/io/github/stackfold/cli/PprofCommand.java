package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;
import io.github.stackfold.perf.pprof.PprofFetcher;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code flame pprof}: fetch a live CPU profile from a Go server's pprof endpoint and write the results. */
final class PprofCommand implements Callable<Integer> {

    final FlameCli flame;

    private CommandSpec spec;

    static final class Source {
        URI url;

        boolean kubectl;
    }

    Source source;

    int seconds;

    Path outputDir;

    String name;

    Path caCert;

    Path cert;

    Path key;

    String token;

    Path tokenFile;

    PprofFlags pprof;

    boolean keep;

    PprofCommand(FlameCli flame) {
        this.flame = flame;
    }

    /** This command's model: its name, description, options and parameters. */
    CommandSpec spec() {
        spec = Specs.command(this, "pprof",
                "Fetch a live CPU profile from a Go server's /debug/pprof/profile (kube-apiserver serves it by"
                    + " default) and write DIR/NAME.folded and DIR/flame.svg, as 'flame record' does.",
                "",
                "  flame pprof --kubectl --seconds 30",
                "  flame pprof --url https://127.0.0.1:6443/debug/pprof/profile --cacert ca.crt --cert client.crt"
                    + " --key client.key");
        spec.usageMessage().sortOptions(false);
        spec.addArgGroup(ArgGroupSpec.builder().exclusive(true).multiplicity("1")
                .addArg(Specs.option("--url", "URL", URI.class)
                        .description("http(s)://HOST:PORT/debug/pprof/profile (?seconds=N is added)").build())
                .addArg(Specs.flag("--kubectl",
                        "run 'kubectl get --raw /debug/pprof/profile?seconds=N' with the current context"))
                .build());
        spec.addOption(Specs.option("--seconds", "N", int.class).defaultValue("30")
                .description("how long the server samples (default: ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--output-dir", "DIR", Path.class).defaultValue("results")
                .description("where the results go (default: ${DEFAULT-VALUE})").build());
        spec.addOption(Specs.option("--name", "NAME", String.class)
                .description("file name of the folded output (default: the profiled binary, e.g. kube-apiserver)").build());
        spec.addOption(Specs.option("--cacert", "FILE", Path.class).description("PEM CA bundle to trust (https)").build());
        spec.addOption(Specs.option("--cert", "FILE", Path.class).description("PEM client certificate (with --key)").build());
        spec.addOption(Specs.option("--key", "FILE", Path.class).description("PEM private key of --cert").build());
        spec.addOption(Specs.option("--token", "TOKEN", String.class)
                .description("bearer token (visible in ps: prefer --token-file)").build());
        spec.addOption(Specs.option("--token-file", "FILE", Path.class).description("file holding the bearer token").build());
        PprofFlags.addTo(spec);
        spec.addOption(Specs.flag("--keep", "also keep the profile as fetched, DIR/NAME.pb.gz"));
        return Specs.withHelpOptions(spec);
    }

    /** Sets the fields from the command line. */
    private void bind() {
        source = new Source();
        source.url = Specs.value(spec, "--url");
        source.kubectl = Specs.flag(spec, "--kubectl");
        seconds = Specs.value(spec, "--seconds");
        outputDir = Specs.value(spec, "--output-dir");
        name = Specs.value(spec, "--name");
        caCert = Specs.value(spec, "--cacert");
        cert = Specs.value(spec, "--cert");
        key = Specs.value(spec, "--key");
        token = Specs.value(spec, "--token");
        tokenFile = Specs.value(spec, "--token-file");
        pprof = PprofFlags.of(spec);
        keep = Specs.flag(spec, "--keep");
    }

    @Override
    public Integer call() throws Exception {
        bind();
        // before the fetch: a directory the results cannot go to is refused, not found out after it
        AtomicOutput.requireWritableDirectory(outputDir);
        PprofFetcher fetcher = fetcher();
        PprofReader reader = PprofReader.create(pprof.options());

        flame.stderr().println("flame pprof: sampling " + fetcher.source() + " for " + seconds + " s ...");
        byte[] raw = fetcher.fetch();
        Files.createDirectories(outputDir);
        Path svgFile = outputDir.resolve("flame.svg");
        PprofProfile profile;
        try {
            profile = reader.read(raw, fetcher.source());
        } catch (StackfoldException e) {
            if (keep) {
                // a profile this tool cannot read is still there to look at
                flame.stderr().println("flame pprof: kept " + write(outputDir.resolve(
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
        Path kept = keep ? write(outputDir.resolve(base + ".pb.gz"), raw) : null;
        Path folded = outputDir.resolve(base + ".folded");
        writeFolded(folded, profile.folded());
        Path svg = render(profile.folded(), svgFile, base, profile.sampleType());

        FoldedProfile f = profile.folded();
        flame.stderr().println("flame pprof: " + f.size() + " distinct stacks, " + describe(f.total(), profile.sampleType()));
        flame.stderr().println("flame pprof: wrote " + folded + (svg != null ? " and " + svg : "")
                + (kept != null ? " and " + kept : ""));
        return ExitCodes.OK;
    }

    private PprofFetcher fetcher() throws IOException {
        PprofFetcher.Builder b = PprofFetcher.builder();
        try {
            b.seconds(seconds);
            if (source.kubectl) {
                b.kubectl();
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
        Path tmp = Files.createTempFile(svg.getParent(), ".flame", ".svg.tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                FlameGraphRenderer.of(options).render(profile, out);
            } catch (NoSamplesException e) {
                // the renderer wrote a graph saying so
                Files.move(tmp, svg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                throw e;
            }
            Files.move(tmp, svg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return svg;
    }

    private static String describe(long total, String sampleType) {
        if (sampleType.equals("cpu/nanoseconds")) {
            return String.format(java.util.Locale.ROOT, "%.2f s of CPU", total / 1e9);
        }
        return total + " " + sampleType;
    }

    private static Path write(Path file, byte[] data) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), ".pprof", ".tmp");
        Files.write(tmp, data);
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFolded(Path file, FoldedProfile profile) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), ".folded", ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            profile.write(out);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
