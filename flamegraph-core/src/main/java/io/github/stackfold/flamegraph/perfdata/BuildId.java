package io.github.stackfold.flamegraph.perfdata;

/**
 * One entry of a recording's build-id table (feature {@code HEADER_BUILD_ID}, or a {@code MMAP2} record
 * that carries one): which file had which GNU build-id when it was recorded, e.g.
 * {@code /usr/local/bin/kube-apiserver 872aa86e7c565b491c7d65f70db2172ba9e8e32a}.
 *
 * @param pid     the process, or -1 for the kernel and its modules
 * @param kernel  whether the entry is for kernel space ({@code [kernel.kallsyms]}, a module)
 * @param buildId lower-case hex
 * @param path    the file as perf named it
 */
public record BuildId(int pid, boolean kernel, String buildId, String path) {
    static String hex(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len * 2);
        for (int i = 0; i < len; i++) {
            sb.append(Character.forDigit((b[off + i] >> 4) & 15, 16)).append(Character.forDigit(b[off + i] & 15, 16));
        }
        return sb.toString();
    }
}
