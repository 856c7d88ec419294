package dev.ferry.bench.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two numbers a serverless user notices first (issue 16, part 2), each against a warm call of the same function
 * in the same run, on {@code ferry dev} itself in a child JVM (its own embedded broker and registry, the CLI on the
 * classpath: run it through {@code ferry bench}):
 *
 * <ul>
 *   <li>{@code first-call-after-deploy}: after N other functions were deployed (100; 50 quick), each repetition
 *       deploys a new {@code echo} over HTTP and, once the deploy answered, calls it synchronously: the time of that
 *       first call. Goal: p50 ≤ 2 s.
 *   <li>{@code cold-start}: one {@code echo} whose pool the autoscaler has taken to zero replicas (the child runs with
 *       {@code autoscaler.idle.ms} and {@code autoscaler.stabilization.ms} of 2 s so it gets there quickly); each
 *       repetition waits until the function shows zero replicas decided and zero members, then calls it. Goal: p50 ≤ 0.5 s.
 * </ul>
 *
 * Ferry's side is that first (or cold) call, the baseline a warm call of the same function right after it; the ratio
 * says how much the first call costs over a warm one, and the p50 in milliseconds is the goal.
 */
public final class FirstCallScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(FirstCallScenario.class);
    /**
     * {@code "replicas": 0} and {@code "desiredReplicas": 0} in a function's description: the autoscaler decided zero
     * and then saw no members (the members alone can read 0 in the sample that woke the pool).
     */
    private static final Pattern NO_MEMBERS = Pattern.compile("\"replicas\"\\s*:\\s*0\\s*[,}]");
    private static final Pattern DECIDED_ZERO = Pattern.compile("\"desiredReplicas\"\\s*:\\s*0\\s*[,}]");
    private static final String FERRY_MAIN = "dev.ferry.cli.Ferry";
    private static final String DEV_READY = "Ferry dev is ready";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final int DEPLOY_THREADS = 4;

    private final boolean coldStart;

    private FirstCallScenario(boolean coldStart) {
        this.coldStart = coldStart;
    }

    /** {@code first-call-after-deploy}. */
    public static FirstCallScenario afterDeploy() {
        return new FirstCallScenario(false);
    }

    /** {@code cold-start}. */
    public static FirstCallScenario coldStart() {
        return new FirstCallScenario(true);
    }

    @Override
    public String name() {
        return coldStart ? "cold-start" : "first-call-after-deploy";
    }

    private double goalMs() {
        return coldStart ? 500 : 2_000;
    }

    @Override
    public Outcome run(BenchCluster cluster, boolean quick) throws Exception {
        requireCli();
        int repetitions = quick ? 3 : 7;
        Path dir = Files.createTempDirectory("ferry-bench-first-call");
        try {
            int port = freePort();
            Path dataDir = dir.resolve("dev");
            List<String> args = new ArrayList<>(List.of("dev", "--data-dir", dataDir.toString(), "--port",
                    Integer.toString(port), "--kafka-port", Integer.toString(freePort()), "--registry-port",
                    Integer.toString(freePort()), "--metering-port", Integer.toString(freePort()), "--set",
                    "management.port=-1"));
            if (coldStart) {
                args.addAll(List.of("--set", "autoscaler.idle.ms=2000", "--set", "autoscaler.stabilization.ms=2000"));
            }
            try (ChildJvm child = ChildJvm.start(name(), List.of(), FERRY_MAIN, args, DEV_READY)) {
                child.awaitReady(START_TIMEOUT);
                Gateway gateway = new Gateway(port, Files.readString(dataDir.resolve("api-key")).trim());
                Samples first = new Samples();
                Samples warm = new Samples();
                String extra;
                if (coldStart) {
                    extra = coldStarts(gateway, repetitions, first, warm);
                } else {
                    extra = firstCalls(gateway, quick ? 50 : 100, repetitions, first, warm);
                }
                double p50 = first.median();
                String details = name() + " p50 " + Format.number(p50) + " ms, warm call p50 "
                        + Format.number(warm.median()) + " ms, ratio " + Format.ratio(p50 / warm.median()) + "; "
                        + extra + "; " + repetitions + " repetitions";
                return Outcome.of(name(), "ms", first, warm, false, Double.POSITIVE_INFINITY, details)
                        .withCondition("p50 ≤ " + Format.number(goalMs()) + " ms", p50 <= goalMs());
            }
        } finally {
            deleteTree(dir);
        }
    }

    private String firstCalls(Gateway gateway, int others, int repetitions, Samples first, Samples warm)
            throws Exception {
        long began = System.nanoTime();
        deployMany(gateway, others);
        double deploySeconds = (System.nanoTime() - began) / 1e9;
        Samples deploys = new Samples();
        for (int i = 0; i < repetitions; i++) {
            String name = String.format(Locale.ROOT, "first-%02d", i);
            long t0 = System.nanoTime();
            gateway.deploy(name);
            long t1 = System.nanoTime();
            gateway.invoke(name, "first");
            long t2 = System.nanoTime();
            gateway.invoke(name, "warm");
            long t3 = System.nanoTime();
            deploys.add((t1 - t0) / 1e6);
            first.add((t2 - t1) / 1e6);
            warm.add((t3 - t2) / 1e6);
            log.info("{}: deploy {} ms, first call {} ms, warm call {} ms", name(), (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
        }
        return others + " functions deployed first (in " + Format.number(deploySeconds) + " s, " + DEPLOY_THREADS
                + " at a time); the deploy itself p50 " + Format.number(deploys.median()) + " ms";
    }

    private String coldStarts(Gateway gateway, int repetitions, Samples first, Samples warm) throws Exception {
        String name = "cold";
        gateway.deploy(name);
        gateway.invoke(name, "warm-up");
        Samples zeroWaits = new Samples();
        for (int i = 0; i < repetitions; i++) {
            long waitBegan = System.nanoTime();
            gateway.awaitZeroReplicas(name, Duration.ofMinutes(2));
            zeroWaits.add((System.nanoTime() - waitBegan) / 1e9);
            long t1 = System.nanoTime();
            gateway.invoke(name, "cold");
            long t2 = System.nanoTime();
            gateway.invoke(name, "warm");
            long t3 = System.nanoTime();
            first.add((t2 - t1) / 1e6);
            warm.add((t3 - t2) / 1e6);
            log.info("{}: cold call {} ms, warm call {} ms", name(), (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
        }
        return "each call after the pool showed zero replicas (waited p50 " + Format.number(zeroWaits.median())
                + " s for it; autoscaler.idle.ms and stabilization.ms 2 s)";
    }

    private static void deployMany(Gateway gateway, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(DEPLOY_THREADS);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = String.format(Locale.ROOT, "other-%04d", i);
                calls.add(pool.submit(() -> {
                    gateway.deploy(name);
                    return null;
                }));
            }
            for (Future<?> call : calls) {
                call.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The child's gateway over HTTP. */
    private record Gateway(int port, String apiKey) {

        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .build();

        void deploy(String name) throws Exception {
            expect2xx("deploying " + name, send("PUT", "/v1/functions/" + name,
                    "{\"runtime\":\"JAVA\",\"handler\":\"echo\"}"));
        }

        void invoke(String name, String payload) throws Exception {
            HttpResponse<String> response = send("POST", "/v1/functions/" + name + "/invoke", payload);
            expect2xx("calling " + name, response);
            if (!response.body().contains(payload)) {
                throw new IllegalStateException("calling " + name + " answered " + response.body());
            }
        }

        void awaitZeroReplicas(String name, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                String fn = send("GET", "/v1/functions/" + name, null).body();
                if (NO_MEMBERS.matcher(fn).find() && DECIDED_ZERO.matcher(fn).find()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not scale to zero within " + timeout.toSeconds()
                            + " s: " + fn);
                }
                Thread.sleep(200);
            }
        }

        private HttpResponse<String> send(String method, String path, String body) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + apiKey)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (body != null && body.startsWith("{")) {
                request.header("Content-Type", "application/json");
            }
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }

        private static void expect2xx(String what, HttpResponse<String> response) {
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(what + ": HTTP " + response.statusCode() + " " + response.body());
            }
        }
    }

    private static void requireCli() {
        try {
            Class.forName(FERRY_MAIN, false, FirstCallScenario.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("first-call-after-deploy and cold-start run `ferry dev` in a child JVM "
                    + "and need the CLI on the classpath: run them through `ferry bench`");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", root, e.toString());
        }
    }
}
