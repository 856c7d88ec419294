package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.WorkerConfig;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.functions.FunctionPublisher;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@FerryKafkaTest
@Timeout(120)
class WorkerServiceIT {

    @Test
    void shouldRunDeployedFunctionsAndFollowUpdatesAndRemovalsWhenWatchingTheDirectory(KafkaFixture kafka) {
        try (Harness harness = new Harness(kafka);
                WorkerContext context = new WorkerContext(harness.config);
                FunctionPublisher publisher = new FunctionPublisher(harness.clients, harness.topics,
                        harness.serdes.serializer(FunctionSpec.class));
                FunctionDirectory directory = new FunctionDirectory(harness.clients, harness.topics,
                        harness.serdes.deserializer(FunctionSpec.class)).start();
                WorkerService service = new WorkerService(context, directory, 1).start()) {
            Harness.Results results = harness.results();
            FunctionRef lazy = new FunctionRef("acme", "deployed-at-zero");
            FunctionRef eager = new FunctionRef("acme", "deployed-at-two");

            publisher.deploy(FunctionSpecs.builder(lazy.tenant(), lazy.function(), Runtime.JAVA, "sha256")
                    .setPartitions(2).build());
            publisher.deploy(FunctionSpecs.builder(eager.tenant(), eager.function(), Runtime.JAVA, "echo")
                    .setPartitions(2).setMinReplicas(2).build());
            await().atMost(Duration.ofSeconds(30)).until(() -> service.pool(lazy).isPresent()
                    && service.pool(eager).isPresent());
            assertThat(service.pool(lazy).orElseThrow().replicas()).as("minReplicas 0 starts initialReplicas")
                    .isEqualTo(1);
            assertThat(service.pool(eager).orElseThrow().replicas()).isEqualTo(2);

            InvocationRequest request = Harness.request(lazy, "abc", null);
            harness.send(List.of(request));
            await().atMost(Duration.ofSeconds(30)).until(() -> !results.of(request.getInvocationId()).isEmpty());
            assertThat(results.of(request.getInvocationId()).get(0).getStatus()).isEqualTo(InvocationStatus.SUCCEEDED);

            publisher.deploy(FunctionSpecs.builder(lazy.tenant(), lazy.function(), Runtime.JAVA, "wordcount")
                    .setPartitions(2).setConcurrency(3).build());
            await().atMost(Duration.ofSeconds(30)).until(() -> service.pool(lazy).orElseThrow().spec()
                    .getHandler().equals("wordcount"));
            InvocationRequest counted = Harness.request(lazy, "three little words", null);
            harness.send(List.of(counted));
            await().atMost(Duration.ofSeconds(30)).until(() -> !results.of(counted.getInvocationId()).isEmpty());
            assertThat(results.of(counted.getInvocationId()).get(0).getOutput().array())
                    .asString().isEqualTo("{\"words\":3}");

            publisher.remove(eager);
            await().atMost(Duration.ofSeconds(30)).until(() -> service.pool(eager).isEmpty());
            assertThat(service.pools()).containsOnlyKeys(lazy);
        }
    }

    /**
     * A worker process limited to named pools ({@code worker.pools}; a Kubernetes Deployment per function) runs no
     * other function's pool: before, each such pod took every function's work too.
     */
    @Test
    void shouldRunOnlyTheNamedPoolsWhenWorkerPoolsIsSet(KafkaFixture kafka) {
        FunctionRef mine = new FunctionRef("acme", "mine");
        FunctionRef other = new FunctionRef("acme", "not-mine");
        try (Harness harness = new Harness(kafka, Map.of(WorkerConfig.POOLS, mine.key()));
                WorkerContext context = new WorkerContext(harness.config);
                FunctionPublisher publisher = new FunctionPublisher(harness.clients, harness.topics,
                        harness.serdes.serializer(FunctionSpec.class));
                FunctionDirectory directory = new FunctionDirectory(harness.clients, harness.topics,
                        harness.serdes.deserializer(FunctionSpec.class)).start();
                WorkerService service = new WorkerService(context, directory, 1).start()) {
            // Deployed first: the service applies changes in order, so once mine has its pool, other was decided.
            publisher.deploy(FunctionSpecs.builder(other.tenant(), other.function(), Runtime.JAVA, "echo").build());
            publisher.deploy(FunctionSpecs.builder(mine.tenant(), mine.function(), Runtime.JAVA, "echo").build());

            await().atMost(Duration.ofSeconds(30)).until(() -> service.pool(mine).isPresent());
            assertThat(service.pools()).containsOnlyKeys(mine);
        }
    }

    /**
     * A function deleted and created again under its name, and a worker that learns of the new spec late (here its
     * directory's reader is held on the new spec, as a busy process's would be): the retiring pool of the deleted
     * function meets a call of the new one first. It must not answer it REJECTED {@code function_deleted} (CI saw that
     * in FunctionRedeployIT); it gives the call back, and the new function runs it. What the deleted function left is
     * still answered {@code function_deleted}.
     */
    @ParameterizedTest
    @EnumSource(Delivery.class)
    void shouldLeaveACallOfTheFunctionCreatedAgainToItWhenTheRetiringPoolMeetsItFirst(Delivery delivery,
            KafkaFixture kafka) throws Exception {
        FunctionRef ref = new FunctionRef("acme", "reborn-" + delivery.name().toLowerCase(java.util.Locale.ROOT));
        CountDownLatch newSpecSeen = new CountDownLatch(1);
        try (Harness harness = new Harness(kafka, Map.of(WorkerConfig.RETIRE_QUIET_MS, 60_000L));
                WorkerContext context = new WorkerContext(harness.config);
                FunctionPublisher publisher = new FunctionPublisher(harness.clients, harness.topics,
                        harness.serdes.serializer(FunctionSpec.class));
                FunctionDirectory directory = new FunctionDirectory(harness.clients, harness.topics,
                        harness.serdes.deserializer(FunctionSpec.class)).start()) {
            // Added before the service's listener, so the service hears of the new spec only once this returns.
            directory.addListener(new FunctionDirectory.Listener() {
                @Override
                public void deployed(FunctionSpec spec) {
                    if (spec.getHandler().equals("sha256")) {
                        try {
                            newSpecSeen.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }

                @Override
                public void removed(FunctionRef removed) {
                }
            });
            Harness.Results results = harness.results();
            try (WorkerService service = new WorkerService(context, directory, 1).start()) {
                publisher.deploy(FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "echo")
                        .setDelivery(delivery).setPartitions(1).build());
                await().atMost(Duration.ofSeconds(30)).until(() -> service.pool(ref).isPresent());
                WorkerPool deleted = service.pool(ref).orElseThrow();
                publisher.remove(ref);
                await().atMost(Duration.ofSeconds(30)).until(() -> service.pool(ref).isEmpty());
                InvocationRequest left = Harness.request(ref, "left", null);
                harness.send(List.of(left));
                await().atMost(Duration.ofSeconds(30)).until(() -> !results.of(left.getInvocationId()).isEmpty());
                assertThat(results.of(left.getInvocationId()).get(0).getReasonCode()).isEqualTo("function_deleted");

                publisher.deploy(FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "sha256")
                        .setDelivery(delivery).setPartitions(1).setWorkStartOffsets(publisher.leftoverEnds(ref))
                        .build());
                InvocationRequest fresh = Harness.request(ref, "fresh", null);
                harness.send(List.of(fresh));
                // The retiring pool has the call (answered, or held back) before this worker sees the new spec.
                await().atMost(Duration.ofSeconds(30)).until(() -> !results.of(fresh.getInvocationId()).isEmpty()
                        || deleted.stats().inFlight() > 0);
                newSpecSeen.countDown();

                await().atMost(Duration.ofSeconds(30)).until(() -> !results.of(fresh.getInvocationId()).isEmpty());
                String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest("fresh".getBytes(StandardCharsets.UTF_8)));
                assertThat(results.of(fresh.getInvocationId())).singleElement().satisfies(result -> {
                    assertThat(result.getStatus()).as("%s", result.getError()).isEqualTo(InvocationStatus.SUCCEEDED);
                    assertThat(new String(result.getOutput().array(), StandardCharsets.UTF_8)).isEqualTo(digest);
                });
            } finally {
                newSpecSeen.countDown();
            }
        }
    }
}
