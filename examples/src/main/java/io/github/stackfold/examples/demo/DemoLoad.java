package io.github.stackfold.examples.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A bounded load generator for {@link ApiServerLikeDemo}: {@code clients} threads, each sending
 * requests back to back until the time is up, in the mix of {@link RequestMix}.
 */
public final class DemoLoad {
    /** The status counted for a request that got no HTTP response (connection failed or timed out). */
    public static final int FAILED = -1;

    /** What the load did: requests sent, per HTTP status ({@link #FAILED}, -1, for no response). */
    public record Stats(long requests, Map<Integer, Long> byStatus) {
        /** The counts of several clients (each map guarded by its own lock) added up by status. */
        public static Stats sum(List<Map<Integer, Long>> perClient) {
            Map<Integer, Long> total = new TreeMap<>();
            long n = 0;
            for (Map<Integer, Long> m : perClient) {
                synchronized (m) {
                    for (Map.Entry<Integer, Long> e : m.entrySet()) {
                        total.merge(e.getKey(), e.getValue(), Long::sum);
                        n += e.getValue();
                    }
                }
            }
            return new Stats(n, total);
        }

        /**
         * The counts by status for people: {@code 200: 3488, 408: 4, no response: 419 (connection failed
         * or timed out after 5 s)}; "no response" is the -1 of {@link #byStatus()}.
         */
        public String byStatusText() {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<Integer, Long> e : byStatus.entrySet()) {
                if (e.getKey() != FAILED) {
                    sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(": ").append(e.getValue());
                }
            }
            Long failed = byStatus.get(FAILED);
            if (failed != null) {
                sb.append(sb.length() == 0 ? "" : ", ").append("no response: ").append(failed)
                        .append(" (connection failed or timed out after 5 s)");
            }
            return sb.toString();
        }

    }

    private static final AtomicInteger RUN = new AtomicInteger();

    private DemoLoad() {
    }

    /** Sends requests to 127.0.0.1:{@code port} from {@code clients} threads for {@code duration}. */
    public static Stats run(int port, int clients, Duration duration) throws InterruptedException {
        return run(port, clients, duration, new AtomicBoolean());
    }

    /**
     * Sends requests to 127.0.0.1:{@code port} from {@code clients} threads for {@code duration}, or
     * until {@code stop} is set.
     */
    public static Stats run(int port, int clients, Duration duration, AtomicBoolean stop) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        URI base = URI.create("http://127.0.0.1:" + port);
        int run = RUN.incrementAndGet();
        List<Map<Integer, Long>> results = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Map<Integer, Long> counts = new TreeMap<>();
            results.add(counts);
            int client = c;
            RequestMix mix = new RequestMix(31L * client + run, "load-" + ProcessHandle.current().pid() + "-" + run + "-" + client);
            Thread t = new Thread(() -> clientLoop(http, base, mix, deadline, stop, counts), "demo-load-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        long waitMillis = duration.toMillis() + 5000;
        for (Thread t : threads) {
            t.join(Math.max(1, waitMillis));
            t.interrupt();
        }
        return Stats.sum(results);
    }

    private static void clientLoop(HttpClient http, URI base, RequestMix mix, long deadline, AtomicBoolean stop,
            Map<Integer, Long> counts) {
        // at least one request per client, even when the thread starts late on a busy machine
        boolean first = true;
        while (first || (System.nanoTime() < deadline && !stop.get() && !Thread.currentThread().isInterrupted())) {
            first = false;
            HandlerChain.Request r = mix.next();
            HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve(r.path()));
            if ("POST".equals(r.method())) {
                req.POST(HttpRequest.BodyPublishers.ofByteArray(r.body()));
            } else {
                req.GET();
            }
            if (!sendAndCount(http, req.header("Authorization", r.authorization()).timeout(Duration.ofSeconds(5)).build(),
                    counts)) {
                return;
            }
        }
    }

    /**
     * Sends one request of a load client and counts its status in {@code counts} ({@link #FAILED} when
     * it could not be sent); false when the thread was interrupted, which ends the client's loop.
     */
    public static boolean sendAndCount(HttpClient http, HttpRequest request, Map<Integer, Long> counts) {
        int status;
        try {
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            status = FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        synchronized (counts) {
            counts.merge(status, 1L, Long::sum);
        }
        return true;
    }

    /**
     * The request mix of one client: mostly lists (in one namespace and across all), some gets and
     * creates, a few callers that are denied (403) or carry a forged token (401). Not thread-safe.
     */
    static final class RequestMix {
        private final SplittableRandom rnd;
        private final String prefix;
        private final String[] tokens;
        private final String forged;
        private final JsonCodec codec = new JsonCodec();
        private int created;

        RequestMix(long seed, String prefix) {
            this.rnd = new SplittableRandom(seed);
            this.prefix = prefix;
            long exp = System.currentTimeMillis() / 1000 + 3600;
            this.tokens = new String[] {
                DemoTokens.mint("alice", List.of("developers"), exp),
                DemoTokens.mint("victor", List.of("viewers"), exp),
                DemoTokens.mint("admin", List.of("system:masters"), exp),
                DemoTokens.mint("mallory", List.of("guests"), exp),
            };
            this.forged = tokens[0].substring(0, tokens[0].indexOf('.') + 1) + "AAAA";
        }

        HandlerChain.Request next() {
            List<String> ns = ApiServerLikeDemo.NAMESPACES;
            int dice = rnd.nextInt(100);
            String namespace = ns.get(rnd.nextInt(ns.size()));
            String pods = "/api/v1/namespaces/" + namespace + "/pods";
            if (dice < 55) {
                return get(pods, tokens[rnd.nextInt(3)]);
            } else if (dice < 65) {
                return get("/api/v1/pods", tokens[1 + rnd.nextInt(2)]); // cluster-wide: viewers and admins
            } else if (dice < 80) {
                // the seed pods of a server with its default --pods-per-namespace 40
                return get(pods + "/seed-" + namespace + "-" + rnd.nextInt(40), tokens[rnd.nextInt(3)]);
            } else if (dice < 92) {
                String name = prefix + "-" + (created++ % 25); // bounded: later creates conflict (409)
                return new HandlerChain.Request("POST", pods, bearer(tokens[rnd.nextBoolean() ? 0 : 2]),
                        codec.encode(podJson(codec, name, created)));
            } else if (dice < 97) {
                return get(pods, tokens[3]);
            }
            return get(pods, forged);
        }

        private static HandlerChain.Request get(String path, String token) {
            return new HandlerChain.Request("GET", path, bearer(token), new byte[0]);
        }

        private static String bearer(String token) {
            return "Bearer " + token;
        }
    }

    /** {@code DemoLoad PORT [CLIENTS] [SECONDS]}: loads a running demo server and prints the counts. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1) {
            System.err.println("usage: DemoLoad PORT [CLIENTS=2] [SECONDS=10]");
            System.exit(64);
        }
        int port = Integer.parseInt(args[0]);
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        long seconds = args.length > 2 ? Long.parseLong(args[2]) : 10;
        Stats s = run(port, clients, Duration.ofSeconds(seconds));
        System.out.println(s.requests() + " requests, by status " + s.byStatusText());
    }

    /** A pod object as a client would send it. */
    public static ObjectNode podJson(JsonCodec codec, String name, int i) {
        ObjectNode pod = codec.newObject();
        pod.put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode meta = pod.putObject("metadata");
        meta.put("name", name);
        meta.putObject("labels").put("tier", i % 2 == 0 ? "frontend" : "backend").put("release", "r" + (i % 7));
        ObjectNode spec = pod.putObject("spec");
        for (int c = 0; c < 2; c++) {
            ObjectNode container = spec.withArray("containers").addObject();
            container.put("name", c == 0 ? "app" : "sidecar");
            container.put("image", c == 0 ? "registry.example/app:1." + (i % 5) : "registry.example/proxy:latest");
            ObjectNode req = container.putObject("resources").putObject("requests");
            req.put("cpu", (100 + 10 * (i % 9)) + "m").put("memory", (64 << (i % 3)) + "Mi");
            container.putArray("ports").addObject().put("containerPort", 8080 + c).put("protocol", "TCP");
            container.putArray("env").addObject().put("name", "POD_INDEX").put("value", String.valueOf(i));
        }
        spec.put("restartPolicy", "Always").put("serviceAccountName", "default");
        return pod;
    }
}
