package io.github.stackfold.flamegraph.assertions;

import io.github.stackfold.flamegraph.analyze.Comparison;

import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractDoubleAssert;
import org.assertj.core.api.Assertions;

/**
 * Assertions on a {@link Comparison} of two profiles: how shares changed from before to after. Shares and
 * changes are fractions of 1 ({@code grewBy(0.02)}: two percentage points); a failure states both shares
 * in percent with their 95 % margins and sample counts, and the change with its margin.
 */
public final class ComparisonAssert extends AbstractAssert<ComparisonAssert, Comparison> {
    ComparisonAssert(Comparison actual) {
        super(actual, ComparisonAssert.class);
    }

    /** Assertions on how a function's shares changed. */
    public FunctionChangeAssert function(String name) {
        isNotNull();
        return new FunctionChangeAssert(actual.function(name), actual);
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

    /** What the assertions on a function's and on a category's change share: how the inclusive share changed. */
    abstract static class ShareChangeAssert<S extends ShareChangeAssert<S, A>, A> extends AbstractAssert<S, A> {
        private final String what;
        private final String name;
        private final Comparison.ShareChange inclusive;

        /**
         * @param what how a failure names the thing, as in "share of <i>what</i> &lt;name&gt;" ({@code "category "})
         * @param name the function's or category's name
         * @param inclusive the change of its inclusive share
         */
        ShareChangeAssert(A actual, Class<?> selfType, String what, String name, Comparison.ShareChange inclusive) {
            super(actual, selfType);
            this.what = what;
            this.name = name;
            this.inclusive = inclusive;
        }

        /** Fails unless the inclusive share grew by at least {@code delta} (0.05: five percentage points). */
        public S grewBy(double delta) {
            return grew("inclusive", inclusive, delta, true);
        }

        /** Fails if the inclusive share grew by {@code delta} or more (a regression guard). */
        public S didNotGrowBy(double delta) {
            return grew("inclusive", inclusive, delta, false);
        }

        /** The change in inclusive share (after minus before). */
        public AbstractDoubleAssert<?> inclusiveDelta() {
            return delta("inclusive", inclusive);
        }

        /**
         * Fails unless the {@code kind} share grew by at least {@code delta} ({@code atLeast}), or unless it
         * grew by less ({@code !atLeast}).
         */
        S grew(String kind, Comparison.ShareChange share, double delta, boolean atLeast) {
            if ((share.delta() >= delta) != atLeast) {
                failWithMessage("Expected the %s share of %s<%s>%s to grow by %s %s but it went from %s", kind, what, name,
                        absent(), atLeast ? "at least" : "less than", Shares.points(delta), Shares.change(share));
            }
            return myself;
        }

        /** An assertion on the change of the {@code kind} share (after minus before). */
        AbstractDoubleAssert<?> delta(String kind, Comparison.ShareChange share) {
            return Assertions.assertThat(share.delta()).as("change of the %s share of %s%s = %s; as a fraction of 1: %s",
                    kind, name, absent(), Shares.change(share), Shares.fraction(share.delta()));
        }

        /** Why a share is 0 in both profiles when the name is in neither (a misspelt name), or "". */
        String absent() {
            return "";
        }
    }

    /** A function's change in shares. */
    public static final class FunctionChangeAssert extends ShareChangeAssert<FunctionChangeAssert, Comparison.FunctionChange> {
        private final Comparison comparison;

        FunctionChangeAssert(Comparison.FunctionChange actual, Comparison comparison) {
            super(actual, FunctionChangeAssert.class, "", actual.name(), actual.inclusive());
            this.comparison = comparison;
        }

        @Override
        String absent() {
            String n = actual.name();
            if (comparison.before().functions().contains(n) || comparison.after().functions().contains(n)) {
                return "";
            }
            String similar = Shares.similar(comparison.after(), n);
            return " (in neither profile" + (similar.isEmpty() ? Shares.similar(comparison.before(), n) : similar) + ")";
        }

        /** Fails unless the self share grew by at least {@code delta}. */
        public FunctionChangeAssert selfGrewBy(double delta) {
            return grew("self", actual.self(), delta, true);
        }

        /** The change in self share (after minus before). */
        public AbstractDoubleAssert<?> selfDelta() {
            return delta("self", actual.self());
        }
    }

    /** A category's change in shares. */
    public static final class CategoryChangeAssert extends ShareChangeAssert<CategoryChangeAssert, Comparison.CategoryChange> {
        CategoryChangeAssert(Comparison.CategoryChange actual) {
            super(actual, CategoryChangeAssert.class, "category ", actual.name(), actual.inclusive());
        }

        /** The change in exclusive share (after minus before). */
        public AbstractDoubleAssert<?> exclusiveDelta() {
            return delta("exclusive", actual.exclusive());
        }
    }
}
