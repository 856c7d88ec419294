package dev.ferry.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.testing.Records;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@FerryKafkaTest
@Timeout(90)
class SerdeKafkaIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldReadBackRequestsWhenProducedAndConsumedThroughTheSerde(KafkaFixture kafka) {
        String topic = newTopic(kafka);
        FerryAvroSerde<InvocationRequest> serde = serde(kafka);
        List<InvocationRequest> sent = produce(kafka, topic, serde, 20);

        List<InvocationRequest> read = consumeAll(kafka, topic, serde.deserializer(), sent.size());

        assertThat(read).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void shouldDecodeWithPlainAvroWhenReadAsRawBytes(KafkaFixture kafka) throws Exception {
        String topic = newTopic(kafka);
        List<InvocationRequest> sent = produce(kafka, topic, serde(kafka), 10);

        List<byte[]> raw = consumeAll(kafka, topic, new ByteArrayDeserializer(), sent.size());

        HttpClient http = HttpClient.newHttpClient();
        List<InvocationRequest> decoded = new ArrayList<>();
        for (byte[] value : raw) {
            ByteBuffer buffer = ByteBuffer.wrap(value);
            assertThat(buffer.get()).isEqualTo((byte) 0);
            int id = buffer.getInt();
            String body = http.send(HttpRequest.newBuilder(URI.create(kafka.schemaRegistryUrl() + "/schemas/ids/" + id))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            Schema writer = new Schema.Parser().parse(new ObjectMapper().readTree(body).get("schema").asText());
            decoded.add(new SpecificDatumReader<InvocationRequest>(writer, InvocationRequest.getClassSchema())
                    .read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null)));
        }

        assertThat(decoded).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void shouldReadOldRecordsIntoCurrentClassWhenWrittenWithV1Schema(KafkaFixture kafka) {
        String topic = newTopic(kafka);
        GenericRecord old = new GenericData.Record(SerdeBehaviourTest.REQUEST_V1);
        old.put("invocationId", "old-1");
        old.put("tenant", "acme");
        old.put("function", "echo");
        old.put("payload", ByteBuffer.wrap(new byte[] {1}));
        old.put("submittedAt", 42L);
        FerryAvroSerde<GenericRecord> v1 = FerryAvroSerde.forGeneric(registryConfig(kafka), false);
        try (KafkaProducer<String, GenericRecord> producer = new KafkaProducer<>(kafka.clientProperties(),
                new StringSerializer(), v1.serializer())) {
            producer.send(new ProducerRecord<>(topic, "k", old));
            producer.flush();
        }

        InvocationRequest read = consumeAll(kafka, topic, serde(kafka).deserializer(), 1).get(0);

        assertThat(read.getInvocationId()).isEqualTo("old-1");
        assertThat(read.getAttempt()).isEqualTo(1);
        assertThat(read.getContentType()).isEqualTo("application/octet-stream");
    }

    @Test
    void shouldSurfaceTopicAndOffsetWhenConsumerMeetsPoisonRecord(KafkaFixture kafka) {
        String topic = newTopic(kafka);
        FerryAvroSerde<InvocationRequest> serde = serde(kafka);
        byte[] good = serde.serializer().serialize(topic, Records.request("echo"));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, null, good));
            producer.send(new ProducerRecord<>(topic, 0, null, "not avro".getBytes()));
            producer.send(new ProducerRecord<>(topic, 0, null, good));
            producer.flush();
        }

        try (KafkaConsumer<byte[], InvocationRequest> consumer = consumer(kafka, serde.deserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<InvocationRequest> before = new ArrayList<>();
            AtomicReference<RecordDeserializationException> failure = new AtomicReference<>();
            await().atMost(WAIT).pollInSameThread().until(() -> {
                try {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> before.add(r.value()));
                } catch (RecordDeserializationException e) {
                    failure.set(e);
                }
                return failure.get() != null;
            });
            RecordDeserializationException poison = failure.get();

            assertThat(before).hasSize(1);
            assertThat(poison.topicPartition()).isEqualTo(partition);
            assertThat(poison.offset()).isEqualTo(1L);
            assertThat(poison.getCause()).isInstanceOf(SerializationException.class)
                    .hasMessageContaining("Unknown magic byte 0x6e").hasMessageContaining(topic);

            consumer.seek(partition, poison.offset() + 1);
            assertThat(pollUntil(consumer, 1)).hasSize(1);
        }
    }

    @Test
    void shouldRefuseIncompatibleRecordWhenRegistryRejectsIt(KafkaFixture kafka) {
        String topic = newTopic(kafka);
        produce(kafka, topic, serde(kafka), 1);
        Schema breaking = org.apache.avro.SchemaBuilder.record("InvocationRequest").namespace("dev.ferry.schemas")
                .fields().requiredLong("mandatory").endRecord();
        GenericRecord record = new GenericData.Record(breaking);
        record.put("mandatory", 1L);
        FerryAvroSerde<GenericRecord> generic = FerryAvroSerde.forGeneric(registryConfig(kafka), false);

        assertThatThrownBy(() -> generic.serializer().serialize(topic, record))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(topic + "-value")
                .hasRootCauseInstanceOf(dev.ferry.schemas.registry.IncompatibleSchemaException.class);
    }

    private static String newTopic(KafkaFixture kafka) {
        String topic = "serde-" + UUID.randomUUID();
        kafka.createTopic(topic, 3);
        return topic;
    }

    private static Map<String, Object> registryConfig(KafkaFixture kafka) {
        return Map.of(FerryAvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, kafka.schemaRegistryUrl());
    }

    private static FerryAvroSerde<InvocationRequest> serde(KafkaFixture kafka) {
        return FerryAvroSerde.forSpecific(InvocationRequest.class, registryConfig(kafka), false);
    }

    private static List<InvocationRequest> produce(KafkaFixture kafka, String topic,
                                                   FerryAvroSerde<InvocationRequest> serde, int count) {
        List<InvocationRequest> sent = new ArrayList<>();
        try (KafkaProducer<String, InvocationRequest> producer = new KafkaProducer<>(kafka.clientProperties(),
                new StringSerializer(), serde.serializer())) {
            for (int i = 0; i < count; i++) {
                InvocationRequest request = Records.request("fn-" + i);
                producer.send(new ProducerRecord<>(topic, request.getInvocationId(), request));
                sent.add(request);
            }
            producer.flush();
        }
        return sent;
    }

    private static <V> KafkaConsumer<byte[], V> consumer(KafkaFixture kafka, Deserializer<V> values) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "serde-it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), values);
    }

    private static <V> List<V> consumeAll(KafkaFixture kafka, String topic, Deserializer<V> values, int expected) {
        try (KafkaConsumer<byte[], V> consumer = consumer(kafka, values)) {
            consumer.subscribe(List.of(topic));
            return pollUntil(consumer, expected);
        }
    }

    private static <V> List<V> pollUntil(KafkaConsumer<byte[], V> consumer, int expected) {
        List<V> values = new ArrayList<>();
        await().atMost(WAIT).pollInSameThread().until(() -> {
            for (ConsumerRecord<byte[], V> record : consumer.poll(Duration.ofMillis(200))) {
                values.add(record.value());
            }
            return values.size() >= expected;
        });
        return values;
    }
}
