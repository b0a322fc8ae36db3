package io.github.stackfold.perf.fleet;

import io.github.stackfold.flamegraph.pprof.PprofProfile;

import java.time.Instant;
import java.util.Objects;

/**
 * The profile fetched from one replica: the body as the apiserver served it (gzipped pprof), what
 * it holds, the replica's version and the time range it covers.
 *
 * @param replica the replica it came from; its {@link Replica#instance()} is the profile's
 *                {@code instance} label
 * @param version the replica's {@code gitVersion} from {@code /version}, e.g. {@code v1.31.0}; empty
 *                when that could not be read (the profile is still good)
 * @param raw     the profile as served
 * @param profile the profile read from {@code raw}
 * @param from    when sampling started
 * @param until   when it ended
 */
public record ReplicaProfile(Replica replica, String version, byte[] raw, PprofProfile profile, Instant from,
        Instant until) {
    public ReplicaProfile {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(until, "until");
    }
}
