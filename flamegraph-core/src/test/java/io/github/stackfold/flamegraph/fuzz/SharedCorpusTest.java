package io.github.stackfold.flamegraph.fuzz;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fuzz targets over the real inputs of ../shared, read in place (never copied into the repo):
 * perf script recordings, folded files and the kube-apiserver pprof profiles, and the etcd binary
 * for the ELF/.gopclntab reader. Skips, saying why, where they are absent.
 */
class SharedCorpusTest {
    private static final Path SHARED = Path.of(System.getProperty("stackfold.shared", "../../shared"));
    private static final long MAX = 4 << 20;

    static List<Object[]> inputs() throws IOException {
        List<Object[]> out = new ArrayList<>();
        if (!Files.isDirectory(SHARED)) {
            System.out.println("SharedCorpusTest: no " + SHARED.toAbsolutePath() + "; the shared corpus is skipped");
            return out;
        }
        try (Stream<Path> s = Files.walk(SHARED)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String n = p.getFileName().toString();
                if (Files.size(p) > MAX) {
                    continue;
                }
                if (n.endsWith(".pb")) {
                    out.add(new Object[] {"pprof", p});
                } else if (n.endsWith(".folded") || p.toString().contains("/flamegraph/folded/")) {
                    out.add(new Object[] {"folded", p});
                } else if (p.toString().contains("/collapse-perf/inputs/")) {
                    out.add(new Object[] {"perfScript", p});
                }
            }
        }
        Path etcd = Path.of("/usr/bin/etcd");
        if (Files.isRegularFile(etcd)) {
            out.add(new Object[] {"elfGopclntab", etcd});
        } else {
            System.out.println("SharedCorpusTest: no /usr/bin/etcd; the ELF target runs on its seeds only");
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("inputs")
    void everyRealInputIsReadOrRejectedWithAMessage(String target, Path file) throws Exception {
        assumeTrue(Files.isReadable(file), "unreadable " + file);
        byte[] data = Files.readAllBytes(file);
        ReadersFuzzTest t = new ReadersFuzzTest();
        switch (target) {
            case "pprof" -> {
                t.pprof(data);
                t.pprofGzipped(data);
            }
            case "folded" -> t.folded(data);
            case "perfScript" -> t.perfScript(data);
            case "elfGopclntab" -> t.elfGopclntab(data);
            default -> throw new AssertionError(target);
        }
    }
}
