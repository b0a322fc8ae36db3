package io.github.stackfold.examples.demo;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The demo server's request path, shaped like kube-apiserver's: authentication, authorization,
 * admission (writes), then the REST handlers over storage, each response JSON-encoded. Independent of
 * HTTP so tests can call it directly; {@link ApiServerLikeDemo} adapts it to
 * {@code com.sun.net.httpserver}.
 *
 * <p>Routes: {@code GET /api/v1/pods}, {@code GET|POST /api/v1/namespaces/NS/pods},
 * {@code GET /api/v1/namespaces/NS/pods/NAME}, {@code GET /healthz}.
 */
public final class HandlerChain {
    /** An HTTP request as the chain sees it. */
    public record Request(String method, String path, String authorization, byte[] body) {
    }

    /** Status and JSON body. */
    public record Response(int status, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Authentication authentication;
    private final Authorization authorization;
    private final Admission admission;
    private final Storage storage;
    private final JsonCodec codec;

    public HandlerChain(Authentication authentication, Authorization authorization, Admission admission,
            Storage storage, JsonCodec codec) {
        this.authentication = authentication;
        this.authorization = authorization;
        this.admission = admission;
        this.storage = storage;
        this.codec = codec;
    }

    /** Serves one request (thread-safe). */
    public Response serve(Request req) {
        if ("/healthz".equals(req.path())) {
            return new Response(200, "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8));
        }
        long now = System.currentTimeMillis();
        UserInfo user = authentication.authenticate(req.authorization(), now / 1000);
        if (user == null) {
            return status(401, "Unauthorized", "no valid bearer token");
        }
        Route route = Route.parse(req.method(), req.path());
        if (route == null) {
            return status(404, "NotFound", "no route for " + req.method() + " " + req.path());
        }
        if (!authorization.authorize(user, route.verb, "pods", route.namespace, route.name)) {
            return status(403, "Forbidden", "user \"" + user.name() + "\" cannot " + route.verb + " pods"
                    + (route.namespace == null ? " at the cluster scope" : " in namespace \"" + route.namespace + "\""));
        }
        switch (route.verb) {
            case "list":
                return listResource(route.namespace);
            case "get":
                return getResource(route.namespace, route.name);
            default:
                return createResource(user, route.namespace, req.body(), now);
        }
    }

    Response listResource(String namespace) {
        List<ObjectNode> items = storage.list(namespace);
        ObjectNode list = codec.newObject();
        list.put("kind", "PodList").put("apiVersion", "v1");
        list.putObject("metadata").put("resourceVersion", String.valueOf(storage.size()));
        ArrayNode arr = list.putArray("items");
        arr.addAll(items);
        return new Response(200, codec.encode(list));
    }

    Response getResource(String namespace, String name) {
        ObjectNode pod = storage.get(namespace, name);
        if (pod == null) {
            return status(404, "NotFound", "pods \"" + name + "\" not found");
        }
        return new Response(200, codec.encode(pod));
    }

    Response createResource(UserInfo user, String namespace, byte[] body, long now) {
        ObjectNode pod;
        try {
            pod = codec.decode(body);
        } catch (IllegalArgumentException e) {
            return status(400, "BadRequest", e.getMessage());
        }
        try {
            admission.admit(user, namespace, pod, now);
        } catch (Admission.Rejected e) {
            return status(422, "Invalid", e.getMessage());
        }
        String name = pod.path("metadata").path("name").asText();
        if (!storage.create(namespace, name, pod)) {
            return status(409, "AlreadyExists", "pods \"" + name + "\" already exists");
        }
        return new Response(201, codec.encode(pod));
    }

    private Response status(int code, String reason, String message) {
        ObjectNode s = codec.newObject();
        s.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
                .put("reason", reason).put("message", message).put("code", code);
        return new Response(code, codec.encode(s));
    }

    private static final class Route {
        final String verb;
        final String namespace;
        final String name;

        private Route(String verb, String namespace, String name) {
            this.verb = verb;
            this.namespace = namespace;
            this.name = name;
        }

        static Route parse(String method, String path) {
            String[] p = path.split("/", -1);
            // "", "api", "v1", ...
            if (p.length < 4 || !p[1].equals("api") || !p[2].equals("v1")) {
                return null;
            }
            if (p.length == 4 && p[3].equals("pods")) {
                return "GET".equals(method) ? new Route("list", null, null) : null;
            }
            if (p.length >= 6 && p[3].equals("namespaces") && p[5].equals("pods") && !p[4].isEmpty()) {
                if (p.length == 6) {
                    return switch (method) {
                        case "GET" -> new Route("list", p[4], null);
                        case "POST" -> new Route("create", p[4], null);
                        default -> null;
                    };
                }
                if (p.length == 7 && !p[6].isEmpty() && "GET".equals(method)) {
                    return new Route("get", p[4], p[6]);
                }
            }
            return null;
        }
    }
}
