package io.github.stackfold.flamegraph.perfdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.stackfold.testing.Shared;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * The lab's arm64 recording ({@code ../shared/real/lab-recordings/vkamlov-arm64.perf.data}: aarch64,
 * kernel 6.14, a 136-byte perf_event_attr that perf 6.1 refuses) read by {@link PerfDataReader}.
 */
class PerfDataReaderArm64Test {
    static Path arm64() {
        Path p = Shared.path("real/lab-recordings/vkamlov-arm64.perf.data");
        Shared.requireThat(Files.isRegularFile(p), "no " + p + " (the shared lab recordings)");
        return p;
    }

    @Test
    void readsSamplesPeriodsCommAndBuildIds() throws Exception {
        long[] count = new long[2];
        Map<Integer, String> comms = new HashMap<>();
        Set<String> sampledComms = new TreeSet<>();
        PerfDataInfo info = PerfDataReader.read(arm64(), new PerfDataHandler() {
            @Override
            public void comm(int pid, int tid, String comm, boolean exec, long time) {
                comms.put(tid, comm);
            }

            @Override
            public void sample(PerfSample s) {
                count[0]++;
                count[1] += s.period();
                sampledComms.add(comms.getOrDefault(s.tid(), ":" + s.tid()));
                assertTrue(s.hasCallchain());
            }
        });
        assertEquals(157, count[0]);
        assertEquals(373_058_756L, count[1]);
        assertEquals(157, info.samples());
        assertEquals(Set.of("kube-apiserver"), sampledComms);
        assertEquals("aarch64", info.arch());
        assertFalse(info.pipe());
        assertEquals(-1, info.truncatedAt());
        assertEquals("cycles", info.events().get(0).name().replaceAll(":.*", ""), info.events().toString());
        assertTrue(info.buildIds().contains(new BuildId(info.buildIds().stream()
                .filter(b -> b.path().equals("/usr/local/bin/kube-apiserver")).findFirst().orElseThrow().pid(), false,
                "872aa86e7c565b491c7d65f70db2172ba9e8e32a", "/usr/local/bin/kube-apiserver")), info.buildIds().toString());
        System.out.println(info);
    }
}
