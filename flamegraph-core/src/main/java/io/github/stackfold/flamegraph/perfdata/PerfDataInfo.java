package io.github.stackfold.flamegraph.perfdata;

import java.util.List;

/**
 * What a recording says about itself in its header and feature sections: where it was made (host name,
 * kernel release, architecture, CPUs), by which perf and command line, its events and its build-id
 * table. Fields a file does not have are {@code null} (strings) or -1 (numbers).
 *
 * <pre>
 * hostname : vm                      (HEADER_HOSTNAME, feature 3)
 * os release : 6.18.44-fc-v1294      (HEADER_OSRELEASE, 4)
 * perf version : 6.1.192             (HEADER_VERSION, 5)
 * arch : x86_64                      (HEADER_ARCH, 6)
 * nrcpus online : 2                  (HEADER_NRCPUS, 7)
 * cmdline : /usr/bin/perf record -g  (HEADER_CMDLINE, 11)
 * </pre>
 *
 * @param pipe whether the file was written in pipe mode ({@code perf record -o -})
 * @param bigEndian whether the recording machine was big-endian (from the magic)
 * @param truncatedAt the byte offset of a last record cut short (a recording whose perf was killed),
 *     or -1; the records before it were read
 * @param compressed whether the records were compressed ({@code perf record -z})
 * @param cutReason why the recording is incomplete ({@code perf.data has no end header}: perf was
 *     killed before it finished the file), or null for a whole one
 * @param readTo the byte offset after the last complete record read
 */
public record PerfDataInfo(boolean pipe, boolean bigEndian, String hostname, String osRelease, String perfVersion,
        String arch, int cpusOnline, int cpusAvailable, List<String> cmdline, List<EventAttr> events,
        List<BuildId> buildIds, long samples, long truncatedAt, boolean compressed, String cutReason, long readTo) {

    /** Whether perf did not finish the recording (it was killed): what it wrote was read. */
    public boolean cut() {
        return cutReason != null;
    }

    /**
     * {@code the recording was cut: perf.data has no end header; read 311 samples up to byte 80136}, or
     * null for a whole recording.
     */
    public String cutMessage() {
        if (cutReason == null) {
            return null;
        }
        return "the recording was cut: " + cutReason + "; read " + samples + (samples == 1 ? " sample" : " samples")
                + " up to byte " + readTo;
    }
}
