package io.github.stackfold.perf.fleet;

import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes what a {@link FleetFetcher} round brought, one result set per replica plus a merged one and
 * the comparison, each file written whole or not at all (a temporary file moved into place):
 *
 * <pre>
 * DIR/replicas/10.0.0.1_6443/kube-apiserver.folded   the replica's stacks
 * DIR/replicas/10.0.0.1_6443/flame.svg               its flame graph
 * DIR/replicas/10.0.0.1_6443/kube-apiserver.pb.gz    the profile as served
 * DIR/replicas/10.0.0.2_6443/...
 * DIR/merged/kube-apiserver.folded                   all replicas, each under a root frame instance=ADDRESS:PORT
 * DIR/merged/flame.svg
 * DIR/replicas.txt, DIR/replicas.json                 the {@link ReplicaComparison}
 * </pre>
 *
 * A replica whose profile has no sample gets a flame graph saying so and no comparison row is
 * lost: its total is 0.
 */
public final class FleetResults {
    /** What was written, and the comparison. */
    public record Written(List<Path> files, ReplicaComparison comparison) {
    }

    private FleetResults() {
    }

    /**
     * Writes the result sets of {@code fleet} below {@code dir}, naming the folded and pprof files
     * {@code name} (e.g. {@code kube-apiserver}); {@code seconds} goes into the graphs' subtitles.
     */
    public static Written write(FleetProfiles fleet, Path dir, String name, int seconds, Analyzer analyzer)
            throws IOException {
        String sampleType = fleet.profiles().isEmpty() ? "" : fleet.profiles().get(0).profile().sampleType();
        return write(fleet, dir, name, "pprof " + sampleType + ", " + seconds + " s", analyzer);
    }

    /**
     * Writes the result sets of {@code fleet} below {@code dir} as {@link #write(FleetProfiles, Path,
     * String, int, Analyzer)} does, {@code how} (e.g. {@code perf cpu-clock at 99 Hz, 30 s}) saying in
     * the graphs' subtitles how the profiles were taken. A replica whose {@link ReplicaProfile#raw()}
     * is empty (a perf recording: no pprof body) gets no {@code NAME.pb.gz}.
     */
    public static Written write(FleetProfiles fleet, Path dir, String name, String how, Analyzer analyzer)
            throws IOException {
        List<Path> files = new ArrayList<>();
        String sampleType = "";
        for (ReplicaProfile p : fleet.profiles()) {
            Path d = Files.createDirectories(dir.resolve("replicas").resolve(p.replica().fileName()));
            sampleType = p.profile().sampleType();
            if (p.raw().length > 0) {
                files.add(atomically(d.resolve(name + ".pb.gz"), out -> out.write(p.raw())));
            }
            files.addAll(resultSet(p.profile().folded(), d, name, sampleType, p.replica().instance()
                    + (p.version().isEmpty() ? "" : " " + p.version()) + ": " + how));
        }
        if (fleet.profiles().isEmpty()) {
            return new Written(files, null);
        }
        Path merged = Files.createDirectories(dir.resolve("merged"));
        files.addAll(resultSet(fleet.merged(), merged, name, sampleType, fleet.profiles().size()
                + " replicas merged: " + how));
        ReplicaComparison comparison = fleet.compare(analyzer);
        files.add(atomically(dir.resolve("replicas.txt"),
                out -> out.write(comparison.toText().getBytes(StandardCharsets.UTF_8))));
        files.add(atomically(dir.resolve("replicas.json"), comparison::writeJson));
        return new Written(files, comparison);
    }

    /**
     * {@code DIR/NAME.folded} and {@code DIR/flame.svg} of one profile, the graph drawn with
     * flamegraph.pl's defaults, the sample type's unit as the count name.
     */
    static List<Path> resultSet(FoldedProfile profile, Path dir, String name, String sampleType, String subtitle)
            throws IOException {
        Path folded = atomically(dir.resolve(name + ".folded"), profile::write);
        String unit = sampleType.contains("/") ? sampleType.substring(sampleType.indexOf('/') + 1) : sampleType;
        FlameGraphOptions options = FlameGraphOptions.builder()
                .countName(unit.equals("count") || unit.isEmpty() ? "samples" : unit)
                .subtitle(subtitle)
                .build();
        Path svg = atomically(dir.resolve("flame.svg"), out -> {
            try {
                FlameGraphRenderer.of(options).render(profile, out);
            } catch (NoSamplesException e) {
                // the renderer wrote a graph saying there were no samples, as flamegraph.pl does
            }
        });
        return List.of(folded, svg);
    }

    /** Writes {@code file} complete or not at all ({@link AtomicOutput}); returns it. */
    private static Path atomically(Path file, AtomicOutput.Writer writer) throws IOException {
        AtomicOutput.write(file, writer);
        return file;
    }
}
