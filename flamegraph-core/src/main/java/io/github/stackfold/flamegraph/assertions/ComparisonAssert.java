package io.github.stackfold.flamegraph.assertions;

import io.github.stackfold.flamegraph.analyze.Comparison;

import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractDoubleAssert;
import org.assertj.core.api.Assertions;

/** Assertions on a {@link Comparison} of two profiles: how shares changed from before to after. */
public final class ComparisonAssert extends AbstractAssert<ComparisonAssert, Comparison> {
    ComparisonAssert(Comparison actual) {
        super(actual, ComparisonAssert.class);
    }

    /** Assertions on how a function's shares changed. */
    public FunctionChangeAssert function(String name) {
        isNotNull();
        return new FunctionChangeAssert(actual.function(name));
    }

    /** Assertions on how a category's shares changed; fails when there is no such category. */
    public CategoryChangeAssert category(String name) {
        isNotNull();
        Comparison.CategoryChange c = actual.category(name).orElse(null);
        if (c == null) {
            failWithMessage("Expected a category named <%s> but there are %s", name,
                    actual.categories().stream().map(Comparison.CategoryChange::name).toList());
        }
        return new CategoryChangeAssert(c);
    }

    /** A function's change in inclusive share. */
    public static final class FunctionChangeAssert extends AbstractAssert<FunctionChangeAssert, Comparison.FunctionChange> {
        FunctionChangeAssert(Comparison.FunctionChange actual) {
            super(actual, FunctionChangeAssert.class);
        }

        /** Fails unless the inclusive share grew by at least {@code delta} (0.05: five percentage points). */
        public FunctionChangeAssert grewBy(double delta) {
            if (!(actual.inclusiveDelta() >= delta)) {
                failWithMessage("Expected the inclusive share of <%s> to grow by at least %s but it went from %s to %s (%+f)",
                        actual.name(), delta, actual.inclusiveBefore(), actual.inclusiveAfter(), actual.inclusiveDelta());
            }
            return this;
        }

        /** Fails unless the self share grew by at least {@code delta}. */
        public FunctionChangeAssert selfGrewBy(double delta) {
            if (!(actual.selfDelta() >= delta)) {
                failWithMessage("Expected the self share of <%s> to grow by at least %s but it went from %s to %s (%+f)",
                        actual.name(), delta, actual.selfBefore(), actual.selfAfter(), actual.selfDelta());
            }
            return this;
        }

        /** Fails if the inclusive share grew by {@code delta} or more (a regression guard). */
        public FunctionChangeAssert didNotGrowBy(double delta) {
            if (actual.inclusiveDelta() >= delta) {
                failWithMessage("Expected the inclusive share of <%s> to grow by less than %s but it went from %s to %s (%+f)",
                        actual.name(), delta, actual.inclusiveBefore(), actual.inclusiveAfter(), actual.inclusiveDelta());
            }
            return this;
        }

        /** The change in inclusive share (after minus before). */
        public AbstractDoubleAssert<?> inclusiveDelta() {
            return Assertions.assertThat(actual.inclusiveDelta()).as("change of the inclusive share of %s", actual.name());
        }

        /** The change in self share (after minus before). */
        public AbstractDoubleAssert<?> selfDelta() {
            return Assertions.assertThat(actual.selfDelta()).as("change of the self share of %s", actual.name());
        }
    }

    /** A category's change in shares. */
    public static final class CategoryChangeAssert extends AbstractAssert<CategoryChangeAssert, Comparison.CategoryChange> {
        CategoryChangeAssert(Comparison.CategoryChange actual) {
            super(actual, CategoryChangeAssert.class);
        }

        /** Fails unless the inclusive share grew by at least {@code delta}. */
        public CategoryChangeAssert grewBy(double delta) {
            if (!(actual.inclusiveDelta() >= delta)) {
                failWithMessage("Expected the inclusive share of category <%s> to grow by at least %s but it went from %s to %s",
                        actual.name(), delta, actual.inclusiveBefore(), actual.inclusiveAfter());
            }
            return this;
        }

        /** Fails if the inclusive share grew by {@code delta} or more. */
        public CategoryChangeAssert didNotGrowBy(double delta) {
            if (actual.inclusiveDelta() >= delta) {
                failWithMessage("Expected the inclusive share of category <%s> to grow by less than %s but it went from %s to %s",
                        actual.name(), delta, actual.inclusiveBefore(), actual.inclusiveAfter());
            }
            return this;
        }

        public AbstractDoubleAssert<?> inclusiveDelta() {
            return Assertions.assertThat(actual.inclusiveDelta()).as("change of the inclusive share of %s", actual.name());
        }

        public AbstractDoubleAssert<?> exclusiveDelta() {
            return Assertions.assertThat(actual.exclusiveDelta()).as("change of the exclusive share of %s", actual.name());
        }
    }
}
