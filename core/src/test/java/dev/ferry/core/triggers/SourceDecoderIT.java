package dev.ferry.core.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.NullNode;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.registry.RestSchemaRegistryClient;
import dev.ferry.schemas.serde.FerryAvroSerdeConfig;
import dev.ferry.schemas.serde.FerryAvroSerializer;
import dev.ferry.schemas.serde.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14, "done when": Avro records written with Ferry's serializer under a user's own subject (topic name
 * strategy and record name strategy) arrive at the function as JSON. This proves the decoding half: records
 * produced by a plain KafkaProducer with {@link FerryAvroSerializer}, read back as raw bytes as a trigger reads them,
 * decode through the real registry into the JSON the function gets, and filter on it.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SourceDecoderIT {

    @Test
    void shouldDecodeAvroWrittenUnderTopicAndRecordNameSubjectsIntoTheJsonAFunctionGets(KafkaFixture kafka) {
        String topic = "shop-orders-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        // Orders under <topic>-value (the default TopicNameStrategy); refunds on the same topic under their record
        // name, as a user mixing types on one topic does.
        produce(kafka, topic, Map.of(), "o-1", AvroSamples.order());
        produce(kafka, topic, Map.of(FerryAvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, "RecordNameStrategy"),
                "o-1", AvroSamples.refund());
        produce(kafka, topic, Map.of(), "o-1", null);

        List<ConsumerRecord<byte[], byte[]>> records = consume(kafka, topic, 3);
        RestSchemaRegistryClient registry = RestSchemaRegistryClient.fromConfig(
                Map.of(FerryAvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, kafka.schemaRegistryUrl()));
        SourceDecoder decoder = new SourceDecoder(RecordFormat.AVRO, registry);
        List<SourceValue> values = records.stream().map(decoder::decode).toList();

        assertThat(registry.subjects()).contains(topic + "-value", "shop.v1.Refund");
        assertThat(registry.getLatest(topic + "-value").id()).isEqualTo(schemaId(records.get(0)));
        assertThat(registry.getLatest("shop.v1.Refund").id()).isEqualTo(schemaId(records.get(1)));
        assertThat(text(values.get(0))).isEqualTo(AvroSamples.ORDER_JSON);
        assertThat(text(values.get(1))).isEqualTo(AvroSamples.REFUND_JSON);
        assertThat(values.get(2).payload()).isEmpty();
        assertThat(values.get(2).json()).isEqualTo(NullNode.getInstance());
        assertThat(values).allSatisfy(v -> assertThat(v.contentType()).isEqualTo("application/json"));

        EventPattern bigPaidOrders = EventPattern.parse(
                "{\"key\": [\"o-1\"], \"value\": {\"status\": [\"PAID\"], \"amount\": [{\"numeric\": [\">\", 10]}]}}");
        List<Boolean> matched = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            matched.add(bigPaidOrders.matches(SourceDecoder.document(records.get(i), values.get(i))));
        }
        assertThat(matched).containsExactly(true, false, false);
    }

    private static void produce(KafkaFixture kafka, String topic, Map<String, Object> serdeConfig, String key,
                                GenericRecord value) {
        Map<String, Object> config = new HashMap<>(serdeConfig);
        config.put(FerryAvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, kafka.schemaRegistryUrl());
        FerryAvroSerializer<GenericRecord> serializer = new FerryAvroSerializer<>();
        serializer.configure(config, false);
        try (KafkaProducer<String, GenericRecord> producer =
                     new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(), serializer)) {
            producer.send(new ProducerRecord<>(topic, key, value));
            producer.flush();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> consume(KafkaFixture kafka, String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.clientProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        return records;
    }

    private static int schemaId(ConsumerRecord<byte[], byte[]> record) {
        return WireFormat.schemaId(record.topic(), record.value());
    }

    private static String text(SourceValue value) {
        return new String(value.payload(), StandardCharsets.UTF_8);
    }
}
