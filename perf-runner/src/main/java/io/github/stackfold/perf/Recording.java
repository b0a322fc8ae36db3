package io.github.stackfold.perf;

import io.github.stackfold.flamegraph.folded.FoldedProfile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of one {@link PerfRecorder#record} call.
 *
 * @param process       the recorded process
 * @param name          the name used for output files ({@code NAME.folded})
 * @param profile       the folded stacks of every sample, one count per sample; its
 *                      {@link FoldedProfile#meta()} holds the sample count, the event, the CPU time
 *                      (the sum of cpu-clock periods) and the duration perf sampled
 * @param samples       the number of samples perf record reported writing; when it did not say (it
 *                      streamed into perf script: {@link RecordOptions#stream()}), the number perf
 *                      script printed and the collapser counted; -1 when neither is known
 * @param recorded      how long perf sampled
 * @param interrupted   true when {@link PerfRecorder#stop()} ended the recording early
 * @param targetExited  true when the process exited during the recording (the profile holds what
 *                      was recorded until then)
 * @param keptFiles     perf.data and the perf script text copied next to the results ({@code --keep}),
 *                      otherwise empty
 * @param cutBySignal   the signal that killed perf record before it could end the recording (9 for a
 *                      SIGKILL), or 0: the profile then holds what perf wrote until it died
 */
public record Recording(FoundProcess process, String name, FoldedProfile profile, long samples, Duration recorded,
        boolean interrupted, boolean targetExited, List<Path> keptFiles, int cutBySignal) {
    public Recording {
        keptFiles = List.copyOf(keptFiles);
    }

    /** A recording that perf record ended (not cut by a signal). */
    public Recording(FoundProcess process, String name, FoldedProfile profile, long samples, Duration recorded,
            boolean interrupted, boolean targetExited, List<Path> keptFiles) {
        this(process, name, profile, samples, recorded, interrupted, targetExited, keptFiles, 0);
    }

    /** "perf record died by signal 9 (SIGKILL)", or empty when it was not cut. */
    public String cutMessage() {
        return cutBySignal <= 0 ? "" : "perf record died by signal " + cutBySignal + " ("
                + PerfRecorder.signalName(cutBySignal) + ")";
    }
}
