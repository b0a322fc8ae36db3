package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollapseCommandTest {
    private static final String SAMPLE = "java 4711 [001] 10.000001: 1000 cpu-clock:\n"
            + "\t    7f1 Lcom/acme/Server;::handle+0x10 (/tmp/perf-4711.map)\n"
            + "\t    8f2 start_thread+0x305 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n\n";

    private record Result(int code, String out, String err) {
    }

    private static Result run(InputStream stdin, String... args) {
        return run(stdin, new ByteArrayOutputStream(), args);
    }

    private static Result run(InputStream stdin, OutputStream out, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(args, stdin, out, err);
        String o = out instanceof ByteArrayOutputStream ? ((ByteArrayOutputStream) out).toString(StandardCharsets.ISO_8859_1) : "";
        return new Result(code, o, err.toString(StandardCharsets.UTF_8));
    }

    private static InputStream none() {
        return new ByteArrayInputStream(new byte[0]);
    }

    @Test
    void notPerfScriptInputIsAOneLineErrorNamingTheFileWithExitCode2AndNoOutput(@TempDir Path dir) throws IOException {
        Path bin = dir.resolve("perf.data");
        Files.write(bin, new byte[] {'P', 'E', 'R', 'F', 'I', 'L', 'E', '2', 0, 0, 1});
        Path json = dir.resolve("trace.json");
        Files.writeString(json, "{\"traceEvents\": []}\n");
        Path empty = dir.resolve("empty.txt");
        Files.write(empty, new byte[0]);
        for (Path p : new Path[] {bin, json, empty}) {
            Result r = run(none(), "collapse", p.toString());
            assertThat(r.code).as(p.toString()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.out).isEmpty();
            assertThat(r.err).startsWith("flame: " + p + ": ").doesNotContain("\tat ");
            assertThat(r.err.strip().lines()).hasSize(1);
        }
    }

    @Test
    void badLinesAreCountedTheFirstFiveShownWithFileAndLineAndTheRestProcessed(@TempDir Path dir) throws IOException {
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            in.append(SAMPLE.replace("\n\n", "\n  junk line " + i + "\n\n"));
        }
        Path f = dir.resolve("perf.txt");
        Files.writeString(f, in.toString());
        Result r = run(none(), "collapse", f.toString());
        assertThat(r.code).isEqualTo(ExitCodes.OK);
        assertThat(r.out).isEqualTo("java;start_thread;com/acme/Server:::handle 8000\n");
        assertThat(r.err.lines().filter(l -> l.contains("unrecognized line '"))).hasSize(5);
        assertThat(r.err).contains("flame: warning: " + f + ":4: unrecognized line 'junk line 0'")
                .contains(f + ":9: unrecognized line 'junk line 1'")
                .contains("flame: warning: 8 unrecognized lines skipped (first 5 shown)");
    }

    @Test
    void mergesFilesAndStandardInputAndReadsCompressedFiles(@TempDir Path dir) throws IOException {
        Path gz = dir.resolve("one.perf");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(SAMPLE.getBytes(StandardCharsets.US_ASCII));
        }
        Result r = run(new ByteArrayInputStream(SAMPLE.getBytes(StandardCharsets.US_ASCII)), "collapse", "--jit", gz.toString(), "-");
        assertThat(r.code).as(r.err).isEqualTo(ExitCodes.OK);
        assertThat(r.out).isEqualTo("java;start_thread;com/acme/Server:::handle_[j] 2000\n");
    }

    @Test
    void writesToTheOutputFileWithDashO(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out.folded");
        Result r = run(new ByteArrayInputStream(SAMPLE.getBytes(StandardCharsets.US_ASCII)), "collapse", "--pid", "-o", out.toString());
        assertThat(r.code).isEqualTo(ExitCodes.OK);
        assertThat(r.out).isEmpty();
        assertThat(Files.readString(out)).isEqualTo("java-?;start_thread;com/acme/Server:::handle 1000\n");
    }

    @Test
    void writesThroughANamedPipeOrASymbolicLinkWithoutReplacingIt(@TempDir Path dir) throws Exception {
        // the same path as -o /dev/null: a file that is not a regular one stays what it is
        Path fifo = dir.resolve("pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        java.util.concurrent.CompletableFuture<String> read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readString(fifo, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                return "failed: " + e;
            }
        });
        Result r = run(new ByteArrayInputStream(SAMPLE.getBytes(StandardCharsets.US_ASCII)), "collapse", "-o", fifo.toString());
        assertThat(r.code).as(r.err).isEqualTo(ExitCodes.OK);
        assertThat(read.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("java;start_thread;com/acme/Server:::handle 1000\n");
        assertThat(Files.isRegularFile(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();

        Path target = Files.writeString(dir.resolve("target.folded"), "old contents, longer than the new ones and more\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.folded"), target.getFileName());
        r = run(new ByteArrayInputStream(SAMPLE.getBytes(StandardCharsets.US_ASCII)), "collapse", "-o", link.toString());
        assertThat(r.code).as(r.err).isEqualTo(ExitCodes.OK);
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(target)).isEqualTo("java;start_thread;com/acme/Server:::handle 1000\n");
        try (java.util.stream.Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("pipe", "target.folded", "link.folded");
        }
    }

    @Test
    void warnsWhichEventsTheDefaultFilterDropped() {
        String in = SAMPLE + SAMPLE.replace("cpu-clock", "page-faults");
        Result r = run(new ByteArrayInputStream(in.getBytes(StandardCharsets.US_ASCII)), "collapse");
        assertThat(r.out).isEqualTo("java;start_thread;com/acme/Server:::handle 1000\n");
        assertThat(r.err).contains("kept only samples of event 'cpu-clock'").contains("page-faults (1)");
        Result chosen = run(new ByteArrayInputStream(in.getBytes(StandardCharsets.US_ASCII)), "collapse",
                "--event-filter=page-faults");
        assertThat(chosen.out).isEqualTo("java;start_thread;com/acme/Server:::handle 1000\n");
        assertThat(chosen.err).contains("dropped 1 of other events: cpu-clock (1)");
    }

    @Test
    void aBrokenPipeOnStandardOutputEndsQuietly() {
        OutputStream closedPipe = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        Result r = run(new ByteArrayInputStream(SAMPLE.getBytes(StandardCharsets.US_ASCII)), closedPipe, "collapse");
        assertThat(r.code).isEqualTo(ExitCodes.OK);
        assertThat(r.err).isEmpty();
    }

    @Test
    void aMissingFileIsAnIoErrorOnOneLine() {
        Result r = run(none(), "collapse", "/no/such/perf.txt");
        assertThat(r.code).isEqualTo(ExitCodes.IO_ERROR);
        assertThat(r.err.strip()).isEqualTo("flame: /no/such/perf.txt: no such file");
    }

    @Test
    void zeroThreadsIsAUsageError() {
        Result r = run(none(), "collapse", "--threads", "0");
        assertThat(r.code).isEqualTo(ExitCodes.USAGE);
        assertThat(r.out).isEmpty();
    }
}
