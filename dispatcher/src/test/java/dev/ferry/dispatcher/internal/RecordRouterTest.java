package dev.ferry.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.RetriableFerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.kafka.ResultRecords;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.dispatcher.Requests;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class RecordRouterTest {

    private static final Instant NOW = Instant.parse("2026-11-27T05:00:00Z");

    private final MemoryRegistry registry = new MemoryRegistry();
    private final FerryConfig config = FerryConfig.defaults();
    private final AvroSerdes serdes = new AvroSerdes(registry, config);
    private final TopicCatalog topics = new TopicCatalog(config);
    private final Map<FunctionRef, FunctionSpec> deployed = new HashMap<>();
    private final Map<FunctionRef, FunctionLoad> loads = new HashMap<>();
    private final List<String> provisioned = new ArrayList<>();
    private final RecordRouter router = router(1024, 1_000_000);

    private RecordRouter router(int maxPayloadBytes, int maxRecordBytes) {
        return new RecordRouter(topics, serdes.deserializer(InvocationRequest.class),
                serdes.serializer(InvocationRequest.class), serdes.serializer(InvocationResult.class),
                new RequestValidator(ref -> Optional.ofNullable(deployed.get(ref)), maxPayloadBytes),
                new WorkRoutes(topics, spec -> provisioned.add(spec.name()), "auto", List.of(), new SplittableRandom(5)),
                ref -> loads.computeIfAbsent(ref, r -> FunctionLoad.unknown()), Clock.fixed(NOW, ZoneOffset.UTC),
                maxRecordBytes, new ResultRecords(topics, () -> Set.of("ferry.replies.gw-1")));
    }

    /** The one record routing gave. */
    private static ProducerRecord<byte[], byte[]> one(List<ProducerRecord<byte[], byte[]>> records) {
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    private void deploy(String name, int partitions) {
        FunctionSpec spec = FunctionSpecs.builder("acme", name, Runtime.JAVA, "echo").setPartitions(partitions).build();
        deployed.put(FunctionSpecs.ref(spec), spec);
    }

    private ConsumerRecord<byte[], byte[]> consumed(byte[] value) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(topics.invocations(), 2, 41L,
                "acme/resize".getBytes(StandardCharsets.UTF_8), value);
        record.headers().add("traceparent", "00-abc-def-01".getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private ConsumerRecord<byte[], byte[]> consumed(InvocationRequest request) {
        return consumed(serdes.serializer(InvocationRequest.class).serialize(topics.invocations(), request));
    }

    @Test
    void shouldRouteWithKeyAndHeadersWhenTheInvocationIsValid() {
        deploy("resize", 4);
        InvocationRequest request = Requests.keyed("user-7");

        ProducerRecord<byte[], byte[]> out = one(router.route(consumed(request)));

        assertThat(out.topic()).isEqualTo("ferry.work.acme.resize");
        assertThat(out.partition()).isBetween(0, 3);
        assertThat(new String(out.key(), StandardCharsets.UTF_8)).isEqualTo("user-7");
        assertThat(out.headers().lastHeader("traceparent")).isNotNull();
        assertThat(serdes.deserializer(InvocationRequest.class).deserialize(out.topic(), out.value()))
                .isEqualTo(request);
        assertThat(provisioned).containsExactly("ferry.work.acme.resize");
        assertThat(loads.get(new FunctionRef("acme", "resize")).lag(out.partition())).isEqualTo(1);
    }

    @Test
    void shouldKeyByInvocationIdWhenTheRequestHasNoKey() {
        deploy("resize", 1);
        InvocationRequest request = Requests.unkeyed();
        ProducerRecord<byte[], byte[]> out = one(router.route(consumed(request)));
        assertThat(new String(out.key(), StandardCharsets.UTF_8)).isEqualTo(request.getInvocationId());
        assertThat(out.partition()).isZero();
    }

    @Test
    void shouldAnswerWithARejectedResultWhenTheFunctionIsUnknown() {
        InvocationRequest request = Requests.request("acme", "crop").build();

        ProducerRecord<byte[], byte[]> out = one(router.route(consumed(request)));

        assertThat(out.topic()).isEqualTo("ferry.results");
        assertThat(new String(out.key(), StandardCharsets.UTF_8)).isEqualTo(request.getInvocationId());
        InvocationResult result = serdes.deserializer(InvocationResult.class).deserialize(out.topic(), out.value());
        assertThat(result.getStatus()).isEqualTo(InvocationStatus.REJECTED);
        assertThat(result.getError()).startsWith("unknown function acme/crop");
        assertThat(result.getFinal$()).isTrue();
        assertThat(result.getReasonCode()).isEqualTo("unknown_function");
        assertThat(result.getInvocationId()).isEqualTo(request.getInvocationId());
        assertThat(result.getFinishedAt()).isEqualTo(NOW);
        assertThat(result.getDurationMicros()).isZero();
    }

    @Test
    void shouldAnswerAndDeadLetterWhenADecodedInvocationFailsUnforeseen() {
        RecordRouter failing = new RecordRouter(topics, serdes.deserializer(InvocationRequest.class),
                serdes.serializer(InvocationRequest.class), serdes.serializer(InvocationResult.class),
                new RequestValidator(ref -> {
                    throw new ArithmeticException("long overflow");
                }, 1024),
                new WorkRoutes(topics, spec -> { }, "auto", List.of(), new SplittableRandom(5)),
                ref -> FunctionLoad.unknown(), Clock.fixed(NOW, ZoneOffset.UTC), 1_000_000,
                new ResultRecords(topics, () -> Set.of()));
        InvocationRequest request = Requests.unkeyed();

        List<ProducerRecord<byte[], byte[]>> out = failing.route(consumed(request));

        assertThat(out).extracting(ProducerRecord::topic).containsExactly("ferry.results", "ferry.dlq");
        InvocationResult result = serdes.deserializer(InvocationResult.class).deserialize("ferry.results",
                out.get(0).value());
        assertThat(result.getInvocationId()).isEqualTo(request.getInvocationId());
        assertThat(result.getStatus()).isEqualTo(InvocationStatus.REJECTED);
        assertThat(result.getFinal$()).isTrue();
        assertThat(result.getReasonCode()).isEqualTo("invalid_request");
        assertThat(result.getError()).contains("long overflow");
        assertThat(DeadLetters.header(out.get(1).headers(), DeadLetters.ERROR_MESSAGE)).contains("long overflow");
    }

    @Test
    void shouldRejectWhenTheFunctionNamesAnUnknownStrategy() {
        FunctionSpec spec = FunctionSpecs.builder("acme", "resize", Runtime.JAVA, "echo")
                .setPartitionStrategy("fastest").build();
        deployed.put(FunctionSpecs.ref(spec), spec);

        ProducerRecord<byte[], byte[]> out = one(router.route(consumed(Requests.unkeyed())));

        InvocationResult result = serdes.deserializer(InvocationResult.class).deserialize(out.topic(), out.value());
        assertThat(result.getError()).startsWith("unknown partition strategy 'fastest'");
        assertThat(result.getFinal$()).isTrue();
        assertThat(result.getReasonCode()).isEqualTo("function_unavailable");
    }

    @Test
    void shouldDeadLetterWithTheErrorHeadersWhenTheBytesAreRandom() {
        ConsumerRecord<byte[], byte[]> poison = consumed("not avro".getBytes(StandardCharsets.UTF_8));

        ProducerRecord<byte[], byte[]> out = one(router.route(poison));

        assertThat(out.topic()).isEqualTo("ferry.dlq");
        assertThat(out.value()).isEqualTo(poison.value());
        assertThat(out.key()).isEqualTo(poison.key());
        assertThat(DeadLetters.header(out.headers(), DeadLetters.ERROR_MESSAGE)).contains("magic byte");
        assertThat(DeadLetters.header(out.headers(), DeadLetters.ORIGINAL_OFFSET)).isEqualTo("41");
        assertThat(DeadLetters.header(out.headers(), DeadLetters.ORIGINAL_PARTITION)).isEqualTo("2");
        assertThat(DeadLetters.header(out.headers(), "traceparent")).isEqualTo("00-abc-def-01");
    }

    @Test
    void shouldDeadLetterWhenTheSchemaIdIsUnknown() {
        ProducerRecord<byte[], byte[]> out = one(router.route(consumed(new byte[] {0, 0, 0, 0, 0x7f, 1, 2})));
        assertThat(out.topic()).isEqualTo("ferry.dlq");
        assertThat(DeadLetters.header(out.headers(), DeadLetters.ERROR_MESSAGE)).contains("Unknown schema id 127");
    }

    @Test
    void shouldDeadLetterWhenTheValueIsNull() {
        ProducerRecord<byte[], byte[]> out = one(router.route(consumed((byte[]) null)));
        assertThat(out.topic()).isEqualTo("ferry.dlq");
        assertThat(DeadLetters.header(out.headers(), DeadLetters.ERROR_MESSAGE)).contains("tombstone");
    }

    @Test
    void shouldDeadLetterWhenTheInvocationHasNoId() {
        deploy("resize", 1);
        ProducerRecord<byte[], byte[]> out = one(router.route(consumed(Requests.request("acme", "resize")
                .setInvocationId(" ").build())));
        assertThat(out.topic()).isEqualTo("ferry.dlq");
    }

    @Test
    void shouldAskForARetryRatherThanDeadLetterWhenTheRegistryIsUnreachable() {
        deploy("resize", 1);
        ConsumerRecord<byte[], byte[]> good = consumed(Requests.unkeyed());
        // A fresh serde has not cached the writer schema yet, so it must ask the registry.
        AvroSerdes cold = new AvroSerdes(registry, config);
        RecordRouter coldRouter = new RecordRouter(topics, cold.deserializer(InvocationRequest.class),
                cold.serializer(InvocationRequest.class), cold.serializer(InvocationResult.class),
                new RequestValidator(ref -> Optional.ofNullable(deployed.get(ref)), 1024),
                new WorkRoutes(topics, spec -> { }, "auto", List.of(), new SplittableRandom(5)),
                ref -> FunctionLoad.unknown(), Clock.fixed(NOW, ZoneOffset.UTC), 1_000_000,
                new ResultRecords(topics, Set::of));
        registry.down(true);

        assertThatThrownBy(() -> one(coldRouter.route(good))).isInstanceOf(RetriableFerryException.class)
                .hasMessageContaining("ferry.invocations-2@41");

        registry.down(false);
        assertThat(one(coldRouter.route(good)).topic()).isEqualTo("ferry.work.acme.resize");
    }

    @Test
    void shouldRejectRatherThanFailTheBatchWhenTheRecordWouldExceedTheWorkTopicsLimit() {
        deploy("resize", 1);
        RecordRouter strict = router(10_000, 2048);
        InvocationRequest big = Requests.request("acme", "resize")
                .setPayload(java.nio.ByteBuffer.wrap(new byte[3000])).build();

        ProducerRecord<byte[], byte[]> out = one(strict.route(consumed(big)));

        assertThat(out.topic()).isEqualTo("ferry.results");
        InvocationResult result = serdes.deserializer(InvocationResult.class).deserialize(out.topic(), out.value());
        assertThat(result.getStatus()).isEqualTo(InvocationStatus.REJECTED);
        assertThat(result.getError()).contains("exceeds the work topic's record limit of 2048");
        assertThat(result.getFinal$()).isTrue();
        assertThat(result.getReasonCode()).as("the envelope is too large: HTTP 413").isEqualTo("payload_too_large");
        assertThat(one(strict.route(consumed(Requests.unkeyed()))).topic()).isEqualTo("ferry.work.acme.resize");
    }

    @Test
    void shouldCopyARejectionToTheReplyTopicInTheSameBatchWhenTheRequestNamesOne() {
        List<ProducerRecord<byte[], byte[]>> out = router.route(consumed(Requests.request("acme", "nope")
                .setReplyTo("ferry.replies.gw-1").build()));

        assertThat(out).extracting(ProducerRecord::topic).containsExactly("ferry.results", "ferry.replies.gw-1");
        assertThat(out.get(1).value()).isEqualTo(out.get(0).value());
        assertThat(out.get(1).key()).isEqualTo(out.get(0).key());
        // Not a reply topic, or one that does not exist: ferry.results only.
        assertThat(router.route(consumed(Requests.request("acme", "nope").setReplyTo("ferry.functions").build())))
                .extracting(ProducerRecord::topic).containsExactly("ferry.results");
        assertThat(router.route(consumed(Requests.request("acme", "nope").setReplyTo("ferry.replies.gone")
                .build()))).extracting(ProducerRecord::topic).containsExactly("ferry.results");
    }

    @Test
    void shouldKeepTheReplyToWhenRoutingToTheWorkTopic() {
        deploy("resize", 1);
        ProducerRecord<byte[], byte[]> out = one(router.route(consumed(Requests.request("acme", "resize")
                .setReplyTo("ferry.async-results").build())));
        assertThat(serdes.deserializer(InvocationRequest.class).deserialize(out.topic(), out.value()).getReplyTo())
                .isEqualTo("ferry.async-results");
    }

    @Test
    void shouldCopyTheOriginalHeadersWhenRejecting() {
        ProducerRecord<byte[], byte[]> out = one(router.route(consumed(Requests.request("acme", "nope").build())));
        assertThat(out.headers().lastHeader("traceparent")).isNotNull();
        assertThat(new RecordHeaders(out.headers().toArray()).toArray()).hasSize(1);
    }
}
