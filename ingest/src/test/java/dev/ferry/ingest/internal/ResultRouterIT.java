package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Correlation of results with waiters, on a results topic written directly as any worker would. */
@FerryKafkaTest
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ResultRouterIT {

    private KafkaFixture kafka;
    private String topic;
    private KafkaClients clients;
    private AvroSerdes serdes;
    private KafkaProducer<String, InvocationResult> producer;
    private ResultRouter router;

    @BeforeEach
    void setUp(KafkaFixture kafka) {
        this.kafka = kafka;
        topic = "results-" + UUID.randomUUID();
        kafka.createTopic(topic, 2);
        FerryConfig config = new FerryConfig(Map.of(FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl()));
        clients = new KafkaClients(config);
        serdes = new AvroSerdes(config);
        producer = clients.producer("results-writer", new StringSerializer(),
                serdes.serializer(InvocationResult.class), Map.of());
        router = new ResultRouter(clients, topic, serdes.deserializer(InvocationResult.class), "router-test",
                Duration.ofSeconds(1));
    }

    @AfterEach
    void tearDown() {
        router.close();
        producer.close();
    }

    private void write(String id, int attempt, InvocationStatus status) throws Exception {
        write("acme", id, attempt, status);
    }

    private void write(String tenant, String id, int attempt, InvocationStatus status) throws Exception {
        InvocationResult result = InvocationResult.newBuilder(ResultStoreTest.result(id, tenant, attempt, status,
                Instant.now())).build();
        producer.send(new ProducerRecord<>(topic, id, result)).get();
    }

    @Test
    void shouldCompleteWithTheFinalAttemptOnlyWhenEarlierOnesFailed() throws Exception {
        router.start(null, null);
        String id = UUID.randomUUID().toString();
        CompletableFuture<InvocationResult> result = router.expect("acme", id, 3, Duration.ofSeconds(30));

        write(UUID.randomUUID().toString(), 1, InvocationStatus.SUCCEEDED);
        write(id, 1, InvocationStatus.FAILED);
        write(id, 2, InvocationStatus.TIMED_OUT);
        write(id, 3, InvocationStatus.FAILED);

        InvocationResult done = result.get(20, TimeUnit.SECONDS);
        assertThat(done.getAttempt()).isEqualTo(3);
        assertThat(router.waiting()).isZero();
    }

    /**
     * A retried attempt's result is not the outcome: a caller told "FAILED" or "TIMED_OUT" while a retry was coming
     * called again and ran the function twice (the sync 504 defect). The wait ends "still pending" instead.
     */
    @Test
    void shouldFailWithATimeoutNamingTheLatestAttemptWhenTheWaitEndsBeforeAFinalOne() throws Exception {
        router.start(null, null);
        String id = UUID.randomUUID().toString();
        CompletableFuture<InvocationResult> result = router.expect("acme", id, 3, Duration.ofSeconds(3));

        write(id, 1, InvocationStatus.FAILED);

        assertThatThrownBy(() -> result.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class)
                .cause().hasMessageContaining("No final result for invocation " + id)
                .hasMessageContaining("attempt 1 FAILED");
        assertThat(router.waiting()).isZero();
    }

    @Test
    void shouldFailEveryWaitWithATimeoutWhenAllExpireAfterIntermediateResults() throws Exception {
        router.start(null, null);
        String id = UUID.randomUUID().toString();
        CompletableFuture<InvocationResult> result = router.expect("acme", id, 3, Duration.ofSeconds(30));
        write(id, 1, InvocationStatus.TIMED_OUT);
        // Another tenant's result under the same key lands on the same partition after it: once that one is read,
        // so is the intermediate result.
        CompletableFuture<InvocationResult> other = router.expect("globex", id, 1, Duration.ofSeconds(30));
        write("globex", id, 1, InvocationStatus.SUCCEEDED);
        other.get(20, TimeUnit.SECONDS);

        router.expireAll("the gateway is stopping");

        assertThatThrownBy(result::join).hasCauseInstanceOf(TimeoutException.class)
                .cause().hasMessageContaining("attempt 1 TIMED_OUT");
    }

    /** Issue 12: ids are chosen by clients on the Kafka path, so another tenant may write a result with ours. */
    @Test
    void shouldCompleteEachWaiterWithItsOwnTenantsResultWhenTwoTenantsShareAnId() throws Exception {
        router.start(null, null);
        String id = UUID.randomUUID().toString();
        CompletableFuture<InvocationResult> acme = router.expect("acme", id, 1, Duration.ofSeconds(30));
        CompletableFuture<InvocationResult> globex = router.expect("globex", id, 1, Duration.ofSeconds(30));

        write("mallory", id, 1, InvocationStatus.SUCCEEDED);
        write("globex", id, 1, InvocationStatus.FAILED);
        write("acme", id, 1, InvocationStatus.SUCCEEDED);

        assertThat(acme.get(20, TimeUnit.SECONDS).getTenant()).isEqualTo("acme");
        assertThat(globex.get(20, TimeUnit.SECONDS).getTenant()).isEqualTo("globex");
        assertThat(globex.get().getStatus()).isEqualTo(InvocationStatus.FAILED);
        assertThat(router.waiting()).isZero();
    }

    @Test
    void shouldFailWithATimeoutWhenNoResultComes() {
        router.start(null, null);
        CompletableFuture<InvocationResult> result = router.expect("acme", "never", 1, Duration.ofMillis(300));

        assertThatThrownBy(result::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(router.waiting()).isZero();
    }

    @Test
    void shouldReplayFromTheGivenInstantThenFollowLiveResults() throws Exception {
        write("old", 1, InvocationStatus.SUCCEEDED);
        List<String> seen = new CopyOnWriteArrayList<>();
        router.start(Instant.now().minusSeconds(60), r -> seen.add(r.getInvocationId()));

        assertThat(router.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
        assertThat(seen).contains("old");
        write("new", 1, InvocationStatus.SUCCEEDED);
        await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("new"));
    }

    @Test
    void shouldFollowPartitionsAddedToTheTopicWhenRunning() throws Exception {
        router.start(null, null);
        kafka.admin().createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all().get(30, TimeUnit.SECONDS);
        String id = UUID.randomUUID().toString();
        CompletableFuture<InvocationResult> result = router.expect("acme", id, 1, Duration.ofSeconds(40));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            producer.send(new ProducerRecord<>(topic, 3, id, InvocationResult.newBuilder(ResultStoreTest.result(id,
                    "acme", 1, InvocationStatus.SUCCEEDED, Instant.now())).build())).get();
            assertThat(result).succeedsWithin(Duration.ofSeconds(2));
        });
    }
}
