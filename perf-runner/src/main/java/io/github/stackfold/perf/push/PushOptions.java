package io.github.stackfold.perf.push;

import io.github.stackfold.perf.Settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ProfileSink} pushes. Immutable; made by {@link #builder()}.
 *
 * <table>
 * <caption>Options and their defaults</caption>
 * <tr><th>option</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@link Builder#attempts}</td><td>4</td><td>tries per profile; a 5xx, a 429 or a connection
 *     error is tried again, a 4xx is not</td></tr>
 * <tr><td>{@link Builder#backoff}</td><td>500 ms</td><td>the wait before the second try, doubled
 *     before each next one up to {@link Builder#maxBackoff} (8 s)</td></tr>
 * <tr><td>{@link Builder#timeout}</td><td>30 s</td><td>per request</td></tr>
 * <tr><td>{@link Builder#token}</td><td>none</td><td>sent as {@code Authorization: Bearer TOKEN}; read
 *     it from a file or the environment, never from a command line (see the CLI)</td></tr>
 * <tr><td>{@link Builder#tenant}</td><td>none</td><td>sent as {@code X-Scope-OrgID} (Pyroscope's,
 *     and a multi-tenant collector's, tenant)</td></tr>
 * <tr><td>{@link Builder#keepDir}</td><td>{@code unpushed}</td><td>where a profile that could not be
 *     pushed is written ({@code APP-INSTANCE-FROM.pb.gz} as served, {@code .pb} when it was not
 *     gzipped, or {@code .folded})</td></tr>
 * </table>
 */
public final class PushOptions extends Settings<PushOptions.Builder> {
    private PushOptions(Builder b) {
        super(b);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults of the table above. */
    public static PushOptions defaults() {
        return builder().build();
    }

    public int attempts() {
        return values.attempts;
    }

    public Duration backoff() {
        return values.backoff;
    }

    public Duration maxBackoff() {
        return values.maxBackoff;
    }

    public Duration timeout() {
        return values.timeout;
    }

    /** The bearer token, or null. */
    public String token() {
        return values.token;
    }

    /** The tenant, or null. */
    public String tenant() {
        return values.tenant;
    }

    public Path keepDir() {
        return values.keepDir;
    }

    @Override
    public String toString() {
        // never the token
        return "PushOptions[attempts=" + attempts() + ", backoff=" + backoff() + ", tenant=" + tenant()
                + ", token=" + (token() == null ? "none" : "set") + ", keepDir=" + keepDir() + "]";
    }

    /** Builds {@link PushOptions}; every setter checks its argument at once. */
    public static final class Builder extends Settings.Values<Builder> {
        private int attempts = 4;
        private Duration backoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(8);
        private Duration timeout = Duration.ofSeconds(30);
        private String token;
        private String tenant;
        private Path keepDir = Path.of("unpushed");

        private Builder() {
        }

        public Builder attempts(int attempts) {
            this.attempts = between(attempts, 1, 100, "attempts");
            return this;
        }

        public Builder backoff(Duration first) {
            this.backoff = positive(first, "backoff");
            return this;
        }

        public Builder maxBackoff(Duration max) {
            this.maxBackoff = positive(max, "maxBackoff");
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        public Builder token(String token) {
            this.token = strippedOrNull(token);
            if (this.token != null && this.token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new IllegalArgumentException("the token holds a space, a line break or a non-ASCII character");
            }
            return this;
        }

        public Builder tenant(String tenant) {
            this.tenant = strippedOrNull(tenant);
            return this;
        }

        public Builder keepDir(Path dir) {
            this.keepDir = Objects.requireNonNull(dir, "keepDir");
            return this;
        }

        public PushOptions build() {
            return new PushOptions(this);
        }
    }
}
