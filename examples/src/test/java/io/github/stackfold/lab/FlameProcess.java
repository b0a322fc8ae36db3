package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.w3c.dom.Document;

/** Runs {@code examples/target/flame.jar} as its own process, as a user would, for the *IT tests. */
final class FlameProcess {
    record Result(int code, String stdout, String stderr) {
    }

    private FlameProcess() {
    }

    static Path jar() {
        String prop = System.getProperty("stackfold.flameJar");
        Path jar = prop == null ? Shared.repoRoot().resolve("examples/target/flame.jar") : Path.of(prop);
        Shared.requireThat(Files.isRegularFile(jar), jar + " is not built (run through mvn verify)");
        return jar;
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code java -jar flame.jar ARGS} with extra environment, killed after {@code timeoutSeconds}. */
    static Result run(List<String> args, Map<String, String> env, long timeoutSeconds) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        cmd.addAll(args);
        return runCommand(cmd, env, timeoutSeconds);
    }

    /** Runs a command line (a flame launcher, a script) with extra environment, killed after {@code timeoutSeconds}. */
    static Result runCommand(List<String> cmd, Map<String, String> env, long timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            boolean ended = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            assertThat(ended).as(String.join(" ", cmd) + " ended within " + timeoutSeconds + " s").isTrue();
            Result r = new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
            System.err.println(String.join(" ", cmd) + " -> exit " + r.code() + "\n" + r.stderr() + r.stdout());
            return r;
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Parses an SVG as XML (no DTDs, no external entities) and returns the document. */
    static Document parseSvg(Path svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setExpandEntityReferences(false);
        f.setNamespaceAware(true);
        Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(svg)));
        assertThat(d.getDocumentElement().getLocalName()).isEqualTo("svg");
        return d;
    }

    static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    /** The first PID the text mentions as "PID N". */
    static long pidIn(String text) {
        Matcher m = Pattern.compile("PID (\\d+)").matcher(text);
        assertThat(m.find()).as("a PID in: " + text).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Processes alive now whose command line contains {@code needle} (besides this JVM). */
    static List<String> processesMentioning(String needle) {
        List<String> found = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(h -> {
            if (h.pid() == ProcessHandle.current().pid()) {
                return;
            }
            String cmd = cmdline(h.pid());
            if (cmd.contains(needle)) {
                found.add(h.pid() + ": " + cmd);
            }
        });
        return found;
    }

    static String cmdline(long pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            return new String(b, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "";
        }
    }
}
