package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.schemas.registry.RestSchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryException;
import dev.ferry.worker.TriggerFixture.Sink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker whose schema registry is gone while it meets a record of a schema id it has not read yet (a tester,
 * session 12): the record was dead-lettered as undecodable, with no result for its caller, and an AVRO trigger's
 * replica left and rejoined its group every 2 s. Now such a record waits in Kafka: its replica gives it back unrun,
 * leaves its group until the registry answers, and then runs it once; the process reports the loss meanwhile.
 */
@FerryKafkaTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RegistryLossIT {

    @Test
    void shouldRunAQueueRecordOfANewSchemaOnceTheRegistryIsBackInsteadOfDeadLetteringIt(KafkaFixture kafka)
            throws Exception {
        runsOnceTheRegistryIsBack(kafka, Delivery.QUEUE);
    }

    @Test
    void shouldKeepAnOrderedKeysOrderWhileItsRecordWaitsForTheRegistry(KafkaFixture kafka) throws Exception {
        runsOnceTheRegistryIsBack(kafka, Delivery.ORDERED);
    }

    @Test
    void shouldTakeARegistryUrlAnsweringALoginPageForARegistryLostNotForABadRecord(KafkaFixture kafka)
            throws Exception {
        // Tester 13B: an ingress in front of the registry answered 200 with an HTML page; every record went to the DLQ.
        runsOnceTheRegistryIsBack(kafka, Delivery.QUEUE, () -> new SchemaRegistryException(200, 200,
                "Unreadable registry answer: <html>login page</html>"));
    }

    private static void runsOnceTheRegistryIsBack(KafkaFixture kafka, Delivery delivery) throws Exception {
        runsOnceTheRegistryIsBack(kafka, delivery, () -> new SchemaRegistryException(
                SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE,
                "Schema registry at http://localhost:1 unreachable"));
    }

    private static void runsOnceTheRegistryIsBack(KafkaFixture kafka, Delivery delivery,
            Supplier<SchemaRegistryException> down) throws Exception {
        AtomicBoolean up = new AtomicBoolean(true);
        try (Harness harness = new Harness(kafka);
                FerryRuntime runtime = FerryRuntime.create(harness.config, switchable(harness, up,
                        new AtomicBoolean(true), down));
                WorkerContext context = new WorkerContext(runtime)) {
            Harness.Results results = harness.results();
            List<ConsumerRecord<byte[], byte[]>> deadLetters = harness.deadLetters();
            FunctionRef ref = new FunctionRef("acme", "echo-" + delivery.name().toLowerCase());
            FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "echo")
                    .setDelivery(delivery).setPartitions(1).setConcurrency(4).build();
            harness.workTopic(ref, 1);
            InvocationRequest warm = Harness.request(ref, "warm", "k");
            InvocationRequest before = Harness.request(ref, "before", "k");
            InvocationRequest evolved = Harness.request(ref, "evolved", "k");
            InvocationRequest after = Harness.request(ref, "after", "k");
            try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
                // A first call while the registry answers: the worker reads today's schema and writes a result.
                harness.send(List.of(warm));
                await().atMost(Duration.ofSeconds(60)).until(() -> !results.of(warm.getInvocationId()).isEmpty());

                // The registry goes; a record of a schema the worker never read arrives (an upgraded dispatcher's
                // next version of the request), between two of the same key.
                up.set(false);
                harness.send(List.of(before));
                harness.sendRaw(harness.topics.work(ref), nextVersion(harness, ref, evolved));
                harness.send(List.of(after));

                await().atMost(Duration.ofSeconds(60))
                        .until(() -> runtime.registryWatch().problem().isPresent());
                assertThat(runtime.registryWatch().problem()).hasValueSatisfying(problem -> assertThat(problem)
                        .contains("schema registry").contains("does not answer"));

                up.set(true);
                await().atMost(Duration.ofSeconds(60)).until(() -> !results.of(evolved.getInvocationId()).isEmpty()
                        && !results.of(after.getInvocationId()).isEmpty());
                await().atMost(Duration.ofSeconds(10)).until(() -> runtime.registryWatch().problem().isEmpty());
            }
            for (InvocationRequest request : List.of(warm, before, evolved, after)) {
                assertThat(results.of(request.getInvocationId())).as(request.getInvocationId()).singleElement()
                        .extracting(InvocationResult::getStatus).isEqualTo(InvocationStatus.SUCCEEDED);
            }
            assertThat(deadLetters).as("nothing dead-lettered for the registry").isEmpty();
            if (delivery == Delivery.ORDERED) {
                // The key's order held: what came after the waiting record ran after it.
                InvocationResult first = results.of(before.getInvocationId()).get(0);
                InvocationResult waited = results.of(evolved.getInvocationId()).get(0);
                InvocationResult last = results.of(after.getInvocationId()).get(0);
                assertThat(waited.getStartedAt()).isAfterOrEqualTo(first.getFinishedAt());
                assertThat(last.getStartedAt()).isAfterOrEqualTo(waited.getFinishedAt());
            }
        }
    }

    @Test
    void shouldTakeAnAvroTriggersRecordOnceTheRegistryIsBackAndStayOutOfItsGroupMeanwhile(KafkaFixture kafka)
            throws Exception {
        AtomicBoolean up = new AtomicBoolean(true);
        try (TriggerFixture f = new TriggerFixture(kafka, harness -> switchable(harness, up))) {
            String source = f.topic("avro-orders", 1);
            Sink outputs = f.sink("avro-orders-out");
            Sink failed = f.sink("avro-orders-failed");
            TriggerSpec spec = f.specFromEarliest("orders", "enrich-o", source).setFormat(RecordFormat.AVRO)
                    .setDestination(outputs.topic()).setOnFailure(failed.topic()).build();
            String group = f.group(spec);

            up.set(false);
            Schema order = TriggerFixture.idRecord("Order");
            f.produceAvro(source, order, TriggerFixture.withId(order, 7));
            try (TriggerPool pool = f.pool(spec, TriggerFixture.enrich("acme", "enrich-o", 1, 1))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> f.runtime.registryWatch().problem().isPresent());
                // Out of its group while it waits, and staying out (it rejoined every 2 s, taking its partitions
                // back each time).
                await().atMost(Duration.ofSeconds(30)).until(() -> members(kafka, group) == 0);
                await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                        .until(() -> members(kafka, group) == 0);
                assertThat(outputs).isEmpty();

                up.set(true);
                f.awaitCaughtUp(spec, Duration.ofSeconds(60), () -> outputs.size() >= 1);
                assertThat(f.runtime.registryWatch().problem()).isEmpty();
            }
            assertThat(outputs).singleElement().satisfies(out -> assertThat(TriggerKit.value(out))
                    .contains("\"id\":7", "\"enriched\":true"));
            assertThat(failed).as("nothing sent to onFailure for the registry").isEmpty();
        }
    }

    @Test
    void shouldKeepARecordWaitingWhileTheRegistryListsSubjectsButCannotGiveItsSchema(KafkaFixture kafka)
            throws Exception {
        // Tester 13B: a 500 on /schemas/ids/* alone; the watch took GET /subjects for the registry back, the replica
        // rejoined and stepped out every second, and the broker archived the record at its fifth delivery.
        try (SchemaLoss c = new SchemaLoss(kafka, "echo-half", true)) {
            c.sendEvolvedWhileSchemasFail();
            await().atMost(Duration.ofSeconds(60)).until(() -> c.runtime.registryWatch().problem().isPresent());
            // Out while its schema cannot be had, though the registry lists subjects: no rejoin, no delivery.
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                    .until(() -> c.runtime.registryWatch().problem().isPresent() && c.deadLetters.isEmpty());
            c.byId.set(true);
            await().atMost(Duration.ofSeconds(60)).until(() -> !c.results.of(c.evolved.getInvocationId()).isEmpty());
            c.pool.close();
            assertThat(c.results.of(c.evolved.getInvocationId())).singleElement()
                    .extracting(InvocationResult::getStatus).isEqualTo(InvocationStatus.SUCCEEDED);
            assertThat(c.deadLetters).isEmpty();
        }
    }

    @Test
    void shouldDeadLetterAQueueRecordTheRegistryKeepsFailingRatherThanLetTheBrokerArchiveIt(KafkaFixture kafka)
            throws Exception {
        // A registry that flaps: it gives the watch the schema, so each outage ends at once, but never gives it to
        // the replica: the record comes back once per outage, and the broker would archive it at its fifth delivery.
        try (SchemaLoss c = new SchemaLoss(kafka, "echo-flapping", false)) {
            c.sendEvolvedWhileSchemasFail();
            await().atMost(Duration.ofSeconds(90)).until(() -> !c.deadLetters.isEmpty());
            c.pool.close();
            assertThat(c.deadLetters).singleElement().satisfies(letter -> assertThat(
                    DeadLetters.header(letter.headers(), DeadLetters.ERROR_MESSAGE))
                    .startsWith("Delivered 3 times while the schema registry could not give its schema"));
            assertThat(c.results.of(c.evolved.getInvocationId())).isEmpty();
        }
    }

    /**
     * A QUEUE function's pool of one replica over a registry whose fetches of a schema by id fail while {@code byId}
     * is false ({@code evenForTheWatch}: the watch's own fetches too, else they succeed), having run one call.
     */
    private static final class SchemaLoss implements AutoCloseable {
        final AtomicBoolean byId = new AtomicBoolean(true);
        final Harness harness;
        final FerryRuntime runtime;
        final WorkerContext context;
        final Harness.Results results;
        final List<ConsumerRecord<byte[], byte[]>> deadLetters;
        final FunctionRef ref;
        final WorkerPool pool;
        final InvocationRequest evolved;

        SchemaLoss(KafkaFixture kafka, String function, boolean evenForTheWatch) {
            harness = new Harness(kafka);
            runtime = FerryRuntime.create(harness.config, switchable(harness, new AtomicBoolean(true), byId,
                    new AtomicBoolean(evenForTheWatch), () -> new SchemaRegistryException(500, 50001,
                            "Schema registry answered 500 (error_code 50001): backend store unavailable")));
            context = new WorkerContext(runtime);
            results = harness.results();
            deadLetters = harness.deadLetters();
            ref = new FunctionRef("acme", function);
            harness.workTopic(ref, 1);
            evolved = Harness.request(ref, "evolved", null);
            pool = new WorkerPool(FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "echo")
                    .setPartitions(1).build(), context, 1);
            InvocationRequest warm = Harness.request(ref, "warm", null);
            harness.send(List.of(warm));
            await().atMost(Duration.ofSeconds(60)).until(() -> !results.of(warm.getInvocationId()).isEmpty());
        }

        /** Fetches by id fail from now on, and a record of a schema id the worker has not read arrives. */
        void sendEvolvedWhileSchemasFail() throws IOException {
            byId.set(false);
            harness.sendRaw(harness.topics.work(ref), nextVersion(harness, ref, evolved));
        }

        @Override
        public void close() {
            pool.close();
            context.close();
            runtime.close();
            harness.close();
        }
    }

    @Test
    void shouldSendAShareTriggersRecordTheRegistryKeepsFailingToOnFailureRatherThanLetTheBrokerArchiveIt(
            KafkaFixture kafka) throws Exception {
        AtomicBoolean byId = new AtomicBoolean(false);
        try (TriggerFixture f = new TriggerFixture(kafka, harness -> switchable(harness, new AtomicBoolean(true),
                byId))) {
            String source = f.topic("avro-events", 1);
            Sink outputs = f.sink("avro-events-out");
            Sink failed = f.sink("avro-events-failed");
            Schema event = TriggerFixture.idRecord("Event");
            f.produceAvro(source, event, TriggerFixture.withId(event, 9));
            TriggerSpec spec = f.specFromEarliest("events", "enrich-e", source).setFormat(RecordFormat.AVRO)
                    .setOrdering(TriggerOrdering.NONE).setDestination(outputs.topic()).setOnFailure(failed.topic())
                    .build();
            // A registry that gives the watch the schema but never the replica: each wait ends at once and the
            // share group delivers the record again; its fifth delivery would be archived by the broker, silently.
            try (TriggerPool pool = f.pool(spec, TriggerFixture.enrich("acme", "enrich-e", 1, 1))) {
                await().atMost(Duration.ofSeconds(90)).until(() -> !failed.isEmpty());
            }
            assertThat(failed).singleElement().satisfies(letter -> assertThat(TriggerKit.header(letter,
                    DeadLetters.ERROR_MESSAGE)).contains("Delivered 3 times while the schema registry could not "
                            + "give its schema"));
            assertThat(outputs).isEmpty();
        }
    }

    /** A registry client over the test's registry that answers as if unreachable while {@code up} is false. */
    private static SchemaRegistryClient switchable(Harness harness, AtomicBoolean up) {
        return switchable(harness, up, new AtomicBoolean(true));
    }

    private static SchemaRegistryClient switchable(Harness harness, AtomicBoolean up, AtomicBoolean byId) {
        return switchable(harness, up, byId, () -> new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE,
                SchemaRegistryException.NO_RESPONSE,
                "Schema registry at http://localhost:1 unreachable: java.net.ConnectException"));
    }

    /**
     * As above, and while {@code byId} is false fetching a schema by its id fails as if unreachable, except for the
     * registry watch's own questions: a registry that flaps, telling the watch it is back and failing the replica's
     * next fetch. ({@link #shouldKeepARecordWaitingWhileTheRegistryListsSubjectsButCannotGiveItsSchema} fails the
     * watch's fetches too.)
     */
    private static SchemaRegistryClient switchable(Harness harness, AtomicBoolean up, AtomicBoolean byId,
            Supplier<SchemaRegistryException> down) {
        return switchable(harness, up, byId, new AtomicBoolean(false), down);
    }

    private static SchemaRegistryClient switchable(Harness harness, AtomicBoolean up, AtomicBoolean byId,
            AtomicBoolean byIdForAll, Supplier<SchemaRegistryException> down) {
        SchemaRegistryClient real = RestSchemaRegistryClient.fromConfig(harness.config.schemaRegistryProperties());
        return (SchemaRegistryClient) Proxy.newProxyInstance(RegistryLossIT.class.getClassLoader(),
                new Class<?>[] {SchemaRegistryClient.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.invoke(real, args);
                    }
                    boolean watch = Thread.currentThread().getName().equals("ferry-registry-watch");
                    if (!up.get() || (!byId.get() && method.getName().equals("getById")
                            && (!watch || byIdForAll.get()))) {
                        throw down.get();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * {@code request} in the wire format under the next version of the request's schema (one more optional field),
     * registered now under the work topic's subject: a schema id the worker has not read.
     */
    private static byte[] nextVersion(Harness harness, FunctionRef ref, InvocationRequest request) throws IOException {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : InvocationRequest.SCHEMA$.getFields()) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        fields.add(new Schema.Field("region", Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.STRING)), null, Schema.Field.NULL_DEFAULT_VALUE));
        Schema next = Schema.createRecord(InvocationRequest.SCHEMA$.getName(), null,
                InvocationRequest.SCHEMA$.getNamespace(), false, fields);
        int id = harness.serdes.registry().register(harness.topics.work(ref) + "-value", next);
        // Today's bytes read as the next version (the new field takes its default), then written as it.
        ByteArrayOutputStream today = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(today, null);
        new SpecificDatumWriter<InvocationRequest>(InvocationRequest.SCHEMA$).write(request, encoder);
        encoder.flush();
        GenericRecord asNext = new GenericDatumReader<GenericRecord>(InvocationRequest.SCHEMA$, next)
                .read(null, DecoderFactory.get().binaryDecoder(today.toByteArray(), null));
        asNext.put("region", "eu-west");
        return Harness.wire(id, next, asNext);
    }

    private static int members(KafkaFixture kafka, String group) throws Exception {
        return kafka.admin().describeConsumerGroups(List.of(group)).describedGroups().get(group)
                .get(10, TimeUnit.SECONDS).members().size();
    }
}
