package dev.ferry.dispatcher.internal;

import dev.ferry.core.DaemonThreads;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Soft-deletes the registry subject of a deleted function's work topic, {@code <prefix>work.<tenant>.<function>-value}
 * (tester 14A, finding 10: every function ever called left its subject behind, one per function, against a managed
 * registry's subject quota). The dispatcher registers that subject at a function's first call, so it is the one that
 * removes it: each dispatcher follows the function directory and, when a function's tombstone arrives, deletes the
 * subject and forgets the schema id it kept for the topic, so a function created again under the name registers
 * the subject again at its first call.
 *
 * <p>Soft, never permanent: records still on the work topic (the topic is kept, docs/design.md section 6) stay
 * readable by schema id. Idempotent: every dispatcher of the installation does it, and a subject already deleted or
 * never registered (a function never called) is not an error. Never blocks a deletion: the call runs on a thread
 * of its own, and a registry that refuses or does not answer is logged at WARN and skipped (an operator may delete
 * the subject later). A function created again before the call ran keeps its subject.
 */
public final class WorkSubjects implements FunctionDirectory.Listener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkSubjects.class);

    private final Function<FunctionRef, Optional<FunctionSpec>> functions;
    private final TopicCatalog topics;
    private final Function<String, List<Integer>> deleteSubjectOf;
    private final Executor executor;
    private final ExecutorService owned;

    /**
     * @param functions the deployed functions (the dispatcher's directory)
     * @param serdes    the process's serdes: their registry client and the work topics' serializer
     */
    public WorkSubjects(Function<FunctionRef, Optional<FunctionSpec>> functions, TopicCatalog topics,
            AvroSerdes serdes) {
        this(functions, topics, topic -> serdes.deleteSubject(topic, InvocationRequest.class),
                Executors.newSingleThreadExecutor(DaemonThreads.factory("ferry-work-subjects")));
    }

    /**
     * @param deleteSubjectOf soft-deletes the subject of a work topic, given the topic; returns the versions deleted
     * @param executor        where each deletion runs (an {@link ExecutorService} is shut down by {@link #close})
     */
    WorkSubjects(Function<FunctionRef, Optional<FunctionSpec>> functions, TopicCatalog topics,
            Function<String, List<Integer>> deleteSubjectOf, Executor executor) {
        this.functions = functions;
        this.topics = topics;
        this.deleteSubjectOf = deleteSubjectOf;
        this.executor = executor;
        this.owned = executor instanceof ExecutorService service ? service : null;
    }

    @Override
    public void deployed(FunctionSpec spec) {
        // Registered by the first call that routes to the function's work topic.
    }

    @Override
    public void removed(FunctionRef ref) {
        try {
            executor.execute(() -> delete(ref));
        } catch (RejectedExecutionException e) {
            log.debug("Not deleting the subject of {}: closing", ref);
        }
    }

    /** Soft-deletes {@code ref}'s work subject unless the function exists again; never throws. */
    void delete(FunctionRef ref) {
        if (functions.apply(ref).isPresent()) {
            return; // created again since: its subject is in use
        }
        String topic = topics.work(ref);
        try {
            List<Integer> versions = deleteSubjectOf.apply(topic);
            log.info("Function {} deleted: soft-deleted the registry subject of {} (versions {}); records on the "
                    + "topic stay readable by schema id", ref, topic, versions);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound() && e.errorCode() / 100 == 404) {
                // 40401: never registered (never called) or already deleted by another dispatcher.
                log.debug("Function {} deleted: its work topic {} has no live subject ({})", ref, topic,
                        e.getMessage());
            } else {
                warn(ref, topic, e);
            }
        } catch (RuntimeException e) {
            warn(ref, topic, e);
        }
    }

    private static void warn(FunctionRef ref, String topic, RuntimeException e) {
        log.warn("Function {} deleted, but the registry subject of its work topic {} could not be deleted (left "
                + "in place; an operator may delete it: DELETE /subjects/{}-value): {}", ref, topic, topic,
                e.toString());
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.shutdown();
        }
    }
}
