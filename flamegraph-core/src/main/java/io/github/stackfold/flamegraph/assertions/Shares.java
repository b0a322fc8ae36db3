package io.github.stackfold.flamegraph.assertions;

import io.github.stackfold.flamegraph.analyze.Comparison;
import io.github.stackfold.flamegraph.analyze.Margins;
import io.github.stackfold.flamegraph.analyze.Report;

import java.util.List;
import java.util.Locale;

import org.assertj.core.api.AbstractDoubleAssert;
import org.assertj.core.api.Assertions;

/** How the assertions describe shares in their failures: percent, 95 % margin, sample count. */
final class Shares {
    private Shares() {
    }

    /**
     * An assertion on a share (a fraction of 1) described as
     * {@code inclusive share of category authentication = 4.5% ±3.0 pp, 95 % margin (199 samples; as a fraction of 1: 0.045226)}.
     */
    static AbstractDoubleAssert<?> of(Report report, String what, double share) {
        return Assertions.assertThat(share).as("%s = %s (%d samples; as a fraction of 1: %s)", what,
                percent(share, report.margin(share)), report.samples(), fraction(share));
    }

    /** {@code 4.5% ±3.0 pp, 95 % margin}, or {@code 4.5%} when the margin is unknown (NaN). */
    static String percent(double share, double margin) {
        String p = String.format(Locale.ROOT, "%.1f%%", share * 100);
        return Double.isNaN(margin) ? p : p + String.format(Locale.ROOT, " \u00b1%.1f pp, 95 %% margin", margin * 100);
    }

    /** {@code 0.045226}: a fraction of 1 as the assertion's actual value shows it, to 6 places. */
    static String fraction(double share) {
        return String.format(Locale.ROOT, "%.6f", share);
    }

    /** A change of share in percentage points: {@code 2.0 pp} ({@code 0.02}). */
    static String points(double delta) {
        return String.format(Locale.ROOT, "%.1f pp (%s)", delta * 100, fraction(delta));
    }

    /**
     * A change with both shares and their margins: {@code 26.7% ±6.6 pp, 95 % margin (172 samples) -> 27.6% ±6.2
     * pp, 95 % margin (199 samples): +0.9pp ±9.1 ~ (~: inside the noise)}.
     */
    static String change(Comparison.ShareChange s) {
        return String.format(Locale.ROOT, "%s (%d samples) -> %s (%d samples): %s%s",
                percent(s.before(), Margins.share(s.before(), s.samplesBefore())), s.samplesBefore(),
                percent(s.after(), Margins.share(s.after(), s.samplesAfter())), s.samplesAfter(), s.changeText(),
                s.inNoise() ? " (~: inside the noise)" : "");
    }

    /** "; similar: a, b" naming up to 3 functions of the report whose name ends with or holds {@code name}, or "". */
    static String similar(Report report, String name) {
        List<String> near = report.functions().stream().filter(f -> f.contains(name)).sorted().limit(3).toList();
        if (near.isEmpty()) {
            String tail = name.substring(name.lastIndexOf('.', name.length() - 2) + 1);
            near = report.functions().stream().filter(f -> !tail.isEmpty() && f.endsWith("." + tail)).sorted().limit(3)
                    .toList();
        }
        return near.isEmpty() ? "" : "; similar: " + String.join(", ", near);
    }
}
