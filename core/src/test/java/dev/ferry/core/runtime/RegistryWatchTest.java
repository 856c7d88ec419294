package dev.ferry.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryException;
import dev.ferry.schemas.registry.UnreadableSchemaException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A lost registry is reported until it answers again, and asked by one thread of the watch, not by its callers. */
class RegistryWatchTest {

    private final AtomicBoolean answers = new AtomicBoolean(false);
    private final AtomicInteger asked = new AtomicInteger();
    private final AtomicBoolean givesSchemas = new AtomicBoolean(true);
    private final RegistryWatch watch = new RegistryWatch(() -> {
        asked.incrementAndGet();
        return answers.get() ? Optional.empty() : Optional.of("Connection refused");
    }, id -> givesSchemas.get() ? Optional.empty() : Optional.of("answered 500 to GET /schemas/ids/" + id),
            "http://registry:8081", Duration.ofMillis(20));

    @AfterEach
    void close() {
        watch.close();
        // Its thread ends at its next wake: gone before the next test counts askers.
        await().atMost(Duration.ofSeconds(5)).until(() -> askers() == 0);
    }

    private static long askers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("ferry-registry-watch") && t.isAlive()).count();
    }

    @Test
    void shouldServeUntilLostAndAskNothingMeanwhile() {
        assertThat(watch.available()).isTrue();
        assertThat(watch.problem()).isEmpty();
        assertThat(asked).hasValue(0);
    }

    @Test
    void shouldReportTheLossWithTheRegistrysLastAnswerUntilItAnswersAgain() {
        watch.lost(new IllegalStateException("Schema registry at http://registry:8081 unreachable"));

        assertThat(watch.available()).isFalse();
        // The user's failure until the watch's own first question, then the registry's last answer.
        assertThat(watch.problem()).hasValueSatisfying(problem -> assertThat(problem)
                .contains("http://registry:8081").contains("does not answer").containsAnyOf("unreachable",
                        "Connection refused"));
        await().atMost(Duration.ofSeconds(5)).until(() -> asked.get() >= 2);
        assertThat(watch.problem()).hasValueSatisfying(problem -> assertThat(problem).contains("Connection refused"));

        answers.set(true);
        await().atMost(Duration.ofSeconds(5)).until(watch::available);
        assertThat(watch.problem()).isEmpty();
        int then = asked.get();
        // Its thread ended with the answer: nothing asks while the registry serves.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> asked.get() == then);
    }

    @Test
    void shouldStayLostWhileTheRegistryListsSubjectsButCannotGiveTheSchemaThatFailed() {
        // A tester, session 13: a 500 on /schemas/ids/* alone; GET /subjects answered, and the replicas rejoined
        // and stepped out again every second, each time a delivery more for the share group's record.
        answers.set(true);
        givesSchemas.set(false);
        watch.lostSchema(4, new IllegalStateException("Cannot fetch schema id 4"));

        await().atMost(Duration.ofSeconds(5)).until(() -> asked.get() >= 3);
        assertThat(watch.available()).isFalse();
        assertThat(watch.problem()).hasValueSatisfying(problem -> assertThat(problem).contains("/schemas/ids/4"));

        givesSchemas.set(true);
        await().atMost(Duration.ofSeconds(5)).until(watch::available);
    }

    @Test
    void shouldStartOneAskerHoweverManyFindTheLoss() {
        for (int i = 0; i < 50; i++) {
            watch.lost(new IllegalStateException("no answer " + i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> asked.get() >= 3);
        assertThat(askers()).isEqualTo(1);
    }

    @Test
    void shouldStopAskingOnceClosed() {
        watch.lost(new IllegalStateException("gone"));
        watch.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> askers() == 0);
        int then = asked.get();
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> asked.get() == then);
    }

    /**
     * The registry's own verdict on a schema whose fetch failed (deleted since: 40403; or one Ferry cannot read) is an
     * answer: the watch ends, and the record is judged by that verdict (tester, session 14: a watch waiting for a
     * schema its registry had since deleted kept the process unready and the replicas out until a restart).
     */
    @Test
    void shouldTakeTheRegistrysVerdictOnALostSchemaForAnAnswer() {
        for (SchemaRegistryException verdict : List.of(
                new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema 15 not found"),
                new UnreadableSchemaException("The schema of schema id 15 is JSON, not AVRO"))) {
            SchemaRegistryClient registry = (SchemaRegistryClient) Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {SchemaRegistryClient.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "subjects":
                                return List.of();
                            case "getById":
                                throw verdict;
                            default:
                                throw new UnsupportedOperationException(method.getName());
                        }
                    });
            try (RegistryWatch judged = new RegistryWatch(registry, List.of("http://registry:8081"))) {
                judged.lostSchema(15, new SchemaRegistryException(500, 50001, "Internal Server Error"));

                assertThat(judged.available()).isFalse();
                await().atMost(Duration.ofSeconds(10)).until(judged::available);
            }
        }
    }
}
