package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The processes a test starts, flame as its own JVM among them: each is ended with its descendants
 * after the test ({@code @RegisterExtension}). flame's standard output and error go to
 * {@code DIR/stdout} and {@code DIR/stderr}.
 */
final class ChildProcesses implements AfterEachCallback {
    private final List<Process> started = new ArrayList<>();

    /** Ends {@code p} (and what it started) after the test; returns it. */
    Process track(Process p) {
        started.add(p);
        return p;
    }

    /**
     * {@code PREFIX... java -cp THIS-CLASSPATH FlameCli ARGS} with {@code env} added, output to files
     * in {@code dir}; {@code prefix} is e.g. {@code env --default-signal=INT,TERM}.
     */
    Process flame(Path dir, List<String> prefix, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FlameCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile());
        pb.environment().putAll(env);
        return track(pb.start());
    }

    /** What flame wrote to standard error in {@code dir}. */
    static String stderr(Path dir) throws IOException {
        return Files.readString(dir.resolve("stderr"));
    }

    /** {@code p}'s exit code, once it ended (within 90 s). */
    static int exit(Process p) throws InterruptedException {
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("flame ended").isTrue();
        return p.exitValue();
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        started.clear();
    }
}
