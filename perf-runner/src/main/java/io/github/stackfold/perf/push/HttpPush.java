package io.github.stackfold.perf.push;

import io.github.stackfold.flamegraph.io.AtomicOutput;
import io.github.stackfold.perf.internal.Causes;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The HTTP side every sink shares: one POST, tried again with a doubling backoff on a 5xx, a 429 or
 * a connection error, refused at once on any other 4xx; a profile that could not be pushed is
 * written to {@link PushOptions#keepDir()} and named in the {@link PushFailedException}.
 */
final class HttpPush {
    private final PushOptions options;
    private final HttpClient client;

    HttpPush(PushOptions options) {
        this.options = options;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.timeout().compareTo(Duration.ofSeconds(10)) < 0
                        ? options.timeout() : Duration.ofSeconds(10))
                .build();
    }

    PushOptions options() {
        return options;
    }

    /** {@code url} when it is an http(s) URL with a host; {@code what} names the receiver in the error. */
    static URI checkUrl(URI url, String what) {
        java.util.Objects.requireNonNull(url, "url");
        if (url.getScheme() == null || !url.getScheme().matches("(?i)https?") || url.getHost() == null) {
            throw new IllegalArgumentException("expected an http:// or https:// " + what + " URL, got '" + url + "'");
        }
        return url;
    }

    /** POSTs {@code body} and returns the answer's body when the status is 2xx. */
    byte[] post(String sink, LabeledProfile p, URI uri, String contentType, byte[] body) throws IOException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
                .timeout(options.timeout())
                .header("Content-Type", contentType)
                .header("User-Agent", "stackfold")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (options.tenant() != null) {
            rb.header("X-Scope-OrgID", options.tenant());
        }
        if (options.token() != null) {
            rb.header("Authorization", "Bearer " + options.token());
        }
        HttpRequest request = rb.build();
        Duration wait = options.backoff();
        String last = "";
        for (int attempt = 1; attempt <= options.attempts(); attempt++) {
            if (attempt > 1) {
                sleep(wait, sink, p);
                wait = wait.multipliedBy(2).compareTo(options.maxBackoff()) > 0 ? options.maxBackoff() : wait.multipliedBy(2);
            }
            HttpResponse<byte[]> r;
            try {
                r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw fail(sink, p, "interrupted", false);
            } catch (IOException e) {
                last = "cannot connect or no answer (" + Causes.rootMessage(e) + ")";
                continue;
            }
            int status = r.statusCode();
            if (status / 100 == 2) {
                return r.body();
            }
            String why = "HTTP " + status + firstLine(r.body());
            if (status / 100 == 4 && status != 429) {
                throw fail(sink, p, why + (status == 401 || status == 403
                        ? " (not allowed: is the token, or the tenant, right?)" : " (refused)"), true);
            }
            last = why;
        }
        throw fail(sink, p, last + " after " + options.attempts() + " attempt" + (options.attempts() == 1 ? "" : "s"), false);
    }

    /** Keeps {@code p} on disk and returns the exception that says so. */
    PushFailedException fail(String sink, LabeledProfile p, String why, boolean refused) {
        Path kept;
        try {
            kept = keep(p);
        } catch (IOException e) {
            return new PushFailedException(sink + ": " + p.describe() + " not pushed: " + why
                    + "; and it could not be kept either (" + e.getMessage() + ")", List.of(), refused);
        }
        return new PushFailedException(sink + ": " + p.describe() + " not pushed: " + why + "; kept in " + kept,
                List.of(kept), refused);
    }

    private Path keep(LabeledProfile p) throws IOException {
        Path dir = Files.createDirectories(options.keepDir());
        String base = p.app() + (p.labels().containsKey("instance") ? "-" + p.labels().get("instance") : "")
                + "-" + p.from().getEpochSecond();
        base = base.replaceAll("[^A-Za-z0-9_.\\-]", "_");
        boolean gzipped = p.pprof() != null && p.pprof().length > 1 && p.pprof()[0] == 0x1f && p.pprof()[1] == (byte) 0x8b;
        Path file = dir.resolve(base + (p.pprof() == null ? ".folded" : gzipped ? ".pb.gz" : ".pb"));
        AtomicOutput.write(file, out -> {
            if (p.pprof() != null) {
                out.write(p.pprof());
            } else {
                p.folded().write(out);
            }
        });
        return file;
    }

    private void sleep(Duration d, String sink, LabeledProfile p) throws PushFailedException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(sink, p, "interrupted while waiting to try again", false);
        }
    }

    private static String firstLine(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8).strip();
        int nl = s.indexOf('\n');
        s = nl >= 0 ? s.substring(0, nl).strip() : s;
        return s.isEmpty() || s.chars().anyMatch(c -> c < 0x09) ? "" : ": " + s;
    }
}
