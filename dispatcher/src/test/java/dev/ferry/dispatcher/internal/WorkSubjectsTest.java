package dev.ferry.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tester 14A, finding 10: a deleted function's work subject is soft-deleted, never blocking the deletion. */
class WorkSubjectsTest {

    private final TopicCatalog topics = new TopicCatalog(new FerryConfig(Map.of()));
    private final Map<FunctionRef, FunctionSpec> live = new HashMap<>();
    private final List<String> deleted = new ArrayList<>();

    private WorkSubjects subjects(RuntimeException failure) {
        return new WorkSubjects(ref -> Optional.ofNullable(live.get(ref)), topics, topic -> {
            if (failure != null) {
                throw failure;
            }
            deleted.add(topic);
            return List.of(1);
        }, Runnable::run);
    }

    @Test
    void shouldDeleteTheSubjectOfTheWorkTopicOfADeletedFunction() {
        subjects(null).removed(new FunctionRef("acme", "gone"));

        assertThat(deleted).containsExactly(topics.work(new FunctionRef("acme", "gone")));
    }

    @Test
    void shouldKeepTheSubjectOfAFunctionCreatedAgainBeforeTheDeletionRan() {
        FunctionRef ref = new FunctionRef("acme", "back");
        live.put(ref, FunctionSpecs.builder("acme", "back", Runtime.JAVA, "echo").build());

        subjects(null).removed(ref);

        assertThat(deleted).isEmpty();
    }

    @Test
    void shouldNeitherThrowNorBlockWhenTheSubjectIsGoneOrTheRegistryIsDown() {
        FunctionRef ref = new FunctionRef("acme", "gone");
        assertThatCode(() -> subjects(new SchemaRegistryException(404, 40401, "Subject not found")).removed(ref))
                .as("already deleted by another dispatcher, or never called").doesNotThrowAnyException();
        assertThatCode(() -> subjects(new SchemaRegistryException(-1, -1, "Connection refused")).removed(ref))
                .as("registry down: logged, the deletion goes on").doesNotThrowAnyException();
        assertThatCode(() -> subjects(new IllegalStateException("boom")).removed(ref)).doesNotThrowAnyException();
    }
}
