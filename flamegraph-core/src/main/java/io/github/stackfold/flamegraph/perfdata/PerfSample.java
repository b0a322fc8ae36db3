package io.github.stackfold.flamegraph.perfdata;

/**
 * One {@code PERF_RECORD_SAMPLE}, as the reader decoded it; the reader reuses one instance, so a
 * handler copies what it keeps. Fields the event's {@code sample_type} does not include are 0 (-1 for
 * {@link #cpu}).
 *
 * <pre>
 * sample_type bit   field
 *  0  IP            u64 ip
 *  1  TID           u32 pid, u32 tid
 *  2  TIME          u64 time (ns)
 *  5  CALLCHAIN     u64 nr, u64 ips[nr]: leaf first, with context markers such as
 *                   PERF_CONTEXT_KERNEL (-128) and PERF_CONTEXT_USER (-512) before each part
 *  6  ID            u64 id (which event, when there are several)
 *  7  CPU           u32 cpu, u32 reserved
 *  8  PERIOD        u64 period (the sample's weight)
 * 10  RAW           u32 size, data (skipped)
 * 11  BRANCH_STACK  u64 nr, [u64 hw_idx], {from, to, flags} * nr (skipped)
 * 12  REGS_USER     u64 abi, u64 regs[bits of sample_regs_user] when abi != 0
 * 16  IDENTIFIER    u64 id, first of all fields
 * </pre>
 */
public final class PerfSample {
    /** Callchain entries at or above this (as unsigned) are context markers, not addresses. */
    public static final long CONTEXT_MAX = -4095L;
    public static final long CONTEXT_HV = -32L;
    public static final long CONTEXT_KERNEL = -128L;
    public static final long CONTEXT_USER = -512L;
    public static final long CONTEXT_GUEST = -2048L;
    public static final long CONTEXT_GUEST_KERNEL = -2176L;
    public static final long CONTEXT_GUEST_USER = -2560L;

    /** {@code misc & 7} of a record: where the sampled instruction ran. */
    public static final int CPUMODE_KERNEL = 1;
    public static final int CPUMODE_USER = 2;

    EventAttr attr;
    int cpumode;
    long ip;
    int pid;
    int tid;
    long time;
    long id;
    int cpu = -1;
    long period;
    long[] callchain = new long[128];
    int callchainLength;
    boolean hasCallchain;
    long userRegsAbi;
    long[] userRegs = new long[4];

    /** The event this sample belongs to. */
    public EventAttr attr() {
        return attr;
    }

    /** {@code misc & 7}: 1 kernel, 2 user, 3 hypervisor, 4 guest kernel, 5 guest user. */
    public int cpumode() {
        return cpumode;
    }

    public long ip() {
        return ip;
    }

    public int pid() {
        return pid;
    }

    public int tid() {
        return tid;
    }

    public long time() {
        return time;
    }

    public long id() {
        return id;
    }

    public int cpu() {
        return cpu;
    }

    public long period() {
        return period;
    }

    /** Whether the sample has a callchain ({@code PERF_SAMPLE_CALLCHAIN}). */
    public boolean hasCallchain() {
        return hasCallchain;
    }

    public int callchainLength() {
        return callchainLength;
    }

    /** Copies the callchain (markers included) into {@code to} from {@code at}. */
    void copyCallchain(long[] to, int at) {
        System.arraycopy(callchain, 0, to, at, callchainLength);
    }

    /** Entry {@code i} of the callchain (0 is the leaf side); markers included. */
    public long callchain(int i) {
        return callchain[i];
    }

    /**
     * The user-space register with perf's number {@code reg} (e.g. 30, the link register on arm64), when
     * the sample has it ({@code PERF_SAMPLE_REGS_USER} with that bit in {@code sample_regs_user}).
     */
    public java.util.OptionalLong userRegister(int reg) {
        long mask = attr.sampleRegsUser();
        if (userRegsAbi == 0 || reg < 0 || reg > 63 || (mask & (1L << reg)) == 0) {
            return java.util.OptionalLong.empty();
        }
        return java.util.OptionalLong.of(userRegs[Long.bitCount(mask & ((1L << reg) - 1))]);
    }

    /** Whether a callchain entry is a context marker. */
    public static boolean isContext(long entry) {
        return Long.compareUnsigned(entry, CONTEXT_MAX) >= 0;
    }
}
