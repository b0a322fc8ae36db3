package io.github.stackfold.flamegraph.assertions;

import io.github.stackfold.flamegraph.analyze.Report;

import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractDoubleAssert;

/**
 * Assertions on one category's shares of a profile. The shares are fractions of 1 (0.05 is 5 %); a
 * failure states the share in percent with its 95 % margin and the number of samples it comes from.
 */
public final class CategoryAssert extends AbstractAssert<CategoryAssert, Report.CategoryShare> {
    private final Report report;

    CategoryAssert(Report.CategoryShare actual, Report report) {
        super(actual, CategoryAssert.class);
        this.report = report;
    }

    /** The share of samples with this category anywhere on the (counting part of the) stack. */
    public AbstractDoubleAssert<?> inclusiveShare() {
        return Shares.of(report, "inclusive share of category " + actual.name(), actual.inclusive());
    }

    /** The share of samples whose leaf-most classified frame is of this category. */
    public AbstractDoubleAssert<?> exclusiveShare() {
        return Shares.of(report, "exclusive share of category " + actual.name(), actual.exclusive());
    }
}
