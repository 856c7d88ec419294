package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.config.ManagementConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.metrics.FerryMetrics;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.ingest.TenantAdmin;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One runtime per process (issue 13, part 3): a platform running every role, as {@code ferry dev} does, follows
 * {@code ferry.functions} and {@code ferry.triggers} once and talks to the schema registry through one client.
 *
 * <p>Counted without asking the runtime: the live reader threads of the directories, and every object reachable
 * from the running platform (each service, what it holds, what its lambdas captured), so a service that built its
 * own directory, tail of {@code ferry.functions} or registry client would be counted.
 */
@FerryKafkaTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OneRuntimeIT {

    private static final Logger log = LoggerFactory.getLogger(OneRuntimeIT.class);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void shouldFollowTheCatalogsOnceAndHoldOneRegistryClientWhenEveryRoleRunsInOneProcess(KafkaFixture kafka)
            throws Exception {
        String key = new TenantAdmin(dir.resolve("tenants.json")).createTenant("acme");
        Map<String, Object> settings = new HashMap<>();
        settings.put(FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl());
        settings.put(FerryConfig.TOPIC_PREFIX, "one" + Long.toHexString(System.nanoTime()) + ".");
        settings.put(GatewayConfig.PORT, 0);
        settings.put(GatewayConfig.TENANTS_FILE, dir.resolve("tenants.json").toString());
        settings.put(MeteringConfig.HTTP_PORT, 0);
        settings.put(MeteringConfig.STATE_DIR, dir.resolve("metering").toString());
        settings.put(ManagementConfig.PORT, 0);
        FerryConfig config = new FerryConfig(settings);
        TopicCatalog topics = new TopicCatalog(config);
        Map<String, Long> functionReaders = new HashMap<>();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        Map<String, Double> clientsBefore = kafkaClients();
        int functionReadersBefore = liveThreads("ferry-function-directory");
        int triggerReadersBefore = liveThreads("ferry-trigger-directory");

        try (Platform platform = Platform.start(config, EnumSet.allOf(Platform.Role.class), null,
                new PrintWriter(new StringWriter()))) {
            // A function deployed and invoked: its worker pool runs, results reach metering and the gateway.
            String gateway = "http://127.0.0.1:" + platform.gatewayPort();
            String echo = "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}";
            assertThat(call("PUT", gateway + "/v1/functions/echo", key, echo)).isEqualTo(201);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> call("POST", gateway + "/v1/functions/echo/invoke", key, "hi") == 200);

            Reachable reachable = Reachable.from(platform);
            long tailsOfFunctions = reachable.of(TopicTail.class).stream()
                    .filter(t -> t.topic().equals(topics.functions())).count();
            long tailsOfTriggers = reachable.of(TopicTail.class).stream()
                    .filter(t -> t.topic().equals(topics.triggers())).count();
            List<SchemaRegistryClient> registries = reachable.of(SchemaRegistryClient.class);
            log.info("Every role in one process: {} threads (before: {}), Kafka clients {} (before: {}), "
                    + "{} tails of {}, {} of {}, {} registry clients, {} objects walked",
                    ManagementFactory.getThreadMXBean().getThreadCount(), threadsBefore, kafkaClients(),
                    clientsBefore, tailsOfFunctions, topics.functions(), tailsOfTriggers, topics.triggers(),
                    registries.size(), reachable.size());

            assertThat(liveThreads("ferry-function-directory") - functionReadersBefore)
                    .as("live readers of ferry.functions").isEqualTo(1);
            assertThat(liveThreads("ferry-trigger-directory") - triggerReadersBefore)
                    .as("live readers of ferry.triggers").isEqualTo(1);
            assertThat(tailsOfFunctions).as("tails of ferry.functions reachable from the platform").isEqualTo(1);
            assertThat(tailsOfTriggers).as("tails of ferry.triggers reachable from the platform").isEqualTo(1);
            assertThat(registries).as("schema registry clients reachable from the platform")
                    .containsExactly(platform.runtime().registry());
        }
        // Closing the platform stops the shared directories too.
        await().atMost(Duration.ofSeconds(30)).until(() -> liveThreads("ferry-function-directory")
                == functionReadersBefore && liveThreads("ferry-trigger-directory") == triggerReadersBefore);
    }

    private static int liveThreads(String name) {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals(name)).count();
    }

    /** {@code ferry_kafka_clients} of /metrics, by kind. */
    private static Map<String, Double> kafkaClients() {
        Map<String, Double> counts = new TreeMap<>();
        FerryMetrics.registry().find("ferry.kafka.clients").gauges()
                .forEach(g -> counts.put(g.getId().getTag("kind"), g.value()));
        return counts;
    }

    private int call(String method, String url, String bearer, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer)
                .header("Content-Type", method.equals("PUT") ? "application/json" : "text/plain")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /**
     * Every object reachable from a root through instance fields, arrays, collections and maps. Fields of the JDK's
     * own classes are not read (their modules are closed); their collections, maps and references are walked
     * through their public API.
     */
    private static final class Reachable {

        private static final int LIMIT = 5_000_000;

        private final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());

        static Reachable from(Object root) {
            Reachable reachable = new Reachable();
            reachable.walk(root);
            return reachable;
        }

        int size() {
            return seen.size();
        }

        <T> List<T> of(Class<T> type) {
            return seen.stream().filter(type::isInstance).map(type::cast).toList();
        }

        private void walk(Object root) {
            Deque<Object> pending = new ArrayDeque<>();
            pending.push(root);
            while (!pending.isEmpty() && seen.size() < LIMIT) {
                Object next = pending.pop();
                if (!seen.add(next)) {
                    continue;
                }
                references(next, value -> {
                    if (value != null && !leaf(value.getClass()) && !seen.contains(value)) {
                        pending.push(value);
                    }
                });
            }
            assertThat(seen.size()).as("objects walked").isLessThan(LIMIT);
        }

        private static boolean leaf(Class<?> type) {
            return type.isPrimitive() || type == String.class || Number.class.isAssignableFrom(type)
                    || type == Boolean.class || type == Character.class || type == Class.class
                    || (type.isArray() && type.getComponentType().isPrimitive())
                    || Thread.class.isAssignableFrom(type) || ClassLoader.class.isAssignableFrom(type);
        }

        private static void references(Object object, java.util.function.Consumer<Object> out) {
            Class<?> type = object.getClass();
            if (type.isArray()) {
                for (Object element : (Object[]) object) {
                    out.accept(element);
                }
                return;
            }
            if (jdk(type)) {
                try {
                    if (object instanceof Collection<?> collection) {
                        for (Object element : collection.toArray()) {
                            out.accept(element);
                        }
                    } else if (object instanceof Map<?, ?> map) {
                        for (Object entry : map.entrySet().toArray()) {
                            out.accept(((Map.Entry<?, ?>) entry).getKey());
                            out.accept(((Map.Entry<?, ?>) entry).getValue());
                        }
                    } else if (object instanceof AtomicReference<?> reference) {
                        out.accept(reference.get());
                    } else if (object instanceof Optional<?> optional) {
                        out.accept(optional.orElse(null));
                    }
                } catch (RuntimeException e) {
                    // changed while read (a HashMap of a running service): what it holds is reached elsewhere too
                }
                return;
            }
            for (Class<?> c = type; c != null && !jdk(c); c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()) {
                        continue;
                    }
                    try {
                        field.setAccessible(true);
                        out.accept(field.get(object));
                    } catch (RuntimeException | IllegalAccessException e) {
                        // a field of a closed module: not Ferry's
                    }
                }
            }
        }

        private static boolean jdk(Class<?> type) {
            String name = type.getName();
            return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                    || name.startsWith("sun.") || name.startsWith("com.sun.");
        }
    }
}
