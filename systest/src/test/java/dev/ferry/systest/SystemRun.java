package dev.ferry.systest;

import static org.awaitility.Awaitility.await;

import dev.ferry.embedded.EmbeddedSchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One system-test case's world: a Kafka cluster of separate processes (a controller and three brokers), a schema
 * registry in the test JVM on that cluster, Ferry's services as separate processes, one deployed function and a
 * load generator. Each case gets a fresh one and closes it (every process killed) at the end.
 *
 * <p>Phases are counted in calls, not in seconds: "the next {@code n} calls" at the load's steady rate, so a slow
 * machine stretches the case instead of judging it on less traffic.
 */
final class SystemRun implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SystemRun.class);

    /** Calls per second of the steady load, half synchronous. */
    static final int RATE = 20;
    static final String FUNCTION = "work";
    /** The built-in sleep for 50 ms: long enough for attempts to be in flight when a worker dies. */
    static final String PAYLOAD = "{\"ms\": 50}";
    private static final String SPEC = "{\"runtime\": \"JAVA\", \"handler\": \"sleep\", \"memoryMb\": 256, "
            + "\"timeoutMs\": 10000, \"concurrency\": 8, \"maxAttempts\": 3}";
    static final List<String> KAFKA_JVM = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            logging());
    static final List<String> FERRY_JVM = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            logging());

    /** Every process logs Kafka's client warnings too (process-logback.xml), to explain what a case found. */
    private static String logging() {
        try {
            return "-Dlogback.configurationFile=" + Path.of(SystemRun.class.getResource("/process-logback.xml").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private final String name;
    private final FerryProcesses.Layout layout;
    private final KafkaProcesses kafka;
    private final EmbeddedSchemaRegistry registry;
    private final FerryProcesses ferry;
    private final LoadGenerator load;
    private final Set<String> killedWorkers = new LinkedHashSet<>();
    private final List<String> notes = new ArrayList<>();

    private SystemRun(String name, FerryProcesses.Layout layout, KafkaProcesses kafka, EmbeddedSchemaRegistry registry,
            FerryProcesses ferry) {
        this.name = name;
        this.layout = layout;
        this.kafka = kafka;
        this.registry = registry;
        this.ferry = ferry;
        this.load = new LoadGenerator(ferry.gatewayUrls(), ferry.apiKey(), FUNCTION, PAYLOAD);
    }

    /** Starts everything for case {@code name} under {@code root}, deploys the function and sees it answer. */
    static SystemRun start(String name, FerryProcesses.Layout layout, Path root) throws Exception {
        Path jar = Path.of(System.getProperty("ferry.jar", "../cli/target/ferry.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with mvn -pl systest -am verify (cli's "
                    + "package phase makes it)");
        }
        Path dir = root.resolve(name);
        deleteRecursively(dir); // a previous run's brokers were formatted with another cluster id
        long began = System.nanoTime();
        KafkaProcesses kafka = KafkaProcesses.start(jar, dir.resolve("kafka"), 3, KAFKA_JVM);
        EmbeddedSchemaRegistry registry = null;
        FerryProcesses ferry = null;
        try {
            registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0);
            ferry = new FerryProcesses(jar, dir.resolve("ferry"), kafka.bootstrapServers(), registry.url(), FERRY_JVM)
                    .start(layout);
            ferry.deploy(FUNCTION, SPEC);
            SystemRun run = new SystemRun(name, layout, kafka, registry, ferry);
            // Each gateway answers a synchronous call before the load starts: the pools have joined their groups.
            for (int i = 0; i < ferry.gatewayUrls().size(); i++) {
                await("a first answer").atMost(Duration.ofSeconds(120)).until(() -> run.load.callOnce(true).status()
                        == 200);
            }
            log.info("case {}: {} Kafka processes and {} Ferry processes up in {} s", name, kafka.brokerCount() + 1,
                    ferry.services().size(), (System.nanoTime() - began) / 1_000_000_000);
            return run;
        } catch (Exception | Error e) {
            if (ferry != null) {
                ferry.close();
            }
            if (registry != null) {
                registry.close();
            }
            kafka.close();
            throw e;
        }
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    KafkaProcesses kafka() {
        return kafka;
    }

    FerryProcesses ferry() {
        return ferry;
    }

    /** Starts the steady load. */
    void startLoad() {
        load.start(RATE);
    }

    /**
     * Waits until {@code n} more calls have been answered by some gateway (at {@link #RATE} a second). A phase that
     * does not get there within 2 minutes is a stall, noted in the case's row; the case goes on to its verdict.
     */
    void steadyFor(int n) {
        long target = answered() + n;
        try {
            await(n + " more answered calls").atMost(Duration.ofSeconds(Math.max(120, 5L * n / RATE)))
                    .pollInterval(Duration.ofMillis(200)).until(() -> answered() >= target);
        } catch (ConditionTimeoutException e) {
            long got = n - (target - answered());
            log.warn("case {}: the load stalled: {} of {} calls answered within the phase", name, got, n);
            notes.add("Stalled: only " + got + " of " + n + " calls answered in a phase of 2 minutes.");
        }
    }

    private long answered() {
        return load.calls().stream().filter(c -> c.id() != null).count();
    }

    /** SIGKILL of a service process; a worker's id is remembered, its in-flight attempts may be answered twice. */
    void kill(String service) {
        if (service.startsWith("worker-")) {
            killedWorkers.add(service);
        }
        ferry.kill(service);
    }

    /** Stops the load, verifies and adds the case's row to the report; returns the verdict. */
    Verifier.Verdict finish(String fault, String notes) {
        load.stop();
        log.info("case {}: load done: {}", name, load.summary());
        Verifier verifier = new Verifier(kafka.bootstrapServers(), registry.url(), FerryProcesses.TENANT, FUNCTION);
        Verifier.Verdict verdict = verifier.verify(load, killedWorkers, Duration.ofSeconds(180));
        List<String> all = new ArrayList<>(this.notes);
        if (!verdict.usageExact()) {
            all.add("At the verdict: " + diagnostics() + ".");
        }
        if (!notes.isBlank()) {
            all.add(notes);
        }
        all.add("Load: " + load.summary() + ".");
        SystemReport.add(new SystemReport.Row(name, describe(layout), fault, verdict, String.join(" ", all)));
        return verdict;
    }

    /**
     * What the metering instances and the brokers say when usage does not match: each metering instance's
     * {@code /readyz}, and the transactions the cluster holds open (an open one holds back read_committed readers).
     */
    private String diagnostics() {
        List<String> said = new ArrayList<>();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (FerryProcesses.Service s : ferry.services()) {
            if (s.role().equals("metering")) {
                try {
                    java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://localhost:" + s.port() + "/readyz"))
                            .timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                    said.add(s.name() + " /readyz " + r.statusCode() + " " + r.body().strip());
                } catch (Exception e) {
                    said.add(s.name() + " /readyz failed: " + e);
                }
            }
        }
        try {
            var listings = kafka.admin().listTransactions().all().get(15, java.util.concurrent.TimeUnit.SECONDS);
            said.add("open transactions: " + listings.stream()
                    .filter(t -> !t.state().toString().startsWith("COMPLETE") && !t.state().toString().equals("EMPTY"))
                    .map(t -> t.transactionalId() + " " + t.state()).toList());
        } catch (Exception e) {
            said.add("listTransactions failed: " + e);
        }
        return String.join("; ", said);
    }

    private static String describe(FerryProcesses.Layout l) {
        return "3 brokers; " + l.gateways() + " gw, " + l.dispatchers() + " disp, " + l.workers() + " wrk, "
                + l.autoscalers() + " as, " + l.meterings() + " met";
    }

    @Override
    public void close() {
        load.close();
        ferry.close();
        registry.close();
        kafka.close();
    }
}
