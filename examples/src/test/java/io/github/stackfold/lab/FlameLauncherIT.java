package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The {@code flame} launcher's class-data sharing archive, for real: written once per build, used by
 * the next runs (the JVM's own class-loading log says where each class came from), rewritten when
 * stale, ignored quietly when it is not one this JVM can use, and left out with FLAME_CDS=0; and its
 * JVM options, which must leave standard output to the command (transparent huge pages only where
 * the kernel offers them).
 */
class FlameLauncherIT {
    private static final Path ROOT = Shared.repoRoot();
    private static final Path JSA = ROOT.resolve("examples/target/flame.jsa");
    private static final String WRITING = "class-data archive for faster starts";

    /** Runs {@code ./flame ARGS}; the JVM's class-load log, when asked for, goes to {@link #CLASS_LOG}. */
    private static FlameProcess.Result launcher(Map<String, String> env, String... args) throws Exception {
        FlameProcess.jar(); // skips with a reason when flame.jar is not built
        Files.deleteIfExists(CLASS_LOG);
        List<String> cmd = new ArrayList<>();
        cmd.add(ROOT.resolve("flame").toString());
        cmd.addAll(List.of(args));
        return FlameProcess.runCommand(cmd, env, 120);
    }

    private static String classLog() throws java.io.IOException {
        return Files.readString(CLASS_LOG);
    }

    /** Where the JVM says it loaded {@code className} from, in a -Xlog:class+load log. */
    private static String sourceOf(String log, String className) {
        for (String line : log.split("\n")) {
            int at = line.indexOf("] " + className + " source: ");
            if (at >= 0) {
                return line.substring(at + className.length() + 11);
            }
        }
        throw new AssertionError(className + " not in the class-load log");
    }

    /** The lines of a -Xlog:class+load log for classes loaded from the JDK's modules or a jar, not the archive. */
    private static List<String> classesNotFromTheArchive(String log) {
        return log.lines().filter(l -> l.contains("source: jrt:/") || l.contains("source: file:")).toList();
    }

    /**
     * Runs {@code ./flame ARGS INPUT} on {@code input} written to a temporary file, with the class-load
     * log on; expects exit 0 and returns the log.
     */
    private static String classLogOf(byte[] input, String suffix, String... args) throws Exception {
        launcher(Map.of(), "--version"); // the archive exists
        Path file = Files.createTempFile("stackfold-launcher-it", suffix);
        try {
            Files.write(file, input);
            List<String> cmd = new ArrayList<>(List.of(args));
            cmd.add(file.toString());
            FlameProcess.Result r = launcher(LOG_CLASSES, cmd.toArray(new String[0]));
            assertThat(r.code()).as(r.stderr()).isZero();
            return classLog();
        } finally {
            Files.delete(file);
        }
    }

    private static final Path CLASS_LOG = ROOT.resolve("examples/target/flame-launcher-it-classes.log");
    private static final Map<String, String> LOG_CLASSES = Map.of("FLAME_JAVA_OPTS", "-Xlog:class+load:file=" + CLASS_LOG);

    @Test
    void writesTheArchiveOnceAndLaterRunsMapTheirClassesFromIt() throws Exception {
        Files.deleteIfExists(JSA);
        FlameProcess.Result first = launcher(Map.of(), "--version");
        assertThat(first.code()).as(first.stderr()).isZero();
        assertThat(first.stderr()).contains(WRITING);
        assertThat(JSA).isNotEmptyFile();

        FlameProcess.Result second = launcher(LOG_CLASSES, "collapse", "--help");
        assertThat(second.code()).as(second.stderr()).isZero();
        assertThat(second.stderr()).doesNotContain(WRITING);
        assertThat(sourceOf(classLog(), "picocli.CommandLine")).isEqualTo("shared objects file");
        assertThat(sourceOf(classLog(), "io.github.stackfold.cli.CollapseCommand")).isEqualTo("shared objects file");
    }

    @Test
    void aTwoThreadCollapseFindsItsWorkerPathInTheArchive() throws Exception {
        String log = classLogOf(io.github.stackfold.cli.ClassListTraining.perfScript(20_000), ".txt",
                "collapse", "--threads", "2", "-o", "/dev/null");
        assertThat(sourceOf(log, "java.util.concurrent.ThreadPoolExecutor")).isEqualTo("shared objects file");
        for (String line : log.split("\n")) {
            if (line.contains("PerfCollapser$Session$$Lambda")) {
                assertThat(line).contains("source: shared objects file");
            }
        }
        // waiting for the worker loads the JDK's blocking classes: archived too (the training waits)
        assertThat(classesNotFromTheArchive(log)).isEmpty();
    }

    @Test
    void aFlameGraphLaidOutWhileReadFindsItsLayoutThreadInTheArchive() throws Exception {
        // 640 kB of sorted lines: ten reads, handed to a layout thread that waits for them
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append(String.format("main;serve;handler%05d;leaf%d 1%n", i, i % 7));
        }
        String log = classLogOf(text.toString().getBytes(StandardCharsets.US_ASCII), ".folded", "flamegraph", "-o", "/dev/null");
        assertThat(sourceOf(log, "io.github.stackfold.flamegraph.render.ConcurrentLayout")).isEqualTo("shared objects file");
        assertThat(classesNotFromTheArchive(log)).isEmpty();
    }

    @Test
    void aCollapseAndAFlameGraphTakeEveryClassFromTheArchive() throws Exception {
        // (picocli's default factory looks for Groovy's Closure, which opens flame.jar: the CLI uses
        // picocli as documented and accepts that)
        launcher(Map.of(), "--version");
        Path input = Files.createTempFile("stackfold-launcher-it", ".txt");
        Path out = Files.createTempFile("stackfold-launcher-it", ".folded");
        Path svg = out.resolveSibling(out.getFileName() + ".svg");
        try {
            Files.write(input, io.github.stackfold.cli.ClassListTraining.perfScript(2_000));
            FlameProcess.Result r = launcher(Map.of("FLAME_JAVA_OPTS", "-Xlog:class+load,class+init=info:file=" + CLASS_LOG),
                    "collapse", "--threads", "1", "-o", out.toString(), input.toString());
            assertThat(r.code()).as(r.stderr()).isZero();
            assertThat(out).isNotEmptyFile();
            String log = classLog();
            assertThat(sourceOf(log, "io.github.stackfold.flamegraph.internal.Folder")).isEqualTo("shared objects file");
            assertThat(log.lines().filter(l -> l.contains("source: file:"))).isEmpty();

            // nor for a flame graph: its script and style are in a class, not resources of the jar
            r = launcher(Map.of("FLAME_JAVA_OPTS", "-Xlog:class+load,class+init=info:file=" + CLASS_LOG),
                    "flamegraph", "-o", svg.toString(), out.toString());
            assertThat(r.code()).as(r.stderr()).isZero();
            assertThat(Files.readString(svg)).contains("<script type=\"text/ecmascript\">").contains("#frames text");
            log = classLog();
            assertThat(sourceOf(log, "io.github.stackfold.flamegraph.render.FlameGraphRenderer")).isEqualTo("shared objects file");
            assertThat(log.lines().filter(l -> l.contains("source: file:"))).isEmpty();
        } finally {
            Files.delete(input);
            Files.delete(out);
            Files.deleteIfExists(svg);
        }
    }

    @Test
    void withoutTheArchiveClassesComeFromTheJar() throws Exception {
        FlameProcess.Result r = launcher(Map.of("FLAME_CDS", "0", "FLAME_JAVA_OPTS", "-Xlog:class+load:file=" + CLASS_LOG), "--version");
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(sourceOf(classLog(), "picocli.CommandLine")).endsWith("examples/target/flame.jar");
    }

    @Test
    void anArchiveOlderThanTheJarIsWrittenAgain() throws Exception {
        launcher(Map.of(), "--version");
        assertThat(JSA).isNotEmptyFile();
        Path jar = FlameProcess.jar();
        FileTime old = FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000);
        Files.setLastModifiedTime(JSA, old);
        FlameProcess.Result r = launcher(LOG_CLASSES, "--version");
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains(WRITING);
        assertThat(Files.getLastModifiedTime(JSA)).isGreaterThan(old);
        assertThat(sourceOf(classLog(), "picocli.CommandLine")).isEqualTo("shared objects file");
    }

    @Test
    void anArchiveMadeForAnotherJavaIsWrittenAgain() throws Exception {
        launcher(Map.of(), "--version");
        Path stamp = ROOT.resolve("examples/target/flame.jsa.jvm");
        String mine = Files.readString(stamp).strip();
        Files.writeString(stamp, "0:0:0\n"); // device:inode:mtime of some other java binary
        FlameProcess.Result r = launcher(LOG_CLASSES, "--version");
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains(WRITING);
        assertThat(Files.readString(stamp).strip()).isEqualTo(mine);
        assertThat(sourceOf(classLog(), "picocli.CommandLine")).isEqualTo("shared objects file");
    }

    /**
     * What the launcher adds to the JVM's command line stays off standard output: with
     * {@code -XX:CompileCommand} and without its {@code quiet}, the JVM prints the command there,
     * ahead of the folded stacks.
     */
    @Test
    void theLaunchersStandardOutputIsTheCollapseAlone() throws Exception {
        Path input = Shared.path("conformance/collapse-perf/inputs/example-perf-stacks.txt");
        Path expected = Shared.path("conformance/collapse-perf/expected/example-perf-stacks--default.txt");
        for (String threads : new String[] {"1", "2"}) {
            FlameProcess.Result r = launcher(Map.of(), "collapse", "--threads", threads, input.toString());
            assertThat(r.code()).as(r.stderr()).isZero();
            assertThat(r.stdout()).as("--threads %s", threads).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
        }
    }

    @Test
    void theHeapUsesTransparentHugePagesWhereTheKernelOffersThemAndNoWarningElsewhere() throws Exception {
        Path mode = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        String m = Files.isReadable(mode) ? Files.readString(mode) : "(no " + mode + ")";
        boolean offered = m.contains("[always]") || m.contains("[madvise]");
        FlameProcess.Result r = launcher(Map.of("FLAME_JAVA_OPTS", "-XX:+PrintFlagsFinal"), "--version");
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(r.stderr()).isEmpty();
        String flag = r.stdout().lines().filter(l -> l.contains(" UseTransparentHugePages ")).findFirst().orElseThrow();
        assertThat(flag).as("THP mode %s", m.trim()).contains(offered ? "= true" : "= false");
    }

    @Test
    void anArchiveTheJvmCannotUseIsIgnoredQuietly() throws Exception {
        launcher(Map.of(), "--version");
        byte[] good = Files.readAllBytes(JSA);
        try {
            Files.delete(JSA); // the archive is read-only
            Files.write(JSA, "not a class-data archive".getBytes(StandardCharsets.US_ASCII));
            FlameProcess.Result r = launcher(LOG_CLASSES, "--version");
            assertThat(r.code()).as(r.stderr()).isZero();
            assertThat(r.stderr()).isEmpty();
            assertThat(r.stdout()).contains("flame ");
            assertThat(sourceOf(classLog(), "picocli.CommandLine")).endsWith("examples/target/flame.jar");
        } finally {
            Files.delete(JSA);
            Files.write(JSA, good);
        }
    }
}
