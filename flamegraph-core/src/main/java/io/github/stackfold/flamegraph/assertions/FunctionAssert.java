package io.github.stackfold.flamegraph.assertions;

import io.github.stackfold.flamegraph.analyze.Report;

import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractDoubleAssert;

/**
 * Assertions on one function's shares of a profile, by its full name as the profile spells it
 * ({@code net/http.HandlerFunc.ServeHTTP}, not the short {@code http.HandlerFunc.ServeHTTP} of the text
 * report). A function the profile does not hold has shares of 0: {@link #isInProfile()} guards against
 * a misspelt name. The shares are fractions of 1; a failure states the share in percent with its 95 %
 * margin and the number of samples it comes from.
 */
public final class FunctionAssert extends AbstractAssert<FunctionAssert, String> {
    private final Report report;

    FunctionAssert(String name, Report report) {
        super(name, FunctionAssert.class);
        this.report = report;
    }

    /** Fails unless some stack of the profile holds this function; the failure names similar functions. */
    public FunctionAssert isInProfile() {
        if (!report.functions().contains(actual)) {
            failWithMessage("Expected the profile to hold function <%s> but no stack of its %d samples does%s", actual,
                    report.samples(), Shares.similar(report, actual));
        }
        return myself;
    }

    /** The share of samples whose leaf is this function. */
    public AbstractDoubleAssert<?> selfShare() {
        return Shares.of(report, "self share of " + actual + absent(), report.selfShare(actual));
    }

    /** The share of samples with this function on the stack. */
    public AbstractDoubleAssert<?> inclusiveShare() {
        return Shares.of(report, "inclusive share of " + actual + absent(), report.inclusiveShare(actual));
    }

    private String absent() {
        return report.functions().contains(actual) ? "" : " (not in the profile" + Shares.similar(report, actual) + ")";
    }
}
