package io.github.stackfold.flamegraph.assertions;

import io.github.stackfold.flamegraph.analyze.Report;

import org.assertj.core.api.AbstractAssert;

/** Assertions on a {@link Report}. */
public final class ReportAssert extends AbstractAssert<ReportAssert, Report> {
    ReportAssert(Report actual) {
        super(actual, ReportAssert.class);
    }

    /** Assertions on a category; fails when the report's rules have no category of that name. */
    public CategoryAssert category(String name) {
        isNotNull();
        Report.CategoryShare c = actual.category(name).orElse(null);
        if (c == null) {
            failWithMessage("Expected rules %s to have a category named <%s> but they have %s", actual.rules(),
                    name, actual.categories().stream().map(Report.CategoryShare::name).toList());
        }
        return new CategoryAssert(c, actual);
    }

    /** Assertions on a function's shares, by its full name (0 when the profile does not hold it: see {@link FunctionAssert#isInProfile()}). */
    public FunctionAssert function(String name) {
        isNotNull();
        return new FunctionAssert(name, actual);
    }
}
