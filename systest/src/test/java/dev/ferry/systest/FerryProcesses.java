package dev.ferry.systest;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Ferry's services as separate OS processes, each started with the real command line from cli's built jar
 * ({@code java -jar ferry.jar gateway|dispatcher|worker|autoscaler|metering --bootstrap-servers ... --set ...}), the
 * way {@code docker-compose.yml} and the Kubernetes manifests run them. Every process gets its own ports (a fixed
 * gateway port and metering port, so clients and peers find a restarted instance where it was; the management
 * listener on a free port), its own {@code dispatcher.transactional.id}, {@code worker.id} and metering state
 * directory, as a deployment across machines would.
 */
final class FerryProcesses implements AutoCloseable {

    /** How many instances of each service: the issue's full layout, or the short CI case's. */
    record Layout(int gateways, int dispatchers, int workers, int autoscalers, int meterings) {
        static final Layout FULL = new Layout(2, 2, 2, 1, 2);
        static final Layout SMALL = new Layout(1, 1, 2, 0, 1);
    }

    /** A service process and where it answers. */
    record Service(String role, int index, OsProcess process, int port) {
        String name() {
            return process.name();
        }
    }

    static final String TENANT = "systest";
    static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

    private final Path jar;
    private final Path dir;
    private final String bootstrapServers;
    private final String registryUrl;
    private final List<String> jvmOptions;
    private final Map<String, Service> services = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private String apiKey;

    FerryProcesses(Path jar, Path dir, String bootstrapServers, String registryUrl, List<String> jvmOptions) {
        this.jar = jar;
        this.dir = dir;
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** Creates the tenant, starts every service of {@code layout} at once and waits until each is ready. */
    FerryProcesses start(Layout layout) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        apiKey = createTenant();
        List<Integer> meteringPorts = new ArrayList<>();
        for (int i = 0; i < layout.meterings(); i++) {
            int port = KafkaProcesses.freePort();
            meteringPorts.add(port);
            add("metering", i, port, List.of("--set", "metering.http.port=" + port,
                    "--set", "metering.state.dir=" + dir.resolve("metering-" + i + "-state"),
                    "--set", "metering.window.ms=5000", "--set", "metering.grace.ms=2000"));
        }
        for (int i = 0; i < layout.dispatchers(); i++) {
            add("dispatcher", i, -1, List.of("--set", "dispatcher.transactional.id=systest-dispatcher-" + i));
        }
        for (int i = 0; i < layout.workers(); i++) {
            add("worker", i, -1, List.of("--set", "worker.id=worker-" + i));
        }
        for (int i = 0; i < layout.autoscalers(); i++) {
            // Worker processes here run one replica per function; the autoscaler decides and publishes
            // (ferry.scaling, ferry.lag), which the gateways show. The kubernetes actuator has no cluster here.
            add("autoscaler", i, -1, List.of("--set", "autoscaler.actuator=none"));
        }
        for (int i = 0; i < layout.gateways(); i++) {
            int port = KafkaProcesses.freePort();
            List<String> args = new ArrayList<>(List.of("--set", "gateway.port=" + port,
                    "--set", "gateway.tenants.file=" + dir.resolve("tenants.json")));
            if (!meteringPorts.isEmpty()) {
                args.addAll(List.of("--metering-url", "http://localhost:" + meteringPorts.get(i % meteringPorts.size())));
            }
            add("gateway", i, port, args);
        }
        services.values().forEach(s -> s.process().start());
        services.values().forEach(this::awaitReady);
        return this;
    }

    private void add(String role, int index, int port, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), role, "--bootstrap-servers", bootstrapServers,
                "--schema-registry", registryUrl, "--set", "management.port=0"));
        command.addAll(args);
        String name = role + "-" + index;
        services.put(name, new Service(role, index, new OsProcess(name, command, Map.of("FERRY_LOG_LEVEL", "INFO"),
                dir), port));
    }

    private String createTenant() {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), "tenants", "create", TENANT, "--file", dir.resolve("tenants.json").toString(),
                "--requests-per-second", "10000", "--burst", "10000", "--max-concurrent", "10000");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("ferry tenants create failed: " + out);
            }
            String[] lines = out.strip().split("\\R");
            return lines[lines.length - 1].strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String apiKey() {
        return apiKey;
    }

    Service service(String name) {
        Service s = services.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no service " + name + "; there are " + services.keySet());
        }
        return s;
    }

    List<Service> services() {
        return List.copyOf(services.values());
    }

    List<URI> gatewayUrls() {
        return services.values().stream().filter(s -> s.role().equals("gateway"))
                .map(s -> URI.create("http://localhost:" + s.port())).toList();
    }

    /** SIGKILL of one service. */
    void kill(String name) {
        service(name).process().kill();
    }

    /** SIGTERM of one service; returns its exit status (0 is a clean stop). */
    int stop(String name) {
        return service(name).process().stop(Duration.ofSeconds(60));
    }

    /** Starts a stopped or killed service again with the same command line and waits until it is ready. */
    void restart(String name) {
        Service s = service(name);
        s.process().start();
        awaitReady(s);
    }

    /** Deploys {@code function} through the first gateway and waits until every gateway knows it. */
    void deploy(String function, String specJson) {
        URI first = gatewayUrls().get(0);
        int status = send(HttpRequest.newBuilder(first.resolve("/v1/functions/" + function))
                .PUT(HttpRequest.BodyPublishers.ofString(specJson)).header("Content-Type", "application/json"));
        if (status != 200 && status != 201) {
            throw new IllegalStateException("deploying " + function + " answered " + status);
        }
        for (URI gateway : gatewayUrls()) {
            await("gateway " + gateway + " knows " + function).atMost(Duration.ofSeconds(60))
                    .until(() -> send(HttpRequest.newBuilder(gateway.resolve("/v1/functions/" + function)).GET())
                            == 200);
        }
    }

    private int send(HttpRequest.Builder request) {
        try {
            return http.send(request.header("Authorization", "Bearer " + apiKey).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void awaitReady(Service s) {
        switch (s.role()) {
            case "gateway", "metering" -> {
                URI readyz = URI.create("http://localhost:" + s.port() + "/readyz");
                await(s.name() + " ready").atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
                    failIfDead(s);
                    return send(HttpRequest.newBuilder(readyz).GET()) == 200;
                });
            }
            default -> s.process().awaitPrinted("is running", READY_TIMEOUT);
        }
    }

    private static void failIfDead(Service s) {
        if (!s.process().isAlive()) {
            throw new IllegalStateException(s.name() + " exited; its log ends with:\n" + s.process().tail(40));
        }
    }

    @Override
    public void close() {
        List<Service> reverse = new ArrayList<>(services.values());
        java.util.Collections.reverse(reverse);
        reverse.forEach(s -> s.process().destroy());
    }
}
