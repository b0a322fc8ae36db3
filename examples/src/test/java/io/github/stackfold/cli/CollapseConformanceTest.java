package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of {@code ../shared/conformance/collapse-perf} through {@code flame collapse} in this
 * process: the output must be byte-identical to stackcollapse-perf.pl's, read from a file, from
 * standard input, and from a stream that hands out one byte per read. A case is
 * {@code expected/<input>--<opts>.txt}; {@code <opts>} is {@code default} or flags joined by {@code +}.
 *
 * <p>The one empty input ({@code no-events}) has empty expected output; flame treats an empty input
 * as "not perf script" (documented exit code 2), so for it the exit code is 2 and stdout still empty.
 */
class CollapseConformanceTest {
    private static final String MISSING = "(../shared/conformance/collapse-perf is absent)";

    static Stream<String> cases() throws IOException {
        Path dir = casesDir();
        if (dir == null) {
            return Stream.of(MISSING);
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir.resolve("expected"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().forEach(names::add);
        }
        return names.stream();
    }

    private static Path casesDir() {
        String prop = System.getProperty("stackfold.shared");
        Path shared = prop != null ? Path.of(prop) : Shared.repoRoot().resolve("../shared");
        Path dir = shared.resolve("conformance/collapse-perf").normalize();
        return Files.isDirectory(dir.resolve("expected")) ? dir : null;
    }

    @ParameterizedTest(name = "{0} from a file")
    @MethodSource("cases")
    void matchesStackcollapsePerfFromAFile(String name) throws IOException {
        Case c = load(name);
        List<String> args = c.args();
        args.add(c.input.toString());
        c.check(args, new ByteArrayInputStream(new byte[0]));
    }

    @ParameterizedTest(name = "{0} through stdin")
    @MethodSource("cases")
    void matchesStackcollapsePerfThroughStdin(String name) throws IOException {
        Case c = load(name);
        List<String> args = c.args();
        args.add("--threads=1");
        c.check(args, new ByteArrayInputStream(Files.readAllBytes(c.input)));
    }

    @ParameterizedTest(name = "{0} one byte at a time")
    @MethodSource("cases")
    void matchesStackcollapsePerfOneByteAtATime(String name) throws IOException {
        Case c = load(name);
        List<String> args = c.args();
        args.add("-");
        c.check(args, new OneByteAtATime(Files.readAllBytes(c.input)));
    }

    private static Case load(String name) {
        Shared.requireThat(!name.equals(MISSING), "../shared/conformance/collapse-perf is absent");
        Path dir = casesDir();
        int sep = name.indexOf("--");
        Path input = dir.resolve("inputs").resolve(name.substring(0, sep) + ".txt");
        return new Case(input, dir.resolve("expected").resolve(name + ".txt"), name.substring(sep + 2));
    }

    private record Case(Path input, Path expected, String opts) {
        List<String> args() {
            List<String> a = new ArrayList<>();
            a.add("collapse");
            if (!opts.equals("default")) {
                for (String f : opts.split("\\+")) {
                    a.add("--" + f);
                }
            }
            return a;
        }

        void check(List<String> args, InputStream stdin) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = FlameCli.run(args.toArray(new String[0]), stdin, out, err);
            String stderr = err.toString(StandardCharsets.UTF_8);
            boolean empty = Files.size(input) == 0;
            assertThat(code).as("exit code; stderr: %s", stderr).isEqualTo(empty ? ExitCodes.BAD_INPUT : ExitCodes.OK);
            assertThat(stderr).doesNotContain("\tat ");
            byte[] want = Files.readAllBytes(expected);
            if (!java.util.Arrays.equals(out.toByteArray(), want)) {
                // show the difference as text (raw bytes one char each) for a readable failure
                assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(new String(want, StandardCharsets.ISO_8859_1));
            }
        }
    }

    /** Hands out one byte per read call, as a slow pipe might. */
    static final class OneByteAtATime extends InputStream {
        private final byte[] data;
        private int pos;

        OneByteAtATime(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= data.length) {
                return -1;
            }
            b[off] = data[pos++];
            return 1;
        }

        @Override
        public int available() {
            return 0;
        }
    }
}
