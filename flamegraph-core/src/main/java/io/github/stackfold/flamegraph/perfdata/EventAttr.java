package io.github.stackfold.flamegraph.perfdata;

/**
 * One event of a recording: the fields of the kernel's {@code perf_event_attr} that reading needs, the
 * event's name (from the {@code EVENT_DESC} feature, or made from type and config when the file has
 * none) and the sample ids the kernel gave it. Attributes of any size are read: fields a newer perf
 * added after {@code sample_regs_intr} are ignored, fields an older perf did not write are 0.
 *
 * <pre>
 * offset  field (perf_event_attr, linux/perf_event.h)
 *   0     u32 type        (0 hardware, 1 software, 2 tracepoint, ...)
 *   4     u32 size        (64 in the first ABI, 128 in perf 6.1, 136 with config3)
 *   8     u64 config      (e.g. 0 = cpu-clock for software)
 *  16     u64 sample_period / sample_freq
 *  24     u64 sample_type (PERF_SAMPLE_* bits, see {@link PerfSample})
 *  32     u64 read_format
 *  40     u64 flags       (bit 10 freq, bit 18 sample_id_all, ...)
 * </pre>
 */
public record EventAttr(int index, int type, long config, long samplePeriod, long sampleType, long readFormat,
        long flags, long branchSampleType, long sampleRegsUser, long sampleRegsIntr, String name, long[] ids) {

    /** Whether non-sample records end with the sample id fields ({@code sample_id_all}). */
    public boolean sampleIdAll() {
        return (flags & (1L << 18)) != 0;
    }

    /** Whether {@link #samplePeriod} is a frequency. */
    public boolean freq() {
        return (flags & (1L << 10)) != 0;
    }

    /** This attribute with another name. */
    EventAttr withName(String n) {
        return new EventAttr(index, type, config, samplePeriod, sampleType, readFormat, flags, branchSampleType,
                sampleRegsUser, sampleRegsIntr, n, ids);
    }

    /** This attribute with other ids. */
    EventAttr withIds(long[] i) {
        return new EventAttr(index, type, config, samplePeriod, sampleType, readFormat, flags, branchSampleType,
                sampleRegsUser, sampleRegsIntr, name, i);
    }

    /** perf's name for a hardware or software event without an {@code EVENT_DESC}. */
    static String defaultName(int type, long config) {
        String[] hw = {"cycles", "instructions", "cache-references", "cache-misses", "branches", "branch-misses",
            "bus-cycles", "stalled-cycles-frontend", "stalled-cycles-backend", "ref-cycles"};
        String[] sw = {"cpu-clock", "task-clock", "page-faults", "context-switches", "cpu-migrations",
            "minor-faults", "major-faults", "alignment-faults", "emulation-faults", "dummy", "bpf-output",
            "cgroup-switches"};
        if (type == 0 && config >= 0 && config < hw.length) {
            return hw[(int) config];
        }
        if (type == 1 && config >= 0 && config < sw.length) {
            return sw[(int) config];
        }
        return "type" + type + "/config" + Long.toHexString(config);
    }
}
