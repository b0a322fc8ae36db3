package io.github.stackfold.flamegraph.assertions;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Report;
import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.flamegraph.folded.FoldedProfile;

import org.assertj.core.api.AbstractAssert;

/** Assertions on a {@link FoldedProfile}; analysis happens once, on the first share asked for. */
public final class ProfileAssert extends AbstractAssert<ProfileAssert, FoldedProfile> {
    private final Rules rules;
    private Report report;

    ProfileAssert(FoldedProfile actual) {
        this(actual, Rules.kubeApiserver());
    }

    private ProfileAssert(FoldedProfile actual, Rules rules) {
        super(actual, ProfileAssert.class);
        this.rules = rules;
    }

    /** The same profile classified with other rules. */
    public ProfileAssert withRules(Rules other) {
        return new ProfileAssert(actual, other);
    }

    /** Fails unless the profile holds at least one sample. */
    public ProfileAssert hasSamples() {
        isNotNull();
        if (actual.total() <= 0) {
            failWithMessage("Expected the profile to hold samples but its total weight is %s", actual.total());
        }
        return this;
    }

    /** Assertions on a category; fails when the rules have no category of that name. */
    public CategoryAssert category(String name) {
        return new ReportAssert(report()).category(name);
    }

    /** Assertions on a function's shares, by its full name (0 when the profile does not hold it: see {@link FunctionAssert#isInProfile()}). */
    public FunctionAssert function(String name) {
        return new ReportAssert(report()).function(name);
    }

    /** The analysis these assertions use. */
    public Report report() {
        isNotNull();
        hasSamples();
        if (report == null) {
            report = Analyzer.create(Analyzer.Options.of(rules)).analyze(actual);
        }
        return report;
    }
}
