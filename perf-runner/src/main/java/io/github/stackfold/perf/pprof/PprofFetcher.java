package io.github.stackfold.perf.pprof;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.perf.NoTargetException;
import io.github.stackfold.perf.NotPermittedException;
import io.github.stackfold.perf.Settings;
import io.github.stackfold.perf.ToolMissingException;
import io.github.stackfold.perf.internal.Causes;
import io.github.stackfold.perf.internal.Child;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;
/**
 * Fetches a live CPU profile from a Go server's {@code /debug/pprof/profile} endpoint, the way
 * kube-apiserver serves it (on by default, behind its normal authentication):
 *
 * <ul>
 * <li><b>URL</b>: {@code GET http(s)://HOST:PORT/debug/pprof/profile?seconds=N} over HTTP/1.1 with
 *   {@link java.net.http.HttpClient}; for the apiserver's secure port a CA bundle to trust, a client
 *   certificate and key (PEM, as in a kubeconfig), and/or a bearer token.
 * <li><b>kubectl</b>: {@code kubectl get --raw /debug/pprof/profile?seconds=N} with the current
 *   context, run as an argument list (no shell), found on the {@code PATH}. With
 *   {@link Builder#server(URI)} one apiserver replica is asked instead of the {@code kubernetes}
 *   Service's random one: {@code kubectl --server https://10.0.0.2:6443 --tls-server-name kubernetes
 *   get --raw ...} (the kubeconfig's credentials and CA, the name every apiserver certificate carries).
 * </ul>
 *
 * The server samples for {@code seconds} before it answers, so the request waits that long; a timeout
 * of {@code seconds} plus {@link Builder#grace(Duration)} guards it. The result is the body as served
 * (Go gzips it); read it with {@code PprofReader}. Failures are one-line exceptions: the server not
 * reachable or no such endpoint ({@link NoTargetException}), refused credentials or an untrusted
 * certificate ({@link NotPermittedException}; a 403 names the RBAC rule it needs, {@link #RBAC}), no
 * {@code kubectl} ({@link ToolMissingException}). Immutable; a token is never part of a message.
 */
public final class PprofFetcher extends Settings<PprofFetcher.Builder> {
    /** The endpoint path the kubectl mode asks the apiserver for. */
    public static final String PROFILE_PATH = "/debug/pprof/profile";
    /** The RBAC rule a user needs to fetch profiles from kube-apiserver, as a 403 message names it. */
    public static final String RBAC = "RBAC 'get' on the non-resource URL /debug/pprof/* (a ClusterRole with"
            + " nonResourceURLs: [\"/debug/pprof/*\"], verbs: [\"get\"], bound to the user)";
    /** The server name a replica's certificate is checked against by default: every apiserver's has it. */
    public static final String APISERVER_NAME = "kubernetes";
    /** The size cap of a profile unless {@link Builder#maxBytes(long)} sets another: 256 MB. */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;
    private static final Pattern SECONDS = Pattern.compile("(^|&)seconds=[^&]*");

    private PprofFetcher(Builder b) {
        super(b);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * This fetcher aimed at one replica, {@code HOST:PORT}: in URL mode the URL's host and port are
     * replaced (scheme, path and query kept); in kubectl mode {@code --server https://HOST:PORT} is
     * given, with {@code --tls-server-name} {@value #APISERVER_NAME} unless another name was set.
     */
    public PprofFetcher at(String host, int port) {
        String authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        Builder b = toBuilder();
        if (values.url != null) {
            String path = values.url.getRawPath() == null ? "" : values.url.getRawPath();
            String query = values.url.getRawQuery() == null ? "" : "?" + values.url.getRawQuery();
            b.url(URI.create(values.url.getScheme() + "://" + authority + path + query));
        } else {
            b.server(URI.create("https://" + authority));
            if (values.tlsServerName == null) {
                b.tlsServerName(APISERVER_NAME);
            }
        }
        return b.build();
    }

    /** The URL actually requested, {@code seconds} included (null in kubectl mode). */
    public URI url() {
        return values.url == null ? null : withSeconds(values.url, values.seconds);
    }

    /** The kubectl command line run (empty in URL mode). */
    public List<String> command() {
        return values.kubectl == null ? List.of() : kubectlCommand(PROFILE_PATH + "?seconds=" + values.seconds);
    }

    /** What the profile came from, for messages and as the source name of the profile. */
    public String source() {
        return values.url != null ? url().toString() : String.join(" ", command());
    }

    public int seconds() {
        return values.seconds;
    }

    /** Waits {@code seconds} (plus the server's latency) and returns the profile as served. */
    public byte[] fetch() throws IOException {
        Duration timeout = Duration.ofSeconds(values.seconds).plus(values.grace);
        String within = "no profile within " + values.seconds + " s + " + values.grace.toSeconds() + " s";
        return values.url != null ? fetchUrl(url(), timeout, within)
                : fetchKubectl(command(), timeout, within, values.maxBytes);
    }

    /**
     * Another path of the same server with the same credentials, such as {@code /version} (what
     * kube-apiserver answers there: {@code {"major":"1","minor":"31","gitVersion":"v1.31.0",...}}).
     * Waits at most {@code timeout}.
     */
    public byte[] get(String path, Duration timeout) throws IOException {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("expected a path starting with '/', got '" + path + "'");
        }
        String within = "no answer within " + timeout.toSeconds() + " s";
        if (values.url != null) {
            return fetchUrl(URI.create(values.url.getScheme() + "://" + values.url.getRawAuthority() + path), timeout, within);
        }
        return fetchKubectl(kubectlCommand(path), timeout, within, values.maxBytes);
    }

    private List<String> kubectlCommand(String pathAndQuery) {
        List<String> c = new ArrayList<>(values.kubectl);
        if (values.server != null) {
            c.addAll(List.of("--server", values.server.toString()));
        }
        if (values.tlsServerName != null) {
            c.addAll(List.of("--tls-server-name", values.tlsServerName));
        }
        c.addAll(List.of("get", "--raw", pathAndQuery));
        return List.copyOf(c);
    }

    /**
     * {@code url} with {@code seconds=N} in its query: added with {@code ?} or {@code &}, or replacing
     * a {@code seconds} parameter already there.
     */
    public static URI withSeconds(URI url, int seconds) {
        String q = url.getRawQuery();
        String s = "seconds=" + seconds;
        String query;
        if (q == null || q.isEmpty()) {
            query = s;
        } else {
            Matcher m = SECONDS.matcher(q);
            query = m.find() ? m.replaceFirst("$1" + s) : q + "&" + s;
        }
        // the fragment is never sent; the raw (still escaped) path and query are kept as given
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return URI.create(url.getScheme() + "://" + url.getRawAuthority() + path + "?" + query);
    }

    private byte[] fetchUrl(URI target, Duration timeout, String within) throws IOException {
        HttpClient.Builder cb = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                // HTTP/1.1, not h2 by ALPN: one request needs no multiplexing, and over h2 the JDK's
                // client now and then lost a TLS 1.3 server's refusal of the client certificate (it
                // came after the handshake): about 1 in 140 such requests to etcd ended in a
                // ClosedChannelException or hung until the timeout; over HTTP/1.1, none in 3,000
                .version(HttpClient.Version.HTTP_1_1);
        if ("https".equalsIgnoreCase(target.getScheme())) {
            cb.sslContext(Pem.context(values.caCert, values.clientCert, values.clientKey));
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(target)
                .timeout(timeout)
                .header("Accept", "application/octet-stream")
                .GET();
        if (values.token != null) {
            rb.header("Authorization", "Bearer " + values.token);
        }
        HttpClient client = cb.build();
        AtomicReference<CappedBody> arriving = new AtomicReference<>();
        long cap = values.maxBytes;
        HttpResponse.BodyHandler<byte[]> handler = info -> {
            // an error page is read for its first line only; a profile up to the cap
            CappedBody b = new CappedBody(info.statusCode() == 200 ? cap : 64 << 10, info.statusCode() != 200,
                    info.headers().firstValueAsLong("Content-Length").orElse(-1));
            arriving.set(b);
            return b;
        };
        HttpResponse<byte[]> response;
        CompletableFuture<HttpResponse<byte[]>> pending = client.sendAsync(rb.build(), handler);
        try {
            // the request's timeout ends the wait for the headers; this one also a body that trickles on
            response = pending.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            CappedBody b = arriving.get();
            throw new NoTargetException(target + ": " + within
                    + (b == null ? "" : " (the body was still arriving: " + b.received() + " bytes so far)"));
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException(target + ": interrupted while waiting for the answer", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            CappedBody b = arriving.get();
            if (hasCause(cause, TooLarge.class)) {
                throw tooLarge(target.toString(), cap);
            }
            if (b != null && !hasCause(cause, SSLException.class) && !hasCause(cause, HttpTimeoutException.class)) {
                // the headers came, then the connection ended before the body did
                throw new NoTargetException(target + ": the pprof server closed the connection after "
                        + b.received() + " bytes of " + (b.expected() >= 0 ? b.expected() : "a body of unknown length (chunked)")
                        + " (" + Causes.rootMessage(cause) + "); the profile is incomplete and was not used");
            }
            throw failure(target, within, cause instanceof IOException io ? io : new IOException(cause));
        }
        int status = response.statusCode();
        if (status == 200) {
            String html = html(response);
            if (html != null) {
                URI at = response.uri();
                throw new BadInputException(target.toString(), "the URL answered with an HTML page (a login page?), not a"
                        + " pprof profile" + (at != null && !at.equals(target) ? " (redirected to " + at + ")" : "")
                        + (html.isEmpty() ? "" : ": " + html) + "; is the URL the server's /debug/pprof/profile, reached"
                        + " without a proxy's login?");
            }
            return response.body();
        }
        String body = firstLine(response.body());
        if (status == 401 || status == 403) {
            throw new NotPermittedException(target + ": HTTP " + status + (status == 401
                    ? " (not authenticated: give --token, or --cert and --key)"
                    : " (forbidden: the user needs " + RBAC + ")") + (body.isEmpty() ? "" : ": " + body));
        }
        throw new NoTargetException(target + ": HTTP " + status + (status == 404
                ? " (no pprof endpoint here: is profiling on, e.g. --profiling / --enable-pprof?)" : "")
                + (body.isEmpty() ? "" : ": " + body));
    }

    /** What a failure before the body means, as one-line exceptions. */
    private StackfoldException failure(URI target, String within, IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return new NoTargetException(target + ": no answer to the connection within 10 s");
        }
        if (e instanceof HttpTimeoutException) {
            return new NoTargetException(target + ": " + within);
        }
        if (e instanceof ConnectException || hasCause(e, ConnectException.class) && !hasCause(e, SSLException.class)) {
            return new NoTargetException(target + ": cannot connect (connection refused: is the server up and "
                    + "the port right?)");
        }
        if (hasCause(e, SSLException.class)) {
            return new NotPermittedException(target + ": TLS failed (" + Causes.rootMessage(e)
                    + "); is --cacert the server's CA, and --cert/--key a client certificate it accepts?");
        }
        String why = Causes.rootMessage(e);
        if ("https".equalsIgnoreCase(target.getScheme())
                && (why.contains("Connection reset") || why.contains("Broken pipe"))) {
            // TLS 1.3: the server checks the client certificate after the client has finished the
            // handshake, and its refusal (an alert, then the close) can reach the client as a
            // reset while it sends the request
            return new NotPermittedException(target + ": the server reset the TLS connection (" + why
                    + "), as one does that refuses the client certificate"
                    + (values.clientCert == null ? " it requires: give --cert and --key" : ": is --cert/--key one it accepts?"));
        }
        return new NoTargetException(target + ": " + why);
    }

    /** The answer passed the size cap: what a URL and a kubectl fetch say. */
    private static BadInputException tooLarge(String source, long cap) {
        return new BadInputException(source, "the answer exceeded the size cap of " + bytes(cap) + " (" + cap
                + " bytes) and was cut there: a pprof CPU profile is far smaller, so the server streams something else"
                + " or without end (raise the cap with --max-size if the profile is really this big)");
    }

    /**
     * Runs kubectl and reads what it prints, up to {@code cap} bytes: past the cap kubectl (and whatever
     * it started) is ended and the fetch fails saying so, as a URL fetch does.
     */
    private static byte[] fetchKubectl(List<String> argv, Duration timeout, String within, long cap) throws IOException {
        String source = String.join(" ", argv);
        Child.Result r;
        byte[] body;
        try (Child c = Child.start(argv, timeout, true, null)) {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            long have = 0;
            try (java.io.InputStream in = c.stdout()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (have + n > cap) {
                        c.close(); // ends kubectl's tree: it stops streaming
                        throw tooLarge(source, cap);
                    }
                    data.write(buf, 0, n);
                    have += n;
                }
            } catch (IOException e) {
                // the output closed: kubectl ended, or was ended at its deadline (told below)
            }
            r = c.waitFor();
            body = data.toByteArray();
        } catch (Child.LaunchException e) {
            if (e.notFound()) {
                throw new ToolMissingException(argv.get(0), argv.get(0) + " is not installed or not on the PATH "
                        + "(https://kubernetes.io/docs/tasks/tools/), or use --url");
            }
            throw new ToolMissingException(argv.get(0), e.getMessage());
        }
        if (r.timedOut()) {
            throw new NoTargetException(source + ": " + within);
        }
        if (r.exitCode() != 0) {
            String err = r.stderrText();
            String why = err.isBlank() ? "exit code " + r.exitCode() : err;
            if (err.contains("Forbidden") || err.contains("forbidden")) {
                throw new NotPermittedException(source + " failed: " + why + " (the user needs " + RBAC + ")");
            }
            if (err.contains("Unauthorized")) {
                throw new NotPermittedException(source + " failed: " + why);
            }
            String unreachable = io.github.stackfold.perf.internal.KubectlStderr.unreachable(r.stderr());
            if (unreachable != null) {
                throw new NoTargetException(source + ": " + unreachable);
            }
            throw new NoTargetException(source + " failed: " + why);
        }
        return body;
    }

    /**
     * For an HTML answer (served as {@code text/html}, or a body that starts as one), its title or
     * first line, else null. A pprof profile, gzipped or not, never starts with {@code <}.
     */
    private static String html(HttpResponse<byte[]> response) {
        String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        byte[] b = response.body();
        String start = new String(b, 0, Math.min(b.length, 4096), StandardCharsets.UTF_8);
        String lower = start.stripLeading().toLowerCase(Locale.ROOT);
        if (!type.startsWith("text/html") && !type.startsWith("application/xhtml")
                && !lower.startsWith("<!doctype html") && !lower.startsWith("<html")) {
            return null;
        }
        int t = lower.indexOf("<title>");
        int e = t < 0 ? -1 : lower.indexOf("</title>", t);
        String title = e > t ? start.stripLeading().substring(t + 7, e) : firstLine(b);
        title = title.replaceAll("\\s+", " ").strip();
        return title.length() > 120 ? title.substring(0, 120) + "..." : title;
    }

    /** {@code n} bytes as MB or KB, for messages. */
    static String bytes(long n) {
        return n >= 1 << 20 ? (n >> 20) + " MB" : n >= 1 << 10 ? (n >> 10) + " KB" : n + " bytes";
    }

    /** The size cap was hit (the subscription is then cancelled). */
    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("size cap exceeded");
        }
    }

    /**
     * Collects a body up to {@code cap} bytes and counts what arrived: past the cap it cancels and
     * fails with {@link TooLarge} ({@code truncate}: completes with the first {@code cap} bytes instead).
     */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long cap;
        private final boolean truncate;
        private final long expected;
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final AtomicLong received = new AtomicLong();
        private Flow.Subscription subscription;

        CappedBody(long cap, boolean truncate, long expected) {
            this.cap = cap;
            this.truncate = truncate;
            this.expected = expected;
        }

        long received() {
            return received.get();
        }

        /** The Content-Length, or -1. */
        long expected() {
            return expected;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                int n = item.remaining();
                long have = received.get();
                if (have + n > cap) {
                    subscription.cancel();
                    if (truncate) {
                        byte[] part = new byte[(int) (cap - have)];
                        item.get(part);
                        data.write(part, 0, part.length);
                        result.complete(data.toByteArray());
                    } else {
                        result.completeExceptionally(new TooLarge());
                    }
                    return;
                }
                byte[] chunk = new byte[n];
                item.get(chunk);
                data.write(chunk, 0, n);
                received.addAndGet(n);
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(data.toByteArray());
        }
    }

    private static String firstLine(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8).strip();
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl).strip() : s;
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Builds a {@link PprofFetcher}. Exactly one of {@link #url(URI)} and {@link #kubectl()} is required.
     * A fetcher keeps a copy of its builder (see {@link Settings}).
     */
    public static final class Builder extends Settings.Values<Builder> {
        private URI url;
        private int seconds = 30;
        private Path caCert;
        private Path clientCert;
        private Path clientKey;
        private String token;
        private List<String> kubectl;
        private URI server;
        private String tlsServerName;
        private Duration grace = Duration.ofSeconds(60);
        private long maxBytes = DEFAULT_MAX_BYTES;

        private Builder() {
        }

        /** {@code http(s)://HOST:PORT/debug/pprof/profile}; {@code seconds=N} is added to the query. */
        public Builder url(URI url) {
            Objects.requireNonNull(url, "url");
            String scheme = url.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || url.getHost() == null) {
                throw new IllegalArgumentException("expected an http:// or https:// URL with a host, got '" + url + "'");
            }
            this.url = url;
            return this;
        }

        /** Fetch through {@code kubectl get --raw} with the current context. */
        public Builder kubectl() {
            return kubectl(List.of("kubectl"));
        }

        /** Fetch through this kubectl command (e.g. {@code kubectl --context kind-kind}). */
        public Builder kubectl(List<String> command) {
            if (command.isEmpty()) {
                throw new IllegalArgumentException("the kubectl command is empty");
            }
            this.kubectl = List.copyOf(command);
            return this;
        }

        /** kubectl mode: ask this apiserver ({@code kubectl --server URL}) instead of the kubeconfig's. */
        public Builder server(URI server) {
            this.server = server;
            return this;
        }

        /** kubectl mode: the name the server certificate is checked against ({@code --tls-server-name}). */
        public Builder tlsServerName(String name) {
            this.tlsServerName = strippedOrNull(name);
            return this;
        }

        /** How long the server samples; default 30. */
        public Builder seconds(int seconds) {
            this.seconds = between(seconds, 1, 3600, "seconds");
            return this;
        }

        /** PEM CA bundle to trust for https (default: the JDK's trusted CAs). */
        public Builder caCert(Path pem) {
            this.caCert = pem;
            return this;
        }

        /** PEM client certificate and its private key, for servers that ask for one. */
        public Builder clientCertificate(Path certPem, Path keyPem) {
            if ((certPem == null) != (keyPem == null)) {
                throw new IllegalArgumentException("a client certificate needs both --cert and --key");
            }
            this.clientCert = certPem;
            this.clientKey = keyPem;
            return this;
        }

        /** A bearer token sent as {@code Authorization: Bearer TOKEN}. */
        public Builder token(String token) {
            this.token = strippedOrNull(token);
            return this;
        }

        /** Extra time beyond {@code seconds} before giving up; default 60 s. */
        public Builder grace(Duration grace) {
            this.grace = positive(grace, "grace");
            return this;
        }

        /**
         * The most a profile may have (default {@value PprofFetcher#DEFAULT_MAX_BYTES} bytes, 256 MB), fetched from a
         * URL or printed by {@code kubectl get --raw}: past it the fetch stops (kubectl is ended) and fails saying so,
         * so a server that streams without end cannot fill memory.
         */
        public Builder maxBytes(long maxBytes) {
            if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("the size cap must be between 1 byte and 2 GB, got " + maxBytes);
            }
            this.maxBytes = maxBytes;
            return this;
        }

        public PprofFetcher build() {
            if ((url == null) == (kubectl == null)) {
                throw new IllegalArgumentException("give either a URL or kubectl");
            }
            if (kubectl != null && (caCert != null || clientCert != null || token != null)) {
                throw new IllegalArgumentException("--cacert, --cert, --key and --token go with --url; "
                        + "kubectl takes its credentials from the kubeconfig");
            }
            if (url != null && (server != null || tlsServerName != null)) {
                throw new IllegalArgumentException("--server and --tls-server-name go with kubectl, not --url");
            }
            return new PprofFetcher(this);
        }
    }
}
