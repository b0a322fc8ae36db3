package io.github.stackfold.perf.push;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Pushes to Grafana Pyroscope's HTTP ingest API (or anything that speaks it, such as Alloy's
 * {@code pyroscope.receive_http}): one {@code POST /ingest} per profile.
 *
 * <p><b>pprof</b> (the default when the profile came from a pprof endpoint): the profile as served,
 * in a {@code multipart/form-data} part named {@code profile}; {@code name} is the application
 * with its labels, and Pyroscope adds the sample type ({@code kube-apiserver.cpu}):
 *
 * <pre>
 * POST /ingest?name=kube-apiserver{cluster=prod,instance=10.0.0.2:6443,version=v1.31.0}&amp;from=1733547000&amp;until=1733547030&amp;format=pprof
 * </pre>
 *
 * <p><b>folded</b> (any other profile, e.g. perf's): {@code STACK COUNT} lines, with the units
 * Pyroscope needs to read the counts right: sample counts at {@code sampleRate} Hz are
 * {@code units=samples&sampleRate=99}; CPU nanoseconds whose weights are all whole sampling periods
 * become counts at the profile's rate, other nanoseconds are sent as they are with
 * {@code sampleRate=1000000000} (one "sample" per nanosecond, so Pyroscope's CPU time is exact);
 * bytes and objects are {@code units=bytes}/{@code objects}, averaged for {@code inuse_*} types:
 *
 * <pre>
 * POST /ingest?name=perf.cpu{host=n1}&amp;from=...&amp;until=...&amp;format=folded&amp;sampleRate=99&amp;units=samples&amp;aggregationType=sum&amp;spyName=stackfold
 * </pre>
 *
 * {@code from} and {@code until} are Unix seconds (until at least from + 1). The tenant goes in
 * {@code X-Scope-OrgID}, a token in {@code Authorization: Bearer}.
 */
public final class PyroscopeSink implements ProfileSink {
    /** What the body holds. */
    public enum Format {
        /** pprof when the profile has its pprof body, folded otherwise. */
        AUTO,
        /** Always the pprof body (a profile without one is refused). */
        PPROF,
        /** Always folded stacks. */
        FOLDED
    }

    private static final long NANOS = 1_000_000_000L;

    private final URI base;
    private final HttpPush http;
    private final Format format;

    private PyroscopeSink(URI base, HttpPush http, Format format) {
        this.base = base;
        this.http = http;
        this.format = format;
    }

    /** A sink for the Pyroscope server at {@code base}, e.g. {@code http://pyroscope:4040}. */
    public static PyroscopeSink of(URI base, PushOptions options) {
        return new PyroscopeSink(HttpPush.checkUrl(base, "Pyroscope"), new HttpPush(options), Format.AUTO);
    }

    /** This sink with another body format. */
    public PyroscopeSink format(Format format) {
        return new PyroscopeSink(base, http, Objects.requireNonNull(format, "format"));
    }

    @Override
    public String describe() {
        return "pyroscope " + base;
    }

    @Override
    public void push(LabeledProfile p) throws IOException {
        boolean pprof = format == Format.PPROF || format == Format.AUTO && p.pprof() != null;
        if (pprof && p.pprof() == null) {
            throw new IllegalArgumentException(p.describe() + ": no pprof body to push (use the folded format)");
        }
        if (pprof) {
            String boundary = "stackfold-" + UUID.randomUUID();
            http.post(describe(), p, ingestUri(p, true), "multipart/form-data; boundary=" + boundary,
                    multipart(boundary, p.pprof()));
        } else {
            Folded f = folded(p);
            http.post(describe(), p, ingestUri(p, false, f), "text/plain; charset=utf-8", f.body);
        }
    }

    /** The {@code /ingest} URL this sink posts {@code p} to, in the given format. */
    public URI ingestUri(LabeledProfile p, boolean pprof) {
        return ingestUri(p, pprof, pprof ? null : folded(p));
    }

    private URI ingestUri(LabeledProfile p, boolean pprof, Folded f) {
        StringBuilder name = new StringBuilder(p.app());
        if (!pprof) {
            name.append('.').append(p.type());
        }
        name.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : p.labels().entrySet()) {
            name.append(first ? "" : ",").append(e.getKey()).append('=').append(e.getValue());
            first = false;
        }
        name.append('}');
        long from = p.from().getEpochSecond();
        long until = Math.max(from + 1, p.until().getEpochSecond());
        List<String> q = new ArrayList<>(List.of("name=" + enc(name.toString()), "from=" + from, "until=" + until));
        if (pprof) {
            q.add("format=pprof");
        } else {
            q.addAll(List.of("format=folded", "sampleRate=" + f.sampleRate, "units=" + f.units,
                    "aggregationType=" + f.aggregation, "spyName=stackfold"));
        }
        String path = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + path + "/ingest?" + String.join("&", q));
    }

    private record Folded(byte[] body, long sampleRate, String units, String aggregation) {
    }

    private static Folded folded(LabeledProfile p) {
        String unit = p.unit();
        long rate = p.sampleRate();
        long divisor = 1;
        if (unit.equals("nanoseconds")) {
            long period = NANOS / rate;
            boolean whole = period > 0 && NANOS % rate == 0;
            for (int i = 0; whole && i < p.folded().size(); i++) {
                whole = p.folded().count(i) % period == 0;
            }
            if (whole) {
                divisor = period;
            } else {
                rate = NANOS;
            }
        }
        String units = unit.equals("bytes") ? "bytes" : unit.equals("objects") ? "objects" : "samples";
        String aggregation = p.type().startsWith("inuse") ? "average" : "sum";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long d = divisor;
        p.folded().forEach((stack, count) -> {
            // folded stacks are raw strings, one char per byte: ISO-8859-1 gives the bytes back
            out.writeBytes(stack.getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes((" " + count / d + "\n").getBytes(StandardCharsets.US_ASCII));
        });
        return new Folded(out.toByteArray(), rate, units, aggregation);
    }

    private static byte[] multipart(String boundary, byte[] profile) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(profile.length + 300);
        out.writeBytes(("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"profile\"; filename=\"profile.pprof\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(profile);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
