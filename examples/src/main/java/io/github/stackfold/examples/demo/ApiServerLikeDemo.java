package io.github.stackfold.examples.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A small server with kube-apiserver's request path ({@link HandlerChain}: authentication,
 * authorization, admission, storage with JSON serialization), on 127.0.0.1, for {@code flame demo} to
 * profile where no Kubernetes cluster is at hand. Run it as its own JVM so perf sees only it:
 *
 * <pre>
 * java -XX:+PreserveFramePointer -cp flame.jar io.github.stackfold.examples.demo.ApiServerLikeDemo \
 *     [--port 0] [--max-seconds 600] [--pods-per-namespace 40] [--warmup-requests 1000] [--exit-on-stdin-eof]
 * </pre>
 *
 * It prints {@code stackfold-demo listening on 127.0.0.1:PORT pid PID} when ready, and exits after
 * {@code --max-seconds}, on SIGTERM, or with {@code --exit-on-stdin-eof} when its standard input ends
 * (how a parent that dies without cleaning up still takes it along). Drive it
 * with {@link DemoLoad}.
 */
public final class ApiServerLikeDemo implements AutoCloseable {
    /** The demo's namespaces, in the order the policy and the seed data use them. */
    public static final List<String> NAMESPACES = List.of("default", "kube-system", "team-a", "team-b", "team-c");
    /** The line prefix printed when the server accepts connections. */
    public static final String READY = "stackfold-demo listening on 127.0.0.1:";

    private final HttpServer server;
    private final ExecutorService workers;
    private final HandlerChain chain;

    private ApiServerLikeDemo(HttpServer server, ExecutorService workers, HandlerChain chain) {
        this.server = server;
        this.workers = workers;
        this.chain = chain;
    }

    /**
     * Starts a server on 127.0.0.1:{@code port} (0: any free port) seeded with {@code podsPerNamespace}
     * pods, after serving {@code warmupRequests} requests in-process so the JIT has compiled the chain
     * (a profile of interpreter frames names nothing).
     */
    public static ApiServerLikeDemo start(int port, int podsPerNamespace, int warmupRequests) throws IOException {
        // Without TCP_NODELAY small keep-alive responses wait for the client's delayed ACK (~40 ms):
        // the server would idle instead of doing the work worth profiling.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HandlerChain chain = newChain(podsPerNamespace);
        DemoLoad.RequestMix mix = new DemoLoad.RequestMix(7, "warmup");
        for (int i = 0; i < warmupRequests; i++) {
            chain.serve(mix.next());
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        ExecutorService workers = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "demo-handler");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(workers);
        ApiServerLikeDemo demo = new ApiServerLikeDemo(server, workers, chain);
        server.createContext("/", demo::handle);
        server.start();
        return demo;
    }

    /** A chain with the demo policy and seed data. */
    public static HandlerChain newChain(int podsPerNamespace) {
        JsonCodec codec = new JsonCodec();
        Storage storage = new Storage(codec);
        Admission admission = new Admission();
        UserInfo seeder = new UserInfo("system:admin", List.of("system:masters"));
        long now = System.currentTimeMillis();
        for (String ns : NAMESPACES) {
            for (int i = 0; i < podsPerNamespace; i++) {
                ObjectNode pod = DemoLoad.podJson(codec, "seed-" + ns + "-" + i, i);
                try {
                    admission.admit(seeder, ns, pod, now);
                } catch (Admission.Rejected e) {
                    throw new IllegalStateException("seed pod rejected: " + e.getMessage(), e);
                }
                storage.create(ns, pod.path("metadata").path("name").asText(), pod);
            }
        }
        return new HandlerChain(new Authentication(), Authorization.demoPolicy(NAMESPACES, 150), admission, storage, codec);
    }

    /** The port the server listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            HandlerChain.Response r = chain.serve(new HandlerChain.Request(ex.getRequestMethod(),
                    ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Authorization"), body));
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(r.status(), r.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        long maxSeconds = 600;
        int pods = 40;
        int warmup = 1000;
        boolean watchStdin = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--max-seconds" -> maxSeconds = Long.parseLong(args[++i]);
                case "--pods-per-namespace" -> pods = Integer.parseInt(args[++i]);
                case "--exit-on-stdin-eof" -> watchStdin = true;
                case "--warmup-requests" -> warmup = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: ApiServerLikeDemo [--port N] [--max-seconds S] [--pods-per-namespace N] [--warmup-requests N] [--exit-on-stdin-eof]");
                    System.exit(64);
                }
            }
        }
        ApiServerLikeDemo demo = start(port, pods, warmup);
        Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "demo-shutdown"));
        PrintStream out = System.out;
        out.println(READY + demo.port() + " pid " + ProcessHandle.current().pid());
        out.flush();
        if (watchStdin) {
            watchStdin();
        }
        TimeUnit.SECONDS.sleep(maxSeconds);
        System.exit(0);
    }

    /** Never outlive the parent: end when stdin closes (the parent died or closed the pipe). */
    private static void watchStdin() {
        Thread stdinWatch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // discard
                }
            } catch (IOException ignored) {
                // treat as closed
            }
            System.exit(0);
        }, "demo-stdin-watch");
        stdinWatch.setDaemon(true);
        stdinWatch.start();
    }
}
