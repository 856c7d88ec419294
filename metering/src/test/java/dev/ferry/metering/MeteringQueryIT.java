package dev.ferry.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.RetriableFerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.invocation.UsageGranularity;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.metering.internal.UsageJson;
import dev.ferry.schemas.InvocationResult;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two metering instances split the partitions; each answers usage queries for every tenant, to callers holding the
 * instances' shared token (issue 12), and forwards with it.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MeteringQueryIT {

    private static final List<String> TENANTS = List.of("acme", "globex", "initech", "umbrella");
    private static final List<String> FUNCTIONS = List.of("resize", "thumbnail");
    private static final String TOKEN = "metering-it-token";

    @TempDir
    Path stateDirs;

    @Test
    void shouldAnswerEveryTenantFromEitherInstanceWhenTwoInstancesShareThePartitions(KafkaFixture kafka)
            throws Exception {
        // Results of 4 partitions meet again after the repartition in any order; the grace period must cover that
        // reordering (here: a burst spanning 3 windows), or results count as late. See README, "Late results".
        FerryConfig config = MeteringItSupport.config(kafka, 4, Map.of(MeteringConfig.GRACE_MS, 5000L,
                MeteringConfig.HTTP_TOKEN, TOKEN));
        MeteringItSupport.createTopics(config);
        long window = config.metering().windowMs();
        long base = Instant.now().minusSeconds(120).toEpochMilli() / window * window;

        // expected "tenant/function/windowStart" -> invocations, mbMillis
        Map<String, long[]> expected = new TreeMap<>();
        try (MeteringService a = start(config, "a"); MeteringService b = start(config, "b");
                KafkaProducer<String, InvocationResult> producer = MeteringItSupport.resultProducer(config)) {
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    a.state() == KafkaStreams.State.RUNNING && b.state() == KafkaStreams.State.RUNNING);
            try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(kafka.clientProperties(),
                    new StringSerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(new TopicCatalog(config).results(), "broken",
                        "not avro".getBytes(StandardCharsets.UTF_8))).get();
            }
            int n = 0;
            for (String tenant : TENANTS) {
                for (String function : FUNCTIONS) {
                    for (int w = 0; w < 3; w++) {
                        for (int i = 0; i <= w + tenant.length(); i++) {
                            long finishedAt = base + w * window + 10 * i;
                            int memory = 128 * (1 + n++ % 4);
                            InvocationResult r = MeteringItSupport.result(tenant, function, finishedAt, memory, 1500);
                            MeteringItSupport.send(producer, config, r);
                            long[] e = expected.computeIfAbsent(tenant + "/" + function + "/" + (base + w * window),
                                    k -> new long[2]);
                            e[0]++;
                            e[1] += memory * 2L;
                        }
                    }
                }
            }
            producer.flush();

            UsageQueryClient clientA = new UsageQueryClient(a.url(), TOKEN);
            UsageQueryClient clientB = new UsageQueryClient(b.url(), TOKEN);
            Instant from = Instant.ofEpochMilli(base);
            Instant to = Instant.now().plusSeconds(60);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptionsInstanceOf(RetriableFerryException.class)
                    .untilAsserted(() -> {
                        for (String tenant : TENANTS) {
                            assertThat(rows(clientA.usage(tenant, from, to))).isEqualTo(expectedOf(expected, tenant));
                            assertThat(rows(clientB.usage(tenant, from, to))).isEqualTo(expectedOf(expected, tenant));
                        }
                    });

            // Each instance holds only its own partitions' windows, so the answers above needed forwarding.
            Map<String, List<Long>> localA = new TreeMap<>();
            Map<String, List<Long>> localB = new TreeMap<>();
            for (String tenant : TENANTS) {
                String query = "/v1/usage?scope=local&tenant=" + tenant + "&from=" + from.toEpochMilli();
                localA.putAll(rows(UsageJson.read(get(a.url().resolve(query)).body())));
                localB.putAll(rows(UsageJson.read(get(b.url().resolve(query)).body())));
            }
            assertThat(localA).isNotEmpty();
            assertThat(localB).isNotEmpty();
            assertThat(localA.keySet()).doesNotContainAnyElementsOf(localB.keySet());
            Map<String, List<Long>> union = new TreeMap<>(localA);
            union.putAll(localB);
            assertThat(union).hasSameSizeAs(expected);

            for (String tenant : TENANTS) {
                for (UsageQueryClient client : List.of(clientA, clientB)) {
                    List<Usage> one = client.usage(tenant, from, to, "resize", UsageGranularity.WINDOW);
                    assertThat(one).hasSize(3).allSatisfy(u -> assertThat(u.function()).isEqualTo("resize"));
                    List<Usage> totals = client.totals(tenant);
                    assertThat(totals).extracting(Usage::function).containsExactly("resize", "thumbnail");
                    long invocations = expectedOf(expected, tenant).values().stream().mapToLong(v -> v.get(0)).sum();
                    assertThat(totals.stream().mapToLong(Usage::invocations).sum()).isEqualTo(invocations);
                    List<Usage> days = client.usage(tenant, from.minus(Duration.ofDays(1)), to, null,
                            UsageGranularity.DAY);
                    assertThat(days.stream().mapToLong(Usage::invocations).sum()).isEqualTo(invocations);
                    assertThat(days.stream().map(Usage::cost).reduce(BigDecimal.ZERO, BigDecimal::add))
                            .isEqualByComparingTo(totals.stream().map(Usage::cost)
                                    .reduce(BigDecimal.ZERO, BigDecimal::add));
                }
            }
            assertThat(clientA.usage("nobody", from, to)).isEmpty();
            for (String query : List.of("/v1/usage?tenant=acme&from=0", "/v1/usage/totals?tenant=acme",
                    "/v1/usage?scope=local&tenant=acme&from=0")) {
                for (String authorization : new String[] {null, "Bearer wrong", "Bearer " + TOKEN + "x"}) {
                    HttpResponse<String> refused = get(a.url().resolve(query), authorization);
                    assertThat(refused.statusCode()).as(query + " with " + authorization).isEqualTo(401);
                    assertThat(refused.body()).doesNotContain("resize").doesNotContain("mbMillis");
                }
            }
            assertThat(org.assertj.core.api.Assertions.catchThrowable(
                    () -> new UsageQueryClient(b.url()).totals("acme")))
                    .isInstanceOf(dev.ferry.core.FerryException.class).hasMessageContaining("401")
                    .hasMessageNotContaining(TOKEN);
            assertThat(get(a.url().resolve("/healthz"), null).statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(a.url().resolve("/readyz"), null);
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            assertThat(ready.body()).contains("\"status\":\"ready\"");
            assertThat(deadLetters(config)).containsExactly("not avro");
            HttpResponse<String> badBound = get(a.url().resolve("/v1/usage?from=0"));
            assertThat(badBound.statusCode()).isEqualTo(400);
            // The one error shape of every Ferry listener: errors lists the problem, [error] for a single one.
            assertThat(badBound.body()).contains("\"code\":\"bad_request\"").contains("\"errors\":[\"");
            assertThat(get(a.url().resolve("/v1/usage?tenant=acme&from=yesterday")).statusCode()).isEqualTo(400);
            HttpResponse<String> iso = get(b.url().resolve("/v1/usage?tenant=acme&function=resize&from="
                    + from + "&to=" + Instant.ofEpochMilli(base + window)));
            assertThat(iso.statusCode()).isEqualTo(200);
            assertThat(iso.body()).contains("\"windowStart\":\"" + from + "\"").contains("\"cost\":\"0.");
        }
    }

    private MeteringService start(FerryConfig config, String name) {
        FerryConfig own = config.with(MeteringConfig.STATE_DIR, stateDirs.resolve(name).toString());
        Map<String, Object> overrides = new HashMap<>(MeteringItSupport.fastStreams());
        overrides.put(StreamsConfig.CLIENT_ID_CONFIG, "metering-" + name);
        return new MeteringService(own, StreamsConfig.EXACTLY_ONCE_V2, overrides).start();
    }

    private static Map<String, List<Long>> rows(List<Usage> usage) {
        return usage.stream().collect(Collectors.toMap(
                u -> u.tenant() + "/" + u.function() + "/" + u.windowStart().toEpochMilli(),
                u -> List.of(u.invocations(), u.mbMillis()), (x, y) -> List.of(-1L), TreeMap::new));
    }

    private static Map<String, List<Long>> expectedOf(Map<String, long[]> expected, String tenant) {
        return expected.entrySet().stream().filter(e -> e.getKey().startsWith(tenant + "/"))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()[0], e.getValue()[1]),
                        (x, y) -> x, TreeMap::new));
    }

    /** The values on ferry.dlq, as a reader with read_committed sees them. */
    private static List<String> deadLetters(FerryConfig config) {
        String dlq = new TopicCatalog(config).dlq();
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaClients(config).consumer(null, "dlq-reader",
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of())) {
            consumer.assign(consumer.partitionsFor(dlq).stream()
                    .map(p -> new TopicPartition(dlq, p.partition())).toList());
            consumer.seekToBeginning(consumer.assignment());
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    assertThat(DeadLetters.header(r.headers(), DeadLetters.ORIGINAL_TOPIC))
                            .isEqualTo(new TopicCatalog(config).results());
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                });
                return !values.isEmpty();
            });
        }
        return values;
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return get(uri, "Bearer " + TOKEN);
    }

    private static HttpResponse<String> get(URI uri, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
