package io.github.stackfold.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The demo server's apiserver-like request path, called directly and over HTTP on 127.0.0.1. */
class HandlerChainTest {
    private static final long HOUR = System.currentTimeMillis() / 1000 + 3600;
    private final HandlerChain chain = ApiServerLikeDemo.newChain(3);
    private final ObjectMapper json = new ObjectMapper();

    private static String bearer(String user, String... groups) {
        return "Bearer " + DemoTokens.mint(user, List.of(groups), HOUR);
    }

    private HandlerChain.Response get(String path, String auth) {
        return chain.serve(new HandlerChain.Request("GET", path, auth, new byte[0]));
    }

    @Test
    void rejectsMissingForgedAndExpiredTokensWith401() {
        String good = DemoTokens.mint("alice", List.of("developers"), HOUR);
        String forged = good.substring(0, good.indexOf('.') + 1) + "AAAA";
        String expired = DemoTokens.mint("alice", List.of("developers"), System.currentTimeMillis() / 1000 - 5);
        assertThat(get("/api/v1/namespaces/default/pods", null).status()).isEqualTo(401);
        assertThat(get("/api/v1/namespaces/default/pods", "Bearer " + forged).status()).isEqualTo(401);
        assertThat(get("/api/v1/namespaces/default/pods", "Bearer " + expired).status()).isEqualTo(401);
        assertThat(get("/api/v1/namespaces/default/pods", "Bearer " + good).status()).isEqualTo(200);
    }

    @Test
    void authorizesByRoleBindingsAndDeniesOthersWith403() {
        assertThat(get("/api/v1/pods", bearer("victor", "viewers")).status()).isEqualTo(200);
        assertThat(get("/api/v1/pods", bearer("alice", "developers")).status())
                .as("developers are bound per namespace, not cluster-wide").isEqualTo(403);
        assertThat(get("/api/v1/namespaces/team-a/pods", bearer("mallory", "guests")).status()).isEqualTo(403);
        assertThat(get("/api/v1/pods", bearer("root", "system:masters")).status()).isEqualTo(200);
        byte[] pod = "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"i\"}]}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(chain.serve(new HandlerChain.Request("POST", "/api/v1/namespaces/team-a/pods",
                bearer("victor", "viewers"), pod)).status()).as("viewers may not create").isEqualTo(403);
    }

    @Test
    void listsSeededPodsPerNamespaceAndAcrossAll() throws Exception {
        JsonNode one = json.readTree(get("/api/v1/namespaces/team-b/pods", bearer("alice", "developers")).body());
        assertThat(one.path("kind").asText()).isEqualTo("PodList");
        assertThat(one.path("items").size()).isEqualTo(3);
        for (JsonNode p : one.path("items")) {
            assertThat(p.path("metadata").path("namespace").asText()).isEqualTo("team-b");
        }
        JsonNode all = json.readTree(get("/api/v1/pods", bearer("victor", "viewers")).body());
        assertThat(all.path("items").size()).isEqualTo(3 * ApiServerLikeDemo.NAMESPACES.size());
    }

    @Test
    void admissionDefaultsAndValidatesWhatIsCreated() throws Exception {
        String alice = bearer("alice", "developers");
        byte[] ok = "{\"metadata\":{\"name\":\"web-1\"},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"nginx:latest\"}]}}"
                .getBytes(StandardCharsets.UTF_8);
        HandlerChain.Response created = chain.serve(new HandlerChain.Request("POST", "/api/v1/namespaces/default/pods", alice, ok));
        assertThat(created.status()).isEqualTo(201);
        JsonNode got = json.readTree(get("/api/v1/namespaces/default/pods/web-1", alice).body());
        assertThat(got.path("metadata").path("uid").asText()).hasSize(36);
        assertThat(got.path("metadata").path("labels").path("app").asText()).isEqualTo("web-1");
        assertThat(got.path("metadata").path("annotations").path("demo.stackfold.io/created-by").asText()).isEqualTo("alice");
        assertThat(got.path("spec").path("containers").get(0).path("imagePullPolicy").asText()).isEqualTo("Always");
        assertThat(chain.serve(new HandlerChain.Request("POST", "/api/v1/namespaces/default/pods", alice, ok)).status())
                .as("same name again").isEqualTo(409);

        byte[] badName = "{\"metadata\":{\"name\":\"Web_1\"},\"spec\":{\"containers\":[{\"image\":\"x\"}]}}".getBytes(StandardCharsets.UTF_8);
        HandlerChain.Response r = chain.serve(new HandlerChain.Request("POST", "/api/v1/namespaces/default/pods", alice, badName));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.bodyText()).contains("DNS-1123");
        byte[] badQuantity = ("{\"metadata\":{\"name\":\"w\"},\"spec\":{\"containers\":[{\"image\":\"x\","
                + "\"resources\":{\"requests\":{\"cpu\":\"lots\"}}}]}}").getBytes(StandardCharsets.UTF_8);
        assertThat(chain.serve(new HandlerChain.Request("POST", "/api/v1/namespaces/default/pods", alice, badQuantity)).status())
                .isEqualTo(422);
        assertThat(chain.serve(new HandlerChain.Request("POST", "/api/v1/namespaces/default/pods", alice,
                "not json".getBytes(StandardCharsets.UTF_8))).status()).isEqualTo(400);
    }

    @Test
    void unknownRoutesAre404() {
        assertThat(get("/apis/apps/v1/deployments", bearer("root", "system:masters")).status()).isEqualTo(404);
        assertThat(get("/api/v1/namespaces/default/pods/nope", bearer("root", "system:masters")).status()).isEqualTo(404);
    }

    @Test
    void boundedLoadOverHttpGetsEveryKindOfAnswerAndStops() throws Exception {
        // 40 pods per namespace, the server's default: the load's gets name seed pods 0..39
        try (ApiServerLikeDemo server = ApiServerLikeDemo.start(0, 40, 0)) {
            long t0 = System.nanoTime();
            DemoLoad.Stats s = DemoLoad.run(server.port(), 2, Duration.ofMillis(1500));
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(s.requests()).isPositive();
            assertThat(s.byStatus()).doesNotContainKey(-1).containsKey(200);
            assertThat(s.byStatus().keySet()).allMatch(k -> List.of(200, 201, 401, 403, 409).contains(k));
            assertThat(tookMillis).as("bounded by its duration plus the join grace").isLessThan(1500 + 5000 + 1000);
        }
    }
}
