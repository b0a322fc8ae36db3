package io.github.stackfold.flamegraph.assertions;

import io.github.stackfold.flamegraph.analyze.Report;

import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractDoubleAssert;
import org.assertj.core.api.Assertions;

/** Assertions on one category's shares of a profile. */
public final class CategoryAssert extends AbstractAssert<CategoryAssert, Report.CategoryShare> {
    CategoryAssert(Report.CategoryShare actual) {
        super(actual, CategoryAssert.class);
    }

    /** The share of samples with this category anywhere on the (counting part of the) stack. */
    public AbstractDoubleAssert<?> inclusiveShare() {
        return Assertions.assertThat(actual.inclusive()).as("inclusive share of category %s", actual.name());
    }

    /** The share of samples whose leaf-most classified frame is of this category. */
    public AbstractDoubleAssert<?> exclusiveShare() {
        return Assertions.assertThat(actual.exclusive()).as("exclusive share of category %s", actual.name());
    }
}
