package io.github.stackfold.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The truth for the pprof tests from an independent decoder: Go's own {@code go tool pprof -raw}
 * (Debian's golang-go), whose text is folded here by plain string handling. Nothing of
 * stackfold's PprofReader is used. Its output looks like:
 *
 * <pre>
 * Samples:
 * samples/count cpu/nanoseconds
 *           1   10000000: 6 7 8
 * Locations
 *      7: 0x4ed063 M=1 golang.org/x/net/http2.typeFrameParser vendor/golang.org/x/net/http2/frame.go:141 s=0
 *              golang.org/x/net/http2.(*Framer).ReadFrame vendor/golang.org/x/net/http2/frame.go:509 s=0
 * Mappings
 * </pre>
 *
 * Sample location ids are leaf first; the lines of a location are innermost first (profile.proto:
 * "the last entry represents the caller into which the preceding entries were inlined").
 */
public final class GoToolPprof {
    private static final Pattern LOCATION = Pattern.compile("^\\s*(\\d+): 0x[0-9a-f]+(?: M=\\d+)?\\s?(.*)$");

    private GoToolPprof() {
    }

    /** The go command, or null when it is not installed. */
    /** {@link #goCommand()}, or the test skips, saying why: go is not installed. */
    public static String requireGo() {
        String go = goCommand();
        Shared.requireThat(go != null, "go is not installed (apt-get install golang-go): cannot cross-check with go tool pprof");
        return go;
    }

    public static String goCommand() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "go"))) {
                return Path.of(dir, "go").toString();
            }
        }
        return Files.isExecutable(Path.of("/usr/lib/go/bin/go")) ? "/usr/lib/go/bin/go" : null;
    }

    /** {@code go tool pprof -raw FILE}, run with a timeout. */
    public static String raw(String go, Path profile) throws IOException, InterruptedException {
        return run(go, "-raw", profile, StandardCharsets.ISO_8859_1);
    }

    /**
     * The heading of {@code go tool pprof -top FILE}: its lines before the table ({@code File:},
     * {@code Type:}, {@code Time:}, {@code Duration: 30.06s, Total samples = ...}).
     */
    public static List<String> topHead(String go, Path profile) throws IOException, InterruptedException {
        List<String> head = new ArrayList<>();
        for (String l : run(go, "-top", profile, StandardCharsets.UTF_8).split("\n")) {
            if (l.startsWith("Showing") || l.strip().startsWith("flat")) {
                break;
            }
            head.add(l);
        }
        return head;
    }

    /** The output of {@code go tool pprof REPORT FILE} (e.g. {@code -raw}), run with a 120 s timeout. */
    private static String run(String go, String report, Path profile, java.nio.charset.Charset charset)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("pprof" + report, ".txt");
        try {
            Process p = new ProcessBuilder(go, "tool", "pprof", report, profile.toString())
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IOException("go tool pprof " + report + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("go tool pprof " + report + " exited with " + p.exitValue());
            }
            return Files.readString(out, charset);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * {@code folded} without its "[no stack]" entry: go tool pprof leaves samples without a location
     * out, flame keeps their time under that name (PprofReaderTest), so that is the one stack in
     * which the two may differ.
     */
    public static Map<String, Long> withoutNoStack(Map<String, Long> folded) {
        Map<String, Long> m = new TreeMap<>(folded);
        m.remove("[no stack]");
        return m;
    }

    /**
     * Folds {@code -raw} text: root first, inlined lines outermost first, weighted by the value in
     * column {@code valueColumn} of the samples table (0 = the first sample type).
     */
    public static Map<String, Long> fold(String raw, int valueColumn) {
        List<long[]> values = new ArrayList<>();
        List<long[]> stacks = new ArrayList<>();
        Map<Long, List<String>> lines = new HashMap<>();
        String section = "";
        long current = -1;
        for (String line : raw.split("\n")) {
            if (line.startsWith("Samples:") || line.startsWith("Locations") || line.startsWith("Mappings")) {
                section = line.substring(0, 3);
                continue;
            }
            if (section.equals("Sam") && line.contains(":")) {
                int colon = line.indexOf(':');
                String[] v = line.substring(0, colon).trim().split("\\s+");
                String ids = line.substring(colon + 1).trim();
                long[] vs = new long[v.length];
                for (int i = 0; i < v.length; i++) {
                    vs[i] = Long.parseLong(v[i]);
                }
                String[] id = ids.isEmpty() ? new String[0] : ids.split("\\s+");
                long[] is = new long[id.length];
                for (int i = 0; i < id.length; i++) {
                    is[i] = Long.parseLong(id[i]);
                }
                values.add(vs);
                stacks.add(is);
            } else if (section.equals("Loc")) {
                Matcher m = LOCATION.matcher(line);
                String fn;
                if (m.matches()) {
                    current = Long.parseLong(m.group(1));
                    lines.put(current, new ArrayList<>());
                    fn = m.group(2);
                } else {
                    fn = line.strip();
                }
                if (!fn.isEmpty()) {
                    // "NAME FILE:LINE s=START": drop the start line, then the file:line
                    fn = fn.replaceFirst(" s=\\d+$", "");
                    fn = fn.substring(0, fn.lastIndexOf(' '));
                    lines.get(current).add(fn);
                }
            }
        }
        Map<String, Long> folded = new TreeMap<>();
        for (int s = 0; s < stacks.size(); s++) {
            StringBuilder sb = new StringBuilder();
            long[] ids = stacks.get(s);
            for (int j = ids.length - 1; j >= 0; j--) {
                List<String> fns = lines.get(ids[j]);
                for (int k = fns.size() - 1; k >= 0; k--) {
                    if (sb.length() > 0) {
                        sb.append(';');
                    }
                    sb.append(fns.get(k));
                }
            }
            long w = values.get(s)[valueColumn];
            if (w != 0) {
                folded.merge(sb.toString(), w, Long::sum);
            }
        }
        return folded;
    }
}
