package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Out of memory and a full disk, with the real thing: a JVM of its own with a tiny heap, a 64 KiB
 * tmpfs (mounted here; needs root and mount, else the test says why it skips) and /dev/full.
 */
class ResourceFaultsTest {
    @TempDir
    Path tmp;
    private Path mount;
    private boolean mounted;

    @BeforeEach
    void smallDisk() throws Exception {
        mount = Files.createDirectory(tmp.resolve("small"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        mounted = p.waitFor() == 0;
        if (!mounted) {
            System.out.println("ResourceFaultsTest: no 64k tmpfs (" + out.strip() + "); full-disk tests skip");
        }
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
        }
    }

    /** Distinct random stacks: some 100 bytes a line. */
    private Path distinct(int lines) throws Exception {
        Random r = new Random(7);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            int depth = 5 + r.nextInt(20);
            for (int j = 0; j < depth; j++) {
                sb.append(j == 0 ? "" : ";").append('f').append(j).append('_').append(r.nextInt(30));
            }
            sb.append(' ').append(1 + r.nextInt(9)).append('\n');
        }
        Path f = tmp.resolve("distinct-" + lines + ".folded");
        Files.writeString(f, sb, StandardCharsets.ISO_8859_1);
        return f;
    }

    private static List<String> leftovers(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void aFullDiskNamesTheFileAndLeavesNoTruncatedSvg() throws Exception {
        assumeTrue(mounted, "no tmpfs");
        Path in = distinct(3000);
        Path svg = mount.resolve("flame.svg");
        SvgChecks.Run r = SvgChecks.flame("flamegraph", in.toString(), "--output", svg.toString());
        assertThat(r.code).isEqualTo(ExitCodes.IO_ERROR);
        assertThat(r.err.strip()).doesNotContain("\n")
                .contains("cannot write " + svg).contains("No space left on device").doesNotContain(".tmp");
        assertThat(leftovers(mount)).as("no flame.svg, no temporary file").isEmpty();
    }

    @Test
    void aFullDiskKeepsTheOlderResultWhole() throws Exception {
        assumeTrue(mounted, "no tmpfs");
        Path out = mount.resolve("out.folded");
        Files.writeString(out, "old;stack 1\n");
        Path in = distinct(3000);
        SvgChecks.Run r = SvgChecks.flame("diff", in.toString(), in.toString(), "-o", out.toString());
        assertThat(r.code).isEqualTo(ExitCodes.IO_ERROR);
        assertThat(r.err).contains("cannot write " + out).contains("No space left on device");
        assertThat(Files.readString(out)).isEqualTo("old;stack 1\n");
        assertThat(leftovers(mount)).containsExactly("out.folded");
    }

    @Test
    void aFullStandardOutputIsNamedStandardOutput() throws Exception {
        Path devFull = Path.of("/dev/full");
        assumeTrue(Files.isWritable(devFull), "no /dev/full");
        Path in = distinct(3000);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (OutputStream full = new FileOutputStream(devFull.toFile())) {
            code = FlameCli.run(new String[] {"analyze", "--json", in.toString()}, new ByteArrayInputStream(new byte[0]),
                    full, err);
        }
        String e = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(ExitCodes.IO_ERROR);
        assertThat(e.strip()).doesNotContain("\n").contains("cannot write standard output").contains("No space left");
    }

    private static String[] java(String heap, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), FlameCli.class.getName()));
        cmd.addAll(List.of(args));
        return cmd.toArray(new String[0]);
    }

    private static String[] run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new String[] {String.valueOf(p.exitValue()), err};
    }

    @Test
    void outOfMemoryWhileReadingSaysWhichInputHowFarAndHowToGiveMore() throws Exception {
        Path in = distinct(200_000); // ~20 MB of distinct stacks: more than a 16 MB heap holds
        for (String command : new String[] {"flamegraph", "analyze", "collapse"}) {
            String[] r = run(java("-Xmx16m", command, in.toString()));
            assertThat(r[1]).as(command).doesNotContain("\tat ").doesNotContain("Exception in thread");
            assertThat(r[1].strip()).as(command).doesNotContain("\n")
                    .startsWith("flame: out of memory").contains("FLAME_JAVA_OPTS=-Xmx");
            assertThat(Integer.parseInt(r[0])).as(command + ": " + r[1]).isEqualTo(ExitCodes.OUT_OF_MEMORY);
            if (!command.equals("collapse")) {
                assertThat(r[1]).as(command).contains("reading " + in).containsPattern("after [0-9,]+ lines \\([0-9,]+ distinct stacks\\)");
            }
        }
    }
}
