package io.github.stackfold.perf.push;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import com.sun.net.httpserver.HttpServer;

/**
 * A local HTTP receiver for push tests: records every request (method, path, decoded query, headers,
 * body) and answers with the status {@code statuses} gives for the request's number (1, 2, ...) and
 * {@code answer} as the body of a 2xx.
 */
final class Receiver implements AutoCloseable {
    record Request(String method, String path, Map<String, String> query, Map<String, List<String>> headers,
            byte[] body) {
        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final AtomicInteger count = new AtomicInteger();
    volatile IntUnaryOperator statuses = n -> 200;
    volatile byte[] answer = new byte[0];

    Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> query = new LinkedHashMap<>();
            String raw = ex.getRequestURI().getRawQuery();
            if (raw != null) {
                for (String kv : raw.split("&")) {
                    int eq = kv.indexOf('=');
                    query.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), query,
                    Map.copyOf(ex.getRequestHeaders()), body));
            int status = statuses.applyAsInt(count.incrementAndGet());
            byte[] out = status / 100 == 2 ? answer : ("status " + status + " from the test receiver").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(out);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The part named {@code name} of a multipart/form-data body with this boundary. */
    static byte[] part(byte[] body, String contentType, String name) {
        String boundary = contentType.substring(contentType.indexOf("boundary=") + 9);
        String text = new String(body, StandardCharsets.ISO_8859_1);
        for (String part : text.split("--" + java.util.regex.Pattern.quote(boundary))) {
            int headerEnd = part.indexOf("\r\n\r\n");
            if (headerEnd < 0 || !part.substring(0, headerEnd).contains("name=\"" + name + "\"")) {
                continue;
            }
            String content = part.substring(headerEnd + 4);
            if (content.endsWith("\r\n")) {
                content = content.substring(0, content.length() - 2);
            }
            return content.getBytes(StandardCharsets.ISO_8859_1);
        }
        throw new AssertionError("no part named " + name);
    }

    static List<String> lines(byte[] body) {
        return new ArrayList<>(List.of(new String(body, StandardCharsets.UTF_8).split("\n")));
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
