package io.github.stackfold.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class DemoLoadStatsTest {

    /** The demo's load summary says what -1 (no HTTP response) is, where it used to print {-1=419, 200=3488}. */
    @Test
    void requestsWithoutAResponseAreNamedNotMinusOne() {
        DemoLoad.Stats s = DemoLoad.Stats.sum(List.of(Map.of(-1, 400L, 200, 3000L), Map.of(-1, 19L, 200, 488L, 408, 4L)));
        assertThat(s.requests()).isEqualTo(3911);
        assertThat(s.byStatusText())
                .isEqualTo("200: 3488, 408: 4, no response: 419 (connection failed or timed out after 5 s)");
        assertThat(DemoLoad.Stats.sum(List.of(Map.of(200, 2L))).byStatusText()).isEqualTo("200: 2");
    }

    /** One load request: its status counted, no response counted as -1, an interrupt ends the client. */
    @Test
    void sendAndCountCountsEachAnswerAndStopsOnInterrupt() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", x -> {
            x.sendResponseHeaders(x.getRequestURI().getPath().equals("/ok") ? 200 : 404, -1);
            x.close();
        });
        server.start();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Map<Integer, Long> counts = new TreeMap<>();
            for (String path : List.of("/ok", "/ok", "/missing")) {
                assertThat(DemoLoad.sendAndCount(http, get(base + path), counts)).isTrue();
            }
            assertThat(DemoLoad.sendAndCount(http, get("http://127.0.0.1:" + closedPort + "/"), counts)).isTrue();
            assertThat(counts).containsExactly(Map.entry(DemoLoad.FAILED, 1L), Map.entry(200, 2L), Map.entry(404, 1L));

            Thread.currentThread().interrupt();
            try {
                assertThat(DemoLoad.sendAndCount(http, get(base + "/ok"), counts)).as("interrupted").isFalse();
                assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
            } finally {
                Thread.interrupted();
            }
            assertThat(counts).as("nothing counted for the interrupted request").hasSize(3).containsEntry(200, 2L);
        } finally {
            server.stop(0);
        }
    }

    private static HttpRequest get(String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(5)).GET().build();
    }
}
