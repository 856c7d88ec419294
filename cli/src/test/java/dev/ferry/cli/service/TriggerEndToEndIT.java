package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.config.ManagementConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.config.TriggerConfig;
import dev.ferry.core.invocation.BilledTime;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.ingest.TenantAdmin;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.registry.RestSchemaRegistryClient;
import dev.ferry.schemas.serde.FerryAvroSerdeConfig;
import dev.ferry.schemas.serde.FerryAvroSerializer;
import dev.ferry.schemas.serde.WireFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three of issue 14's "done when" items on the whole platform (dispatcher, worker with its trigger pools, metering
 * and gateway in one process, no autoscaler, so every pool runs one replica), against the embedded broker and
 * registry:
 * <ol>
 *   <li>Avro records written with Ferry's serializer under a user's own subjects ({@code Order}s under the topic
 *   name strategy, {@code Refund}s on the same topic under the record name strategy) arrive at the function as
 *   JSON: the built-in {@code echo} answers its payload, so each destination record is what the function got;</li>
 *   <li>a filter passes only matching records ({@code status} {@code "paid"}, half of them): only those have an
 *   output and a result, and the trigger's status counts every record read, the rest filtered;</li>
 *   <li>usage after the run, from {@code GET /v1/usage}, equals the sum of core's {@link BilledTime} over the
 *   trigger's results on {@code ferry.results}, in billed milliseconds and MB-milliseconds, exactly.</li>
 * </ol>
 * Everything is read {@code read_committed}, as design.md section 10 tells users to read a trigger's outputs.
 */
@FerryKafkaTest
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TriggerEndToEndIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String FUNCTION = "echo-x";
    private static final String TRIGGER = "paid-orders";
    private static final String SOURCE = "e2e-" + RUN + "-orders";
    private static final String DESTINATION = "e2e-" + RUN + "-paid";
    private static final String NAMESPACE = "shop.e2e.r" + RUN;
    private static final int PER_KIND = 10;
    private static final int TOTAL = 2 * PER_KIND;
    private static final Duration SETTLE = Duration.ofMinutes(3);
    /** Floats as BigDecimal, so an amount compares exactly with what was written. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "%s", "fields": [
              {"name": "id", "type": "string"},
              {"name": "status", "type": "string"},
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}}
            ]}""".formatted(NAMESPACE));
    private static final Schema REFUND = new Schema.Parser().parse("""
            {"type": "record", "name": "Refund", "namespace": "%s", "fields": [
              {"name": "id", "type": "string"},
              {"name": "status", "type": "string"},
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
              {"name": "reason", "type": ["null", "string"], "default": null}
            ]}""".formatted(NAMESPACE));

    /** A record as the test wrote it: its key is its id. {@code reason} only for refunds, null or not. */
    record Sent(String id, Schema schema, String status, BigDecimal amount, String reason) {
        boolean paid() {
            return status.equals("paid");
        }
    }

    @TempDir
    static Path dir;

    private static Platform platform;
    private static FerryConfig config;
    private static String key;
    private static String base;
    private static GatewayCalls gateway;
    private static Instant began;
    private static String registryUrl;
    private static final Map<String, Sent> SENT = new LinkedHashMap<>();

    @BeforeAll
    static void start(KafkaFixture kafka) {
        began = Instant.now();
        registryUrl = kafka.schemaRegistryUrl();
        TenantAdmin tenants = new TenantAdmin(dir.resolve("tenants.json"));
        key = tenants.createTenant("acme");
        tenants.setTopics("acme", List.of("e2e-" + RUN + "-*"));
        Map<String, Object> settings = new HashMap<>();
        settings.put(GatewayConfig.PORT, 0);
        settings.put(GatewayConfig.TENANTS_FILE, dir.resolve("tenants.json").toString());
        settings.put(ManagementConfig.PORT, 0);
        settings.put(MeteringConfig.HTTP_PORT, 0);
        settings.put(MeteringConfig.WINDOW_MS, 2000L);
        settings.put(MeteringConfig.GRACE_MS, 1000L);
        settings.put(MeteringConfig.STATE_DIR, dir.resolve("metering").toString());
        settings.put(TriggerConfig.STATUS_INTERVAL_MS, 1000);
        config = TestConfigs.isolated(kafka, settings);
        platform = Platform.start(config, EnumSet.of(Platform.Role.DISPATCHER, Platform.Role.WORKER,
                Platform.Role.GATEWAY, Platform.Role.METERING), null, new PrintWriter(new StringWriter()));
        base = "http://127.0.0.1:" + platform.gatewayPort();
        gateway = new GatewayCalls(base, key, Duration.ofSeconds(30));

        HttpResponse<String> deployed = call("PUT", "/v1/functions/" + FUNCTION,
                "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
        assertThat(deployed.statusCode()).as(deployed.body()).isIn(200, 201);

        kafka.createTopic(SOURCE, 2);
        List<Sent> orders = new ArrayList<>();
        List<Sent> refunds = new ArrayList<>();
        for (int i = 0; i < PER_KIND; i++) {
            String status = i % 2 == 0 ? "paid" : "open";
            // Amounts at the schema's scale, with a trailing zero and without; a refund reason present or absent
            // (a union the JSON must show unwrapped).
            orders.add(new Sent("o-" + i, ORDER, status, BigDecimal.valueOf(1000 + 130 * i, 2), null));
            refunds.add(new Sent("r-" + i, REFUND, status, BigDecimal.valueOf(100 * i + 5, 2),
                    i % 3 == 0 ? null : "late-" + i));
        }
        produce(kafka, Map.of(), orders);
        produce(kafka, Map.of(FerryAvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, "RecordNameStrategy"),
                refunds);

        HttpResponse<String> created = call("PUT", "/v1/triggers/" + TRIGGER, """
                {"function": "%s", "topics": ["%s"], "destination": "%s", "format": "AVRO",
                 "ordering": "PARTITION", "startingPosition": "EARLIEST",
                 "filter": {"value": {"status": ["paid"]}}}""".formatted(FUNCTION, SOURCE, DESTINATION));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void shouldHandTheFunctionEachAvroRecordAsJsonWhenWrittenUnderTopicAndRecordNameSubjects() throws Exception {
        // The two strategies really were used: each kind under its own subject, with its own schema id.
        RestSchemaRegistryClient registry = RestSchemaRegistryClient.fromConfig(
                Map.of(FerryAvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl));
        assertThat(registry.subjects()).contains(SOURCE + "-value", NAMESPACE + ".Refund");
        Map<String, Integer> schemaIds = new HashMap<>();
        Map<String, String> coordinates = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> source : readCommitted(SOURCE, new ByteArrayDeserializer())) {
            String id = new String(source.key(), StandardCharsets.UTF_8);
            schemaIds.put(id, WireFormat.schemaId(SOURCE, source.value()));
            coordinates.put(id, source.partition() + "/" + source.offset());
        }
        assertThat(schemaIds).hasSize(TOTAL);
        assertThat(schemaIds.get("o-0")).isEqualTo(registry.getLatest(SOURCE + "-value").id());
        assertThat(schemaIds.get("r-0")).isEqualTo(registry.getLatest(NAMESPACE + ".Refund").id());

        awaitSettled();
        List<ConsumerRecord<byte[], byte[]>> outputs = readCommitted(DESTINATION, new ByteArrayDeserializer());

        assertThat(outputs).extracting(o -> new String(o.key(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrderElementsOf(paidIds());
        for (ConsumerRecord<byte[], byte[]> output : outputs) {
            Sent sent = SENT.get(new String(output.key(), StandardCharsets.UTF_8));
            assertThat(header(output, "content-type")).isEqualTo("application/json");
            assertThat(header(output, "ferry.source.topic")).isEqualTo(SOURCE);
            assertThat(header(output, "ferry.source.partition") + "/" + header(output, "ferry.source.offset"))
                    .as("the source record of %s", sent.id()).isEqualTo(coordinates.get(sent.id()));
            assertIsJsonOf(JSON.readTree(output.value()), sent);
        }
    }

    @Test
    void shouldInvokeCountAndAnswerOnlyTheMatchingRecordsWhenTheTriggerHasAFilter() throws Exception {
        JsonNode status = awaitSettled();

        assertThat(status.get("read").asLong()).as(status.toString()).isEqualTo(TOTAL);
        assertThat(status.get("filtered").asLong()).as(status.toString()).isEqualTo(TOTAL - paidIds().size());
        assertThat(status.get("answered").asLong()).as(status.toString()).isEqualTo(paidIds().size());
        assertThat(status.get("failed").asLong()).as(status.toString()).isZero();
        // Outputs and results commit in the transaction that counts their records, so both are complete now.
        List<ConsumerRecord<byte[], byte[]>> outputs = readCommitted(DESTINATION, new ByteArrayDeserializer());
        assertThat(outputs).extracting(o -> new String(o.key(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrderElementsOf(paidIds());
        List<String> invoked = outputs.stream().map(o -> header(o, "ferry.invocation.id")).toList();
        assertThat(invoked).doesNotContainNull().doesNotHaveDuplicates();
        // With a destination a result carries no output; the invocation id on each output names its record's run.
        List<InvocationResult> results = triggerResults();
        assertThat(results).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED);
            assertThat(r.getAttempt()).isEqualTo(1);
        });
        assertThat(results).extracting(InvocationResult::getInvocationId)
                .containsExactlyInAnyOrderElementsOf(invoked);
    }

    @Test
    void shouldBillExactlyTheSumOfTheTriggersInvocationsWhenItsUsageWindowsHaveClosed() throws Exception {
        awaitSettled();
        List<InvocationResult> results = triggerResults();
        assertThat(results).hasSize(paidIds().size());
        long billedMillis = 0;
        long mbMillis = 0;
        long ran = 0;
        for (InvocationResult result : results) {
            long billed = BilledTime.billedMillis(result);
            billedMillis += billed;
            mbMillis += result.getMemoryMb() * billed;
            ran += BilledTime.ran(result) ? 1 : 0;
        }
        assertThat(billedMillis).as("every answered record ran, for at least 1 ms").isGreaterThanOrEqualTo(ran)
                .isPositive();
        long expectedBilled = billedMillis;
        long expectedMb = mbMillis;
        long expectedInvocations = ran;

        String query = "/v1/usage?function=" + FUNCTION + "&from=" + began.minusSeconds(60);
        await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            HttpResponse<String> usage = call("GET", query, null);
            assertThat(usage.statusCode()).as(usage.body()).isEqualTo(200);
            long rowsBilled = 0;
            long rowsMb = 0;
            long rowsInvocations = 0;
            for (JsonNode row : JSON.readTree(usage.body()).get("records")) {
                assertThat(row.get("function").asText()).isEqualTo(FUNCTION);
                rowsBilled += row.get("billedMillis").asLong();
                rowsMb += row.get("mbMillis").asLong();
                rowsInvocations += row.get("invocations").asLong();
            }
            assertThat(rowsBilled).as("billedMillis of " + usage.body()).isEqualTo(expectedBilled);
            assertThat(rowsMb).as("mbMillis of " + usage.body()).isEqualTo(expectedMb);
            assertThat(rowsInvocations).as("invocations of " + usage.body()).isEqualTo(expectedInvocations);
        });
    }

    /**
     * The trigger's status once every record it read has ended one way (filtered, answered or failed); the
     * counts move at commit, so the outputs and results of those records are committed too.
     */
    private static JsonNode awaitSettled() {
        return await().atMost(SETTLE).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<String> described = call("GET", "/v1/triggers/" + TRIGGER, null);
            assertThat(described.statusCode()).as(described.body()).isEqualTo(200);
            return JSON.readTree(described.body());
        }, s -> s.get("read").asLong() >= TOTAL && s.get("filtered").asLong() + s.get("answered").asLong()
                + s.get("failed").asLong() >= TOTAL);
    }

    /** The JSON a function got for {@code sent}: its fields by name, the decimal exact, the union unwrapped. */
    private static void assertIsJsonOf(JsonNode json, Sent sent) {
        Set<String> fields = new HashSet<>();
        json.fieldNames().forEachRemaining(fields::add);
        Set<String> expected = new HashSet<>(List.of("id", "status", "amount"));
        if (sent.schema() == REFUND) {
            expected.add("reason");
        }
        assertThat(fields).as(json.toString()).isEqualTo(expected);
        assertThat(json.get("id").asText()).isEqualTo(sent.id());
        assertThat(json.get("status").asText()).isEqualTo(sent.status());
        assertThat(json.get("amount").isNumber()).as(json.toString()).isTrue();
        assertThat(json.get("amount").decimalValue()).as(json.toString()).isEqualByComparingTo(sent.amount());
        if (sent.schema() == REFUND) {
            if (sent.reason() == null) {
                assertThat(json.get("reason").isNull()).as(json.toString()).isTrue();
            } else {
                assertThat(json.get("reason").isTextual()).as(json.toString()).isTrue();
                assertThat(json.get("reason").asText()).isEqualTo(sent.reason());
            }
        }
    }

    private static List<String> paidIds() {
        return SENT.values().stream().filter(Sent::paid).map(Sent::id).toList();
    }

    /** Every result on {@code ferry.results} of the trigger's function (nothing else invokes it), committed. */
    private static List<InvocationResult> triggerResults() {
        Deserializer<InvocationResult> results = new AvroSerdes(config).deserializer(InvocationResult.class);
        return readCommitted(new TopicCatalog(config).results(), results).stream().map(ConsumerRecord::value)
                .filter(r -> r != null && r.getTenant().equals("acme") && r.getFunction().equals(FUNCTION))
                .toList();
    }

    /**
     * Every committed record of {@code topic}: read_committed up to each partition's last stable offset as it is
     * now (what {@code endOffsets} answers at that isolation level).
     */
    private static <V> List<ConsumerRecord<byte[], V>> readCommitted(String topic, Deserializer<V> values) {
        List<ConsumerRecord<byte[], V>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], V> consumer = new KafkaClients(config).consumer(null, "e2e-reader-" + RUN,
                new ByteArrayDeserializer(), values, Map.of())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofMinutes(1)).pollInSameThread().pollDelay(Duration.ZERO).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return records;
    }

    private static void produce(KafkaFixture kafka, Map<String, Object> serdeConfig, List<Sent> records) {
        Map<String, Object> serde = new HashMap<>(serdeConfig);
        serde.put(FerryAvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, kafka.schemaRegistryUrl());
        FerryAvroSerializer<GenericRecord> serializer = new FerryAvroSerializer<>();
        serializer.configure(serde, false);
        try (KafkaProducer<String, GenericRecord> producer =
                     new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(), serializer)) {
            for (Sent sent : records) {
                SENT.put(sent.id(), sent);
                producer.send(new ProducerRecord<>(SOURCE, sent.id(), avro(sent)));
            }
            producer.flush();
        }
    }

    private static GenericRecord avro(Sent sent) {
        GenericRecord record = new GenericData.Record(sent.schema());
        record.put("id", sent.id());
        record.put("status", sent.status());
        Schema amount = sent.schema().getField("amount").schema();
        record.put("amount", new Conversions.DecimalConversion().toBytes(sent.amount(), amount,
                amount.getLogicalType()));
        if (sent.schema() == REFUND) {
            record.put("reason", sent.reason());
        }
        return record;
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> call(String method, String path, String body) {
        return gateway.call(method, path, body);
    }
}
