package io.github.stackfold.flamegraph.assertions;

import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractDoubleAssert;
import org.assertj.core.api.Assertions;

/** Assertions on one function's shares of a profile. */
public final class FunctionAssert extends AbstractAssert<FunctionAssert, String> {
    private final double self;
    private final double inclusive;

    FunctionAssert(String name, double self, double inclusive) {
        super(name, FunctionAssert.class);
        this.self = self;
        this.inclusive = inclusive;
    }

    /** The share of samples whose leaf is this function. */
    public AbstractDoubleAssert<?> selfShare() {
        return Assertions.assertThat(self).as("self share of %s", actual);
    }

    /** The share of samples with this function on the stack. */
    public AbstractDoubleAssert<?> inclusiveShare() {
        return Assertions.assertThat(inclusive).as("inclusive share of %s", actual);
    }
}
