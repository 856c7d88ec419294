package dev.ferry.dispatcher.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.RetriableFerryException;
import dev.ferry.core.functions.Wakeups;
import dev.ferry.core.invocation.InvocationResults;
import dev.ferry.core.invocation.ReasonCode;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.kafka.RecordSize;
import dev.ferry.core.kafka.ResultRecords;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one record of {@code ferry.invocations} into what it becomes: the invocation on its function's work topic
 * (with its {@code replyTo} kept, as every field) and, when its pool is at zero replicas, a wakeup ({@link Wakeups}),
 * a REJECTED result on {@code ferry.results} (and its copy on the
 * request's {@code replyTo}, see {@link ResultRecords}), or, when it cannot be read at all, the untouched bytes on
 * {@code ferry.dlq}. Sending is the caller's, inside its transaction.
 *
 * <p>A failure that is not the record's fault (the schema registry unreachable, a work topic that cannot be
 * created) is thrown as a {@link RetriableFerryException}, so the batch is retried rather than the record
 * condemned. Logs name topic, partition and offset, never the payload: it may hold user data.
 */
public final class RecordRouter {

    private static final Logger log = LoggerFactory.getLogger(RecordRouter.class);

    private final TopicCatalog topics;
    private final Deserializer<InvocationRequest> requests;
    private final Serializer<InvocationRequest> work;
    private final Serializer<InvocationResult> results;
    private final RequestValidator validator;
    private final WorkRoutes routes;
    private final Function<FunctionRef, FunctionLoad> loads;
    private final Clock clock;
    private final int maxRecordBytes;
    private final ResultRecords resultRecords;
    private final Wakeups wakeups;

    public RecordRouter(TopicCatalog topics, Deserializer<InvocationRequest> requests,
            Serializer<InvocationRequest> work, Serializer<InvocationResult> results, RequestValidator validator,
            WorkRoutes routes, Function<FunctionRef, FunctionLoad> loads, Clock clock, int maxRecordBytes,
            ResultRecords resultRecords) {
        this(topics, requests, work, results, validator, routes, loads, clock, maxRecordBytes, resultRecords, null);
    }

    /** @param wakeups says when work goes to a pool at zero replicas (issue 16); null: never */
    public RecordRouter(TopicCatalog topics, Deserializer<InvocationRequest> requests,
            Serializer<InvocationRequest> work, Serializer<InvocationResult> results, RequestValidator validator,
            WorkRoutes routes, Function<FunctionRef, FunctionLoad> loads, Clock clock, int maxRecordBytes,
            ResultRecords resultRecords, Wakeups wakeups) {
        this.wakeups = wakeups;
        this.resultRecords = resultRecords;
        this.topics = topics;
        this.requests = requests;
        this.work = work;
        this.results = results;
        this.validator = validator;
        this.routes = routes;
        this.loads = loads;
        this.clock = clock;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** What the record becomes: one record, or a rejection and its reply copy. */
    public List<ProducerRecord<byte[], byte[]>> route(ConsumerRecord<byte[], byte[]> record) {
        InvocationRequest request = null;
        try {
            try {
                request = decode(record);
                return routeOrReject(record, request);
            } catch (StackOverflowError e) {
                // A value nested deeper than the stack holds (the deserializer turns Avro's own overflow into a
                // SerializationException; this is anything else that recursed): this record's failure, never an
                // Error that ends the loop for every tenant (docs/design.md section 11).
                throw new IllegalArgumentException("stack overflow while processing the invocation: its value is "
                        + "nested deeper than the dispatcher's stack allows");
            }
        } catch (RetriableFerryException e) {
            throw e;
        } catch (RuntimeException e) {
            if (registryUnavailable(e)) {
                throw new RetriableFerryException("Schema registry unavailable while routing the invocation at "
                        + where(record) + ": " + e.getMessage(), e);
            }
            log.warn("Dead-lettering invocation at {} that cannot be processed: {}", where(record), e.toString());
            // Never run: no attempt was made (ferry.attempt 0).
            ProducerRecord<byte[], byte[]> deadLetter = DeadLetters.of(topics.dlq(), record, e, 0);
            if (request == null) {
                return List.of(deadLetter); // undecodable, or no id: nobody to answer
            }
            // Decoded with an id, so someone waits for a final result: an unforeseen failure on a field's value
            // (a deadline of Long.MIN_VALUE overflowed once, a tester, session 8) answers it as well as parking it.
            List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(reject(record, request,
                    ReasonCode.INVALID_REQUEST, "the invocation cannot be processed: " + e, clock.instant()));
            out.add(deadLetter);
            return out;
        }
    }

    private List<ProducerRecord<byte[], byte[]>> routeOrReject(ConsumerRecord<byte[], byte[]> record,
            InvocationRequest request) {
        Instant now = clock.instant();
        RequestValidator.Verdict verdict = validator.check(request, now);
        if (!verdict.accepted()) {
            return reject(record, request, verdict.reason(), verdict.rejection(), now);
        }
        WorkRoutes.Route route;
        try {
            route = routes.routeFor(verdict.spec());
        } catch (FerryException e) {
            throw new RetriableFerryException("Cannot provision the work topic of " + InvocationResults.ref(request)
                    + " for the invocation at " + where(record) + ": " + e.getMessage(), e);
        }
        if (!route.routable()) {
            // The function is deployed but cannot be routed (its partition strategy or partition count is bad).
            return reject(record, request, ReasonCode.FUNCTION_UNAVAILABLE, route.error(), now);
        }
        FunctionLoad load = loads.apply(InvocationResults.ref(request));
        int partition = Math.floorMod(route.strategy().partition(request, route.partitions(), load),
                route.partitions());
        byte[] value = work.serialize(route.topic(), request);
        byte[] key = utf8(request.getKey() != null ? request.getKey() : request.getInvocationId());
        long size = RecordSize.upperBound(key, value, record.headers());
        if (size > maxRecordBytes) {
            // The producer would refuse it and fail the whole batch; say so to the caller instead.
            return reject(record, request, ReasonCode.PAYLOAD_TOO_LARGE, "invocation of about " + size + " bytes (payload, envelope and headers)"
                    + " exceeds the work topic's record limit of " + maxRecordBytes + " (topic.max.message.bytes)",
                    now);
        }
        load.sent(partition);
        ProducerRecord<byte[], byte[]> routed = new ProducerRecord<>(route.topic(), partition, key, value,
                record.headers());
        if (wakeups != null) {
            Optional<ProducerRecord<byte[], byte[]>> wakeup = wakeups.routed(InvocationResults.ref(request));
            if (wakeup.isPresent()) {
                return List.of(routed, wakeup.get()); // the same transaction: visible exactly when the work is
            }
        }
        return List.of(routed);
    }

    private InvocationRequest decode(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            throw new FerryException("null value (a tombstone) where an InvocationRequest was expected");
        }
        InvocationRequest request = requests.deserialize(record.topic(), record.headers(), record.value());
        if (request.getInvocationId() == null || request.getInvocationId().isBlank()) {
            // Without an id there is no one to send a result to; the dead letter keeps the record for an operator.
            throw new FerryException("invocation without an invocationId cannot be answered");
        }
        return request;
    }

    private List<ProducerRecord<byte[], byte[]>> reject(ConsumerRecord<byte[], byte[]> record,
            InvocationRequest request,
            ReasonCode reason, String error, Instant now) {
        log.warn("Rejecting invocation {} at {} ({}): {}", request.getInvocationId(), where(record), reason.code(),
                error);
        InvocationResult result = InvocationResults.terminal(request, InvocationStatus.REJECTED, reason, error, 0,
                now, null);
        String topic = topics.results();
        return resultRecords.of(request.getReplyTo(), utf8(request.getInvocationId()),
                results.serialize(topic, result), record.headers());
    }

    /**
     * No answer, a server error, or an answer that is not the registry's own (a 404 without its error code): the
     * registry is down or the URL wrong, not the record bad. A registry's "no such schema" is the record's fault.
     */
    private static boolean registryUnavailable(Throwable error) {
        return SchemaRegistryException.unavailable(error);
    }

    private static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
