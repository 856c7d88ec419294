package dev.ferry.worker.internal;

import dev.ferry.core.invocation.HeaderText;
import dev.ferry.core.invocation.InvocationResults;
import dev.ferry.core.invocation.ReasonCode;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.metrics.FerryMetrics;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one work record through its attempt: checks, runs the function through the {@link Invoker}, writes the
 * result, asks the {@link FailureHandler} what follows and writes that too (a parked retry or a dead letter). The
 * returned future completes with the {@link Decision} only once every record it wrote is acknowledged, which is
 * when a replica may acknowledge or commit the work record; it completes exceptionally if a write failed.
 * One per replica (it owns the replica's function instance and its cold-start flag).
 */
public final class AttemptProcessor {

    private static final Logger log = LoggerFactory.getLogger(AttemptProcessor.class);

    private final WorkerResources resources;
    private final FunctionSpec spec;
    private final Function function;
    private final Invoker invoker;
    private final Counters counters;
    private final String worker;
    /** Set for a retiring processor (its function deleted): which records are its to answer; null otherwise. */
    private final Handover handover;
    private final AtomicBoolean cold = new AtomicBoolean(true);

    public AttemptProcessor(WorkerResources resources, FunctionSpec spec, Function function, Invoker invoker,
            Counters counters, String worker) {
        this(resources, spec, function, invoker, counters, worker, null);
    }

    /**
     * @param function null only for a retiring processor
     * @param handover non-null for a retiring processor (the function was deleted): nothing runs; a record the
     *        handover says is the deleted function's is answered REJECTED {@code function_deleted}, any other is
     *        given back unanswered as by a stop ({@link WorkerStoppedException}): it is the work of the function
     *        that has the name next
     */
    public AttemptProcessor(WorkerResources resources, FunctionSpec spec, Function function, Invoker invoker,
            Counters counters, String worker, Handover handover) {
        if (function == null && handover == null) {
            throw new IllegalArgumentException("Only a retiring processor runs no function");
        }
        this.resources = resources;
        this.spec = spec;
        this.function = function;
        this.invoker = invoker;
        this.counters = counters;
        this.worker = worker;
        this.handover = handover;
    }

    /**
     * @param deliveryCount how often the share group delivered this record (1 for consumer groups)
     */
    public CompletableFuture<Decision> process(ConsumerRecord<byte[], byte[]> record, Decoded decoded,
            int deliveryCount) {
        return process(record, decoded, deliveryCount, () -> { });
    }

    /**
     * As {@link #process(ConsumerRecord, Decoded, int)}, and tells {@code runEnded} as soon as the function's run is
     * over and what it wrote is handed to the producer (not yet acknowledged by Kafka), on the thread that ran it: a
     * replica may then let another run start while this one's result is being written, or flush the producer once
     * its whole batch is handed over. Not told when the attempt ran no user code (a dead letter, a rejection, an
     * attempt answered before); the returned future says when it is over.
     *
     * @param runEnded must not block
     */
    public CompletableFuture<Decision> process(ConsumerRecord<byte[], byte[]> record, Decoded decoded,
            int deliveryCount, Runnable runEnded) {
        counters.started();
        CompletableFuture<Decision> done;
        try {
            done = attempt(record, decoded, deliveryCount, runEnded);
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        return done.whenComplete((decision, error) -> counters.ended());
    }

    private CompletableFuture<Decision> attempt(ConsumerRecord<byte[], byte[]> record, Decoded decoded,
            int deliveryCount, Runnable runEnded) {
        if (handover != null) {
            // Not this pool's to answer in any way when it is the work of the function that has the name next.
            return handover.owns(record).thenCompose(owned -> owned
                    ? answer(record, decoded, deliveryCount, runEnded) : giveBack(record));
        }
        return answer(record, decoded, deliveryCount, runEnded);
    }

    /** Unanswered and unacknowledged, for the pool of the function deployed under the name next to take. */
    private CompletableFuture<Decision> giveBack(ConsumerRecord<byte[], byte[]> record) {
        if (spec.getDelivery() == Delivery.QUEUE) {
            // Released unrun: that delivery must not count toward the next pool's worker.delivery.count.limit.
            resources.unrunReleases().released(record);
        }
        return CompletableFuture.failedFuture(new WorkerStoppedException("the function deleted under this name "
                + "does not answer " + WorkerResources.where(record) + ": it is the work of the function deployed "
                + "under the name next"));
    }

    private CompletableFuture<Decision> answer(ConsumerRecord<byte[], byte[]> record, Decoded decoded,
            int deliveryCount, Runnable runEnded) {
        int delivered = record.deliveryCount().map(Short::intValue).orElse(1);
        boolean mayWait = spec.getDelivery() != Delivery.QUEUE || delivered < resources.deliveryCountLimit();
        if (!decoded.ok() && decoded.registryLost() && mayWait) {
            // Not the record's fault: it waits for the registry (the replica steps out until it answers).
            if (spec.getDelivery() == Delivery.QUEUE) {
                resources.unrunReleases().released(record);
            }
            return CompletableFuture.failedFuture(new WorkerStoppedException("the schema registry could not give "
                    + "the schema of " + WorkerResources.where(record) + " (" + decoded.error().getMessage()
                    + "); it is given back unrun, to run once the registry answers"));
        }
        if (!decoded.ok() && decoded.registryLost()) {
            // Given back once per outage, a record caught by several would meet the broker's silent archive at
            // group.share.delivery.count.limit: kept in the DLQ instead, from worker.delivery.count.limit on.
            log.warn("[{}] {} was delivered {} times while the schema registry could not give its schema; it goes "
                    + "to the DLQ rather than back to the share group, whose delivery limit would archive it: {}",
                    worker, WorkerResources.where(record), delivered, decoded.error().toString());
            return resources.send(DeadLetters.of(resources.topics().dlq(), record,
                    decoded.error().getClass().getName(), "Delivered " + delivered + " times while the schema "
                    + "registry could not give its schema: " + decoded.error().getMessage(), 0))
                    .thenApply(sent -> {
                        counters.deadLettered();
                        return Decision.DLQ;
                    });
        }
        if (!decoded.ok()) {
            log.warn("[{}] undecodable record {} goes to the DLQ: {}", worker, WorkerResources.where(record),
                    decoded.error().toString());
            // Never run: no attempt was made (ferry.attempt 0).
            return resources.send(DeadLetters.of(resources.topics().dlq(), record, decoded.error(), 0))
                    .thenApply(sent -> {
                        counters.deadLettered();
                        return Decision.DLQ;
                    });
        }
        InvocationRequest request = decoded.request();
        Decision earlier = resources.answered().decisionOf(record);
        if (earlier != null) {
            // Its result is written; only the acknowledgement was lost (a broker failed over). Running it again
            // would answer the attempt twice, and a function with side effects would do them twice.
            log.info("[{}] attempt {} of invocation {} at {} (delivery {}) was answered already ({}); "
                    + "acknowledging it without running it again", worker, request.getAttempt(),
                    request.getInvocationId(), WorkerResources.where(record), deliveryCount, earlier);
            return CompletableFuture.completedFuture(earlier);
        }
        Instant now = resources.clock().instant();
        if (deliveryCount > resources.deliveryCountLimit()) {
            String error = "Delivered " + deliveryCount + " times without an answer (the function may be killing "
                    + "its worker); giving up on " + WorkerResources.where(record);
            return finish(record, request, InvocationResults.terminal(request, InvocationStatus.FAILED,
                    ReasonCode.DELIVERY_LIMIT, error, spec.getMemoryMb(), now, worker), Decision.DLQ,
                    "dev.ferry.worker.DeliveryCountExceeded");
        }
        Refusal refusal = refusal(record, request, now);
        if (refusal != null) {
            return finish(record, request, InvocationResults.terminal(request, InvocationStatus.REJECTED,
                    refusal.reason(), refusal.error(), spec.getMemoryMb(), now, worker), Decision.REJECT, "");
        }
        Invocation invocation = invocation(request, now);
        boolean coldStart = cold.getAndSet(false);
        return invoker.run(function, invocation, spec.getTimeoutMs()).thenCompose(outcome -> {
            if (outcome.failure() instanceof WorkerStoppedException stopped) {
                // Not the function's failure: no result, no bill; the record is given back and runs again.
                runEnded.run();
                return CompletableFuture.failedFuture(stopped);
            }
            Decision decision = FailureHandler.decide(outcome, request.getAttempt(), spec.getMaxAttempts());
            ReasonCode reason = FailureHandler.reason(outcome, decision);
            InvocationResult result = InvocationResults.resultOf(request)
                    .setStatus(outcome.status())
                    .setOutput(outcome.output() == null ? null : ByteBuffer.wrap(outcome.output()))
                    .setContentType(outcome.contentType() == null ? request.getContentType() : outcome.contentType())
                    .setError(outcome.error())
                    .setMemoryMb(spec.getMemoryMb())
                    .setStartedAt(outcome.startedAt())
                    .setFinishedAt(outcome.finishedAt())
                    // A function that cannot be created never ran user code; the microseconds of throwing its
                    // reason are not a run, so it is not billed (BilledTime).
                    .setDurationMicros(reason == ReasonCode.FUNCTION_UNAVAILABLE ? 0 : outcome.durationMicros())
                    .setColdStart(coldStart)
                    .setWorker(worker)
                    .setFinal$(FailureHandler.isFinal(decision))
                    .setReasonCode(reason == null ? null : reason.code())
                    .build();
            try {
                return finish(record, request, result, decision, outcome.errorClass());
            } finally {
                runEnded.run();
            }
        });
    }

    /** Why a record is answered REJECTED without running. */
    private record Refusal(ReasonCode reason, String error) {
    }

    /** Why the record must not run, or null when it may. */
    private Refusal refusal(ConsumerRecord<byte[], byte[]> record, InvocationRequest request, Instant now) {
        if (handover != null) {
            return new Refusal(ReasonCode.FUNCTION_DELETED, "Function " + request.getFunction() + " was deleted "
                    + "before this invocation ran");
        }
        List<Long> starts = spec.getWorkStartOffsets();
        if (starts != null && record.partition() < starts.size() && record.offset() < starts.get(record.partition())) {
            return new Refusal(ReasonCode.FUNCTION_DELETED, "Function " + request.getFunction() + " was deleted "
                    + "before this invocation ran; the function deployed again under the name does not run what its "
                    + "predecessor left queued");
        }
        if (!request.getTenant().equals(spec.getTenant()) || !request.getFunction().equals(spec.getName())) {
            // Only a record produced straight to a work topic gets here: running it would answer, and bill, another
            // tenant or function with this function's code (a tester, session 8).
            return new Refusal(ReasonCode.INVALID_REQUEST, "invocation of " + request.getTenant() + "/"
                    + request.getFunction() + " found on the work topic of " + spec.getTenant() + "/"
                    + spec.getName() + "; it is not run");
        }
        if (request.getAttempt() > spec.getMaxAttempts()) {
            return new Refusal(ReasonCode.INVALID_REQUEST, "attempt " + request.getAttempt()
                    + " is beyond the function's maxAttempts " + spec.getMaxAttempts());
        }
        if (request.getAttempt() < 1) {
            // Only a record produced straight to a work topic gets here (the dispatcher rejects it, and retries
            // count up from 1): its backoff could not be computed, and every delivery failed until the limit.
            return new Refusal(ReasonCode.INVALID_REQUEST, "attempt must be at least 1 (attempts count from 1), got "
                    + request.getAttempt());
        }
        if (request.getDeadline() != null && now.isAfter(request.getDeadline())) {
            return new Refusal(ReasonCode.DEADLINE_PASSED, "Deadline " + request.getDeadline()
                    + " passed before the invocation could run");
        }
        return null;
    }

    private CompletableFuture<Decision> finish(ConsumerRecord<byte[], byte[]> record, InvocationRequest request,
            InvocationResult result, Decision decision, String errorClass) {
        CompletableFuture<InvocationStatus> written = writeResult(record, result, request.getReplyTo(), decision);
        CompletableFuture<?> followUp = switch (decision) {
            case RETRY -> resources.retries().schedule(record, InvocationRequest.newBuilder(request)
                    .setAttempt(request.getAttempt() + 1).build(), request.getAttempt());
            case DLQ -> resources.send(DeadLetters.of(resources.topics().dlq(), record, errorClass,
                    result.getError(), request.getAttempt()));
            case DONE, REJECT -> CompletableFuture.completedFuture(null);
        };
        return CompletableFuture.allOf(written, followUp).thenApply(all -> {
            resources.answered().answered(record, decision);
            counters.resultWritten(written.join());
            if (decision == Decision.RETRY) {
                counters.retried();
            } else if (decision == Decision.DLQ) {
                counters.deadLettered();
            }
            return decision;
        });
    }

    /**
     * Writes the result and completes with the status written. A result whose output makes it too large for the
     * result topic is written again without the output, as FAILED {@code output_too_large} (issue 11): the function
     * ran, so the attempt is over and billed its real time; releasing the record would only run it again.
     */
    private CompletableFuture<InvocationStatus> writeResult(ConsumerRecord<byte[], byte[]> record,
            InvocationResult result, String replyTo, Decision decision) {
        return resources.sendResult(result, replyTo).thenApply(written -> result.getStatus()).exceptionallyCompose(error -> {
            if (result.getOutput() == null || !OversizedOutput.isCause(error)) {
                return CompletableFuture.failedFuture(error);
            }
            InvocationResult slim = OversizedOutput.withoutOutput(result, resources.maxResultBytes(),
                    decision != Decision.RETRY);
            log.warn("[{}] output of invocation {} at {} is too large for a result, written without it: {}", worker,
                    result.getInvocationId(), WorkerResources.where(record), error.getMessage());
            FerryMetrics.oversized("worker", "output_dropped");
            return resources.sendResult(slim, replyTo).thenApply(written -> slim.getStatus());
        });
    }

    private Invocation invocation(InvocationRequest request, Instant now) {
        ByteBuffer buffer = request.getPayload().duplicate();
        byte[] payload = new byte[buffer.remaining()];
        buffer.get(payload);
        HeaderText.Encoded key = HeaderText.encode(request.getKey());
        return new Invocation(spec.getTenant(), spec.getName(), request.getInvocationId(), payload,
                request.getContentType(), key == null ? null : key.text(), headers(request.getHeaders(), key),
                spec.getEnv(), request.getAttempt(), request.getDeadline(), now.plusMillis(spec.getTimeoutMs()));
    }

    /**
     * The request's headers as the function gets them. A name Ferry reserves ({@link HeaderText#isReserved}:
     * {@code ferry.}/{@code ferry-} in any case) is never taken from a request, as the gateway takes none from an
     * HTTP caller (tester 14A: a producer's {@code ferry.source.topic}/{@code .offset}/{@code .tombstone} reached a
     * function as if a trigger had called it). Every request a function runs passes here, whoever wrote it: the
     * dispatcher's forward from {@code ferry.invocations}, a record produced straight to a work topic, a retry.
     * {@link Invocation#KEY_ENCODING} is then set only by the rule for keys ({@link HeaderText#encode}): a
     * Kafka-path key that is not printable ASCII (any string a producer wrote) reaches every runtime as base64 of
     * its UTF-8 bytes, marked, where an HTTP function used to lose it.
     */
    static Map<String, String> headers(Map<String, String> requested, HeaderText.Encoded key) {
        boolean reserved = requested.keySet().stream().anyMatch(HeaderText::isReserved);
        if (!reserved && (key == null || !key.base64())) {
            return requested;
        }
        Map<String, String> headers = new HashMap<>(requested);
        headers.keySet().removeIf(HeaderText::isReserved);
        if (key != null && key.base64()) {
            headers.put(Invocation.KEY_ENCODING, HeaderText.BASE64);
        }
        return headers;
    }

    /** Closes the replica's function instance: user code, so its failures are logged, never thrown. */
    public void closeFunction() {
        if (function == null) {
            return; // a retiring processor runs none
        }
        try {
            function.close();
        } catch (Exception | LinkageError e) {
            log.warn("[{}] closing the function of {}/{} failed: {}", worker, spec.getTenant(), spec.getName(),
                    e.toString());
        }
    }
}
