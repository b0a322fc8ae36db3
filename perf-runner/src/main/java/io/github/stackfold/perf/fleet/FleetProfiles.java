package io.github.stackfold.perf.fleet;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.perf.NoTargetException;
import io.github.stackfold.perf.NotPermittedException;
import io.github.stackfold.perf.ToolMissingException;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What one round of fetching every replica brought: a profile per replica that answered, and a
 * failure per replica that did not (never dropped silently: {@link #requireAll()} turns them into one
 * exception). Immutable.
 *
 * @param profiles the replicas' profiles, in the order the replicas were listed
 * @param failures the replicas that gave no profile, and why
 */
public record FleetProfiles(List<ReplicaProfile> profiles, List<Failure> failures) {
    /** The frame put above each root in {@link #merged()}: {@code instance=10.0.0.2:6443}. */
    public static final String INSTANCE_LABEL = "instance";

    /** A replica that gave no profile. */
    public record Failure(Replica replica, Exception error) {
        /** {@code INSTANCE: MESSAGE}. */
        public String message() {
            String m = error.getMessage();
            return replica.instance() + ": " + (m == null ? error.getClass().getSimpleName() : m);
        }
    }

    public FleetProfiles {
        profiles = List.copyOf(profiles);
        failures = List.copyOf(failures);
    }

    /**
     * Every replica's stacks in one profile, each under a root frame naming its instance, as
     * {@code --tag instance} would: {@code instance=10.0.0.2:6443;runtime.goexit;...}.
     */
    public FoldedProfile merged() {
        FoldedProfile.Builder b = FoldedProfile.builder();
        for (ReplicaProfile p : profiles) {
            String root = FoldedProfile.encode(INSTANCE_LABEL + "=" + p.replica().instance()) + ";";
            p.profile().folded().forEach((stack, count) -> b.add(root + stack, count));
        }
        return b.build();
    }

    /** The per-replica comparison: which replica is hot, and the categories and functions that differ most. */
    public ReplicaComparison compare(Analyzer analyzer) {
        return ReplicaComparison.of(profiles, analyzer);
    }

    /**
     * Returns when every replica gave a profile; otherwise throws one exception naming each failed
     * replica: a {@link NotPermittedException} when any was refused (its message names the RBAC rule),
     * the {@link ToolMissingException} when kubectl is missing, else a {@link NoTargetException}.
     */
    public void requireAll() {
        if (failures.isEmpty()) {
            return;
        }
        for (Failure f : failures) {
            if (f.error() instanceof ToolMissingException t) {
                throw t;
            }
        }
        String all = failures.size() + " of " + (failures.size() + profiles.size()) + " replicas gave no profile: "
                + failures.stream().map(Failure::message).collect(Collectors.joining("; "));
        if (failures.stream().anyMatch(f -> f.error() instanceof NotPermittedException)) {
            throw new NotPermittedException(all);
        }
        throw new NoTargetException(all);
    }
}
