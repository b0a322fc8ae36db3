package io.github.stackfold.bench;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs JMH with the usual command-line options and then prints one line per benchmark in MB/s of
 * input (from each benchmark's {@code :MB} counter, see {@link Megabytes}).
 *
 * <p>How to run: {@code java -cp benchmarks/target/benchmarks.jar io.github.stackfold.bench.Summary [JMH options] [REGEX]},
 * e.g. {@code ... Summary -f 1 -wi 3 -i 5 Collapse}. Plain {@code java -jar benchmarks.jar} runs JMH
 * itself; its {@code :MB} rows are the same numbers, labelled ops/s.
 */
public final class Summary {
    private Summary() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
        System.out.println();
        System.out.println(table(results));
    }

    /** One line per benchmark and parameter set: mean MB/s, its error, and the primary score. */
    public static String table(Collection<RunResult> results) {
        Map<String, String> rows = new TreeMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replaceFirst("^io\\.github\\.stackfold\\.bench\\.", "");
            StringBuilder params = new StringBuilder();
            for (String k : r.getParams().getParamsKeys()) {
                params.append(' ').append(k).append('=').append(r.getParams().getParam(k));
            }
            Result<?> mb = r.getSecondaryResults().get("MB");
            Result<?> primary = r.getPrimaryResult();
            String row = mb == null
                    ? String.format(Locale.ROOT, "%-60s %12s %24s", name + params, "-",
                            fmt(primary.getScore()) + " " + primary.getScoreUnit())
                    : String.format(Locale.ROOT, "%-60s %9.1f MB/s ± %-8.1f %s", name + params, mb.getScore(),
                            Double.isNaN(mb.getScoreError()) ? 0.0 : mb.getScoreError(),
                            fmt(primary.getScore()) + " " + primary.getScoreUnit());
            rows.put(name + params, row);
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-60s %24s   %s%n",
                "benchmark", "input MB/s (10^6 B/s)", "primary score"));
        rows.values().forEach(r -> sb.append(r).append('\n'));
        return sb.toString();
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }
}
