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
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ferry dev} itself in a child JVM ({@link ChildJvm}) on free ports, its data in a temporary directory
 * deleted on close, for the scenarios that measure the whole process ({@code idle-cpu}, {@code
 * first-call-after-deploy}, {@code cold-start}). The CLI must be on the classpath: such scenarios run through
 * {@code ferry bench}.
 */
final class DevChild implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DevChild.class);
    private static final String FERRY_MAIN = "dev.ferry.cli.Ferry";
    private static final String DEV_READY = "Ferry dev is ready";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private final Path dir;
    private final ChildJvm child;
    private final int kafkaPort;
    private final Gateway gateway;

    private DevChild(Path dir, ChildJvm child, int kafkaPort, Gateway gateway) {
        this.dir = dir;
        this.child = child;
        this.kafkaPort = kafkaPort;
        this.gateway = gateway;
    }

    /**
     * Starts dev with {@code settings} ({@code key=value}, each passed as {@code --set}) and waits until it says it
     * is ready.
     *
     * @param scenario the scenario asking, named in the message when the CLI is missing
     * @throws IllegalStateException when the CLI is not on the classpath, or dev is not ready within 3 minutes
     */
    static DevChild start(String scenario, List<String> settings) throws Exception {
        try {
            Class.forName(FERRY_MAIN, false, DevChild.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(scenario + " runs `ferry dev` in a child JVM and needs the CLI on the "
                    + "classpath: run it through `ferry bench --only " + scenario + "`");
        }
        Path dir = Files.createTempDirectory("ferry-bench-" + scenario);
        ChildJvm child = null;
        try {
            int port = freePort();
            int kafkaPort = freePort();
            Path dataDir = dir.resolve("dev");
            List<String> args = new ArrayList<>(List.of("dev", "--data-dir", dataDir.toString(),
                    "--port", Integer.toString(port), "--kafka-port", Integer.toString(kafkaPort),
                    "--registry-port", Integer.toString(freePort()), "--metering-port", Integer.toString(freePort()),
                    "--set", "management.port=-1"));
            settings.forEach(setting -> args.addAll(List.of("--set", setting)));
            child = ChildJvm.start(scenario, ChildJvm.ferryJavaOptions(), FERRY_MAIN, args, DEV_READY);
            child.awaitReady(START_TIMEOUT);
            String apiKey = Files.readString(dataDir.resolve("api-key")).trim();
            return new DevChild(dir, child, kafkaPort, new Gateway(port, apiKey));
        } catch (Exception | Error e) {
            if (child != null) {
                child.close();
            }
            deleteTree(dir);
            throw e;
        }
    }

    /** Free ports for a child's listeners: the OS's choice, released at once for the child to bind. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    ChildJvm jvm() {
        return child;
    }

    int kafkaPort() {
        return kafkaPort;
    }

    Gateway gateway() {
        return gateway;
    }

    @Override
    public void close() {
        try {
            child.close();
        } finally {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", root, e.toString());
        }
    }

    /** The child's gateway over HTTP, as its tenant (the API key dev writes to its data directory). */
    record Gateway(int port, String apiKey) {

        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .build();

        /** Deploys the built-in {@code echo} as {@code name}; returns once the gateway has answered 2xx. */
        void deploy(String name) throws Exception {
            expect2xx("deploying " + name, send("PUT", "/v1/functions/" + name,
                    "{\"runtime\":\"JAVA\",\"handler\":\"echo\"}"));
        }

        /**
         * Deploys {@code prefix-NNNN} for each number from {@code from} (inclusive) to {@code to} (exclusive),
         * {@code inFlight} at a time.
         */
        void deployMany(String prefix, int from, int to, int inFlight) throws Exception {
            if (to <= from) {
                return;
            }
            ExecutorService pool = Executors.newFixedThreadPool(inFlight);
            try {
                List<Future<?>> calls = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    String name = String.format(Locale.ROOT, "%s-%04d", prefix, i);
                    calls.add(pool.submit(() -> {
                        deploy(name);
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

        /** Calls {@code name} synchronously with {@code payload}, which echo must answer with. */
        void invoke(String name, String payload) throws Exception {
            HttpResponse<String> response = send("POST", "/v1/functions/" + name + "/invoke", payload);
            expect2xx("calling " + name, response);
            if (!response.body().contains(payload)) {
                throw new IllegalStateException("calling " + name + " answered " + response.body());
            }
        }

        HttpResponse<String> send(String method, String path, String body) throws Exception {
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
}
