package dev.ferry.worker.internal.trigger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ferry.core.invocation.HeaderText;
import dev.ferry.core.invocation.ReasonCode;
import dev.ferry.core.triggers.SourceDecoder;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import dev.ferry.worker.internal.Backoff;
import dev.ferry.worker.internal.Decision;
import dev.ferry.worker.internal.FailureHandler;
import dev.ferry.worker.internal.Invoker;
import dev.ferry.worker.internal.Outcome;
import dev.ferry.worker.internal.OversizedOutput;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one batch to its end, whatever consumes it (DESIGN "Triggers"; issue 14 part 2): invokes the function through
 * the {@link Invoker} (the one wrapper around user code), classifies the answer ({@link BatchAnswer}), retries a
 * failed attempt in place after {@link Backoff#delayAfter} up to the function's {@code maxAttempts} (every attempt
 * a result, {@code final=false} until the last), splits a failing batch of more than one record in halves when
 * {@code bisectOnError} (each half from attempt 1, the first half first, so offset order holds), retries
 * {@code batchItemFailures} one record at a time, and sends a record older than {@code maxRecordAgeMs} (by its
 * timestamp) to {@code onFailure} instead of running it. The shape of what the function gets follows the trigger's
 * {@code batchSize}, never the number of records that happen to run together: at 1 the bare value with the
 * record's own headers and {@code ferry.source.*} over them ({@link SourceHeaders}), above 1 always a JSON array, also of one record (tester 10, finding 4), and a
 * run of one record whose answer names it in {@code batchItemFailures} is a failed attempt of that record (retried
 * in place up to {@code maxAttempts}, then {@code onFailure}), not a retry alone without end. It writes nothing
 * itself: the {@link BatchOutcome} lists what the caller writes, so a transactional and an at-least-once writer
 * share it.
 *
 * <p>Invocation ids are deterministic (docs/design.md section 10): {@code
 * UUID.nameUUIDFromBytes("<tenant>/<trigger>/<group>/<topicId>/<topic>/<partition>/<offset>/<size>")} of the first
 * record of what runs, so a re-run after a crash carries the same id; the group and the Kafka topic id make them
 * differ for another incarnation of the coordinates (a re-created topic, a trigger re-created under another group
 * reading the topic again), whose runs metering would otherwise drop as already billed (tester 12A, finding 3).
 * The returned future never completes exceptionally for a function's failure.
 */
public final class BatchRunner {

    private static final Logger log = LoggerFactory.getLogger(BatchRunner.class);

    static final String BATCH_CONTENT_TYPE = "application/json";
    /** The indexes of a one-record batch, the default {@code batchSize}: not built again per record. */
    private static final List<Integer> ONLY_FIRST = List.of(0);

    private final TriggerSpec spec;
    private final FunctionSpec functionSpec;
    private final String worker;
    private final String group;
    private final Function function;
    private final Invoker invoker;
    private final Backoff backoff;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final TriggerRecords records;
    /** {@code batchSize} > 1: the function gets arrays and answers as {@link BatchAnswer} reads them. */
    private final boolean batched;
    private final AtomicBoolean cold = new AtomicBoolean(true);
    /** Whether the warning about a {@code batchItemFailures} answer without outputs was logged. */
    private final AtomicBoolean toldNoOutputs = new AtomicBoolean();
    private final String name;
    /** The function's env, copied once: an immutable map is not copied again by each {@link Invocation}. */
    private final Map<String, String> env;
    /** Invocation ids without their text built per run (issue 16). */
    private final InvocationIds ids;

    public BatchRunner(TriggerReplicaSettings settings, Function function, Invoker invoker, Backoff backoff,
            ScheduledExecutorService timers, Clock clock, TriggerRecords records) {
        this.spec = settings.spec();
        this.functionSpec = settings.function();
        this.worker = settings.worker();
        this.group = settings.group();
        this.name = settings.name();
        this.function = function;
        this.invoker = invoker;
        this.backoff = backoff;
        this.timers = timers;
        this.clock = clock;
        this.records = records;
        this.batched = spec.getBatchSize() > 1;
        this.env = functionSpec.getEnv() == null ? Map.of() : Map.copyOf(functionSpec.getEnv());
        this.ids = new InvocationIds(spec.getTenant(), spec.getName(), group);
    }

    /** Runs {@code batch} (one partition's records in offset order) until every record is answered or failed. */
    public CompletableFuture<BatchOutcome> run(List<SourceItem> batch) {
        Job job = new Job(batch);
        List<Integer> all = ONLY_FIRST;
        if (batch.size() != 1) {
            all = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                all.add(i);
            }
        }
        return runPart(job, all, 1).thenApply(done -> job.outcome());
    }

    /**
     * The invocation id of a run whose first record is {@code first} and that holds {@code size} records.
     *
     * @param group the trigger's consumer or share group ({@code TriggerSpecs.group})
     * @param topicId the Kafka id of {@code first}'s topic (Admin {@code describeTopics})
     */
    public static String invocationId(TriggerSpec spec, String group, Uuid topicId, ConsumerRecord<?, ?> first,
            int size) {
        String name = spec.getTenant() + "/" + spec.getName() + "/" + group + "/" + topicId + "/" + first.topic()
                + "/" + first.partition() + "/" + first.offset() + "/" + size;
        return nameUuid(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The same id as {@link #invocationId(TriggerSpec, String, Uuid, ConsumerRecord, int)}, from cached bytes. */
    private String invocationId(SourceItem first, int size) {
        return ids.of(first.topicId(), first.record(), size);
    }

    /** One MD5 per thread: {@code MessageDigest.getInstance} per id cost as much as the digest (issue 16, JFR). */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new InternalError("MD5 not supported", e);
        }
    });

    /** The thread's MD5 digest, reset (a digest resets itself when it completes). */
    static MessageDigest md5() {
        return MD5.get();
    }

    /** Exactly {@link UUID#nameUUIDFromBytes} (a type 3 UUID), with the thread's digest reused. */
    static UUID nameUuid(byte[] name) {
        return typeThree(MD5.get().digest(name));
    }

    /** The type 3 UUID of a name whose MD5 is {@code md5}, as {@link UUID#nameUUIDFromBytes} makes it. */
    static UUID typeThree(byte[] md5) {
        md5[6] &= 0x0f;
        md5[6] |= 0x30;
        md5[8] &= 0x3f;
        md5[8] |= (byte) 0x80;
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (md5[i] & 0xff);
        }
        for (int i = 8; i < 16; i++) {
            lsb = (lsb << 8) | (md5[i] & 0xff);
        }
        return new UUID(msb, lsb);
    }

    private CompletableFuture<Void> runPart(Job job, List<Integer> part, int attempt) {
        List<Integer> live = new ArrayList<>(part.size());
        Instant now = clock.instant();
        for (int i : part) {
            if (tooOld(job.items.get(i).record(), now)) {
                ConsumerRecord<byte[], byte[]> record = job.items.get(i).record();
                job.fail(i, records.failure(record, TriggerRecords.TOO_OLD, "The record at " + SourceItem.where(record)
                        + " is older than maxRecordAgeMs " + spec.getMaxRecordAgeMs() + " (timestamp "
                        + record.timestamp() + "); not run", job.runs(i)));
            } else {
                live.add(i);
            }
        }
        if (attempt > 1 && live.size() < part.size()) {
            // The retried invocation ends here: its last result said another attempt would follow.
            job.results.add(records.result(terminal(job, part, attempt, now)));
        }
        if (live.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<SourceItem> items = job.items(live);
        job.ran(live);
        String id = invocationId(items.get(0), items.size());
        Invocation invocation = invocation(id, items, attempt, now);
        boolean coldStart = cold.get() && cold.getAndSet(false);
        return invoker.run(function, invocation, functionSpec.getTimeoutMs())
                .thenCompose(outcome -> settle(job, live, items, attempt, id, invocation, outcome, coldStart));
    }

    private CompletableFuture<Void> settle(Job job, List<Integer> live, List<SourceItem> items, int attempt,
            String id, Invocation invocation, Outcome outcome, boolean coldStart) {
        BatchAnswer answer = !outcome.succeeded() ? null
                : batched ? BatchAnswer.classify(outcome.output(), items.size())
                : new BatchAnswer.Whole(outcome.output());
        String errorClass = outcome.errorClass();
        if (live.size() == 1 && answer instanceof BatchAnswer.ItemFailures failures && !failures.failed().isEmpty()) {
            // Retrying it alone would run the same one record again from attempt 1, without end: its own failure.
            outcome = new Outcome(InvocationStatus.FAILED, null, null, "The function answered {\"batchItemFailures\": "
                    + "[0]} for the record at " + items.get(0).where() + ", alone in its batch", null,
                    outcome.startedAt(), outcome.finishedAt(), outcome.durationMicros());
            answer = null;
            errorClass = TriggerRecords.ITEM_FAILED;
        }
        if (outcome.succeeded()) {
            InvocationResult ran = result(items, id, attempt, outcome, coldStart, true, null);
            if (answer instanceof BatchAnswer.ItemFailures failures && !failures.failed().isEmpty()) {
                job.results.add(records.result(ran));
                List<Integer> again = new ArrayList<>();
                List<Integer> answered = new ArrayList<>();
                List<byte[]> outputs = new ArrayList<>();
                for (int k = 0; k < live.size(); k++) {
                    if (failures.failed().contains(k)) {
                        again.add(live.get(k));
                    } else {
                        answered.add(live.get(k));
                        outputs.add(failures.outputs() == null ? null : failures.outputs().get(k));
                    }
                }
                if (failures.outputs() == null && records.hasDestination() && !answered.isEmpty()
                        && !toldNoOutputs.getAndSet(true)) {
                    log.warn("[{}] the function answered {\"batchItemFailures\": [...]} without \"outputs\": the "
                            + "{} record(s) it did not name are answered without output on {} (as a null element of "
                            + "an array answer). Answer {\"batchItemFailures\": [...], \"outputs\": [...]} to "
                            + "write theirs. Said once per replica", name, answered.size(),
                            spec.getDestination());
                }
                perRecord(job, answered, id, outputs);
                CompletableFuture<Void> chain = delay(backoff.delayAfter(attempt));
                for (int i : again) {
                    chain = chain.thenCompose(v -> runPart(job, List.of(i), 1));
                }
                return chain;
            }
            ProducerRecord<byte[], byte[]> written = records.result(ran);
            if (!records.fits(written)) {
                // No destination: the output lives in the result, which ferry.results cannot take.
                tooLarge(job, live, ran, "Output of about " + WriteLimits.size(written)
                        + " bytes (as a result) is over the limit of " + records.limits().limit(written.topic())
                        + " bytes of " + written.topic() + " (max.message.bytes or max.request.size)");
                return CompletableFuture.completedFuture(null);
            }
            String refused = answer(job, live, id, answer, invocation.outputContentType());
            job.results.add(refused == null ? written : records.result(OversizedOutput.withoutOutput(ran, refused,
                    true)));
            return CompletableFuture.completedFuture(null);
        }
        Decision decision = FailureHandler.decide(outcome, attempt, functionSpec.getMaxAttempts());
        if (live.size() > 1 && spec.getBisectOnError()) {
            // Final for this invocation id, but not for its records: the reason says so, where attempts_exhausted
            // made a tester read the records as given up while their halves still ran.
            job.results.add(records.result(result(items, id, attempt, outcome, coldStart, true, ReasonCode.BISECTED)));
            List<Integer> first = live.subList(0, live.size() / 2);
            List<Integer> second = live.subList(live.size() / 2, live.size());
            return runPart(job, first, 1).thenCompose(v -> runPart(job, second, 1));
        }
        if (decision == Decision.RETRY) {
            job.results.add(records.result(result(items, id, attempt, outcome, coldStart, false, null)));
            return delay(backoff.delayAfter(attempt)).thenCompose(v -> runPart(job, live, attempt + 1));
        }
        ReasonCode reason = FailureHandler.reason(outcome, Decision.DLQ);
        job.results.add(records.result(result(items, id, attempt, outcome, coldStart, true, reason)));
        for (int i : live) {
            job.fail(i, records.failure(job.items.get(i).record(), errorClass, outcome.error(), job.runs(i)));
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Answers {@code live} with their outputs. An output too large for the destination is not written (it would
     * fail its transaction on every try, issue 11): its record goes to {@code onFailure} instead, not run again.
     *
     * @return null when every output fits, else the error naming the size and the limit
     */
    private String answer(Job job, List<Integer> live, String id, BatchAnswer answer, String contentType) {
        String refused = null;
        if (answer instanceof BatchAnswer.PerRecord perRecord) {
            return perRecord(job, live, id, perRecord.outputs());
        }
        byte[] whole = answer instanceof BatchAnswer.Whole w ? w.output() : null;
        ProducerRecord<byte[], byte[]> output = records.output(id, job.items.get(live.get(0)).record(), whole,
                contentType);
        if (output != null && !records.fits(output)) {
            refused = tooLargeFor(output);
            for (int i : live) {
                job.fail(i, records.failure(job.items.get(i).record(), TriggerRecords.OUTPUT_TOO_LARGE, refused,
                        job.runs(i)));
            }
            return refused;
        }
        // One output for the batch, keyed and labelled by its first record; it travels with the last, so a KEY
        // trigger writes it only once the whole batch is in the emitted prefix.
        for (int k = 0; k < live.size(); k++) {
            job.answer(live.get(k), null);
        }
        job.extra(live.get(live.size() - 1), output);
        return null;
    }

    /**
     * Answers the records at {@code indexes}, each with the output at the same place of {@code outputs} (null:
     * none); one too large for the destination goes to {@code onFailure} instead.
     *
     * @return null when every output fits, else the error of the last that did not
     */
    private String perRecord(Job job, List<Integer> indexes, String id, List<byte[]> outputs) {
        String refused = null;
        for (int k = 0; k < indexes.size(); k++) {
            int i = indexes.get(k);
            ProducerRecord<byte[], byte[]> output = records.output(id, job.items.get(i).record(), outputs.get(k),
                    BATCH_CONTENT_TYPE);
            if (output == null || records.fits(output)) {
                job.answer(i, output);
            } else {
                refused = tooLargeFor(output);
                job.fail(i, records.failure(job.items.get(i).record(), TriggerRecords.OUTPUT_TOO_LARGE, refused,
                        job.runs(i)));
            }
        }
        return refused;
    }

    private String tooLargeFor(ProducerRecord<byte[], byte[]> output) {
        return "Output of about " + WriteLimits.size(output) + " bytes is over the limit of "
                + records.limits().limit(output.topic()) + " bytes of " + output.topic()
                + " (max.message.bytes or max.request.size); the function ran, its output was dropped";
    }

    /** The function ran but its output fits nowhere: result FAILED output_too_large, billed; records to onFailure. */
    private void tooLarge(Job job, List<Integer> live, InvocationResult ran, String error) {
        job.results.add(records.result(OversizedOutput.withoutOutput(ran, error, true)));
        for (int i : live) {
            job.fail(i, records.failure(job.items.get(i).record(), TriggerRecords.OUTPUT_TOO_LARGE, error,
                    job.runs(i)));
        }
    }

    private boolean tooOld(ConsumerRecord<byte[], byte[]> record, Instant now) {
        Long maxAge = spec.getMaxRecordAgeMs();
        return maxAge != null && record.timestamp() >= 0 && now.toEpochMilli() - record.timestamp() > maxAge;
    }

    private Invocation invocation(String id, List<SourceItem> items, int attempt, Instant now) {
        SourceItem first = items.get(0);
        ConsumerRecord<byte[], byte[]> record = first.record();
        String topic = record.topic();
        String partition = String.valueOf(record.partition());
        String offset = String.valueOf(record.offset());
        // One rule in every runtime: a key of printable ASCII is that text, any other key base64 and marked
        // (tester 14A, finding 13: an Avro key's control characters left it out of an HTTP function's headers).
        HeaderText.Encoded encodedKey = HeaderText.encode(record.key());
        String key = encodedKey == null ? null : encodedKey.text();
        boolean base64Key = encodedKey != null && encodedKey.base64();
        // Immutable maps built at once: Invocation keeps them as they are, where a HashMap was filled and then
        // copied for every record (issue 16, JFR of trigger-throughput).
        Map<String, String> headers;
        byte[] payload;
        String contentType;
        if (!batched) {
            String timestamp = String.valueOf(record.timestamp());
            headers = key == null
                    ? Map.of(TriggerRecords.SOURCE_TOPIC, topic, TriggerRecords.SOURCE_PARTITION, partition,
                            TriggerRecords.SOURCE_OFFSET, offset, TriggerRecords.SOURCE_TIMESTAMP, timestamp)
                    : Map.of(TriggerRecords.SOURCE_TOPIC, topic, TriggerRecords.SOURCE_PARTITION, partition,
                            TriggerRecords.SOURCE_OFFSET, offset, TriggerRecords.SOURCE_TIMESTAMP, timestamp,
                            TriggerRecords.SOURCE_KEY, key);
            if (record.value() == null || base64Key || SourceHeaders.any(record.headers())) {
                // The record's own headers (its trace context, the app's), Ferry's put over them: the function of
                // a record run alone gets them however it came to run alone (tester 14A, finding 3). A tombstone's
                // payload is empty, as an empty value's is: the header tells them apart.
                Map<String, String> more = SourceHeaders.of(record.headers());
                more.putAll(headers);
                if (record.value() == null) {
                    more.put(TriggerRecords.SOURCE_TOMBSTONE, "true");
                }
                if (base64Key) {
                    more.put(TriggerRecords.SOURCE_KEY_ENCODING, HeaderText.BASE64);
                    more.put(Invocation.KEY_ENCODING, HeaderText.BASE64);
                }
                headers = Map.copyOf(more);
            }
            payload = first.value().payload();
            contentType = first.value().contentType();
        } else {
            headers = base64Key
                    ? Map.of(TriggerRecords.SOURCE_TOPIC, topic, TriggerRecords.SOURCE_PARTITION, partition,
                            TriggerRecords.SOURCE_OFFSET, offset, Invocation.KEY_ENCODING, HeaderText.BASE64)
                    : Map.of(TriggerRecords.SOURCE_TOPIC, topic, TriggerRecords.SOURCE_PARTITION, partition,
                            TriggerRecords.SOURCE_OFFSET, offset);
            ArrayNode array = Json.MAPPER.createArrayNode();
            items.forEach(item -> array.add(SourceDecoder.document(item.record(), item.value())));
            try {
                payload = Json.MAPPER.writeValueAsBytes(array);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("A batch document cannot be written as JSON", e);
            }
            contentType = BATCH_CONTENT_TYPE;
        }
        return new Invocation(functionSpec.getTenant(), functionSpec.getName(), id, payload, contentType, key, headers,
                env, attempt, null, now.plusMillis(functionSpec.getTimeoutMs()));
    }

    private InvocationResult result(List<SourceItem> items, String id, int attempt, Outcome outcome,
            boolean coldStart, boolean last, ReasonCode reason) {
        boolean keepOutput = !records.hasDestination() && outcome.output() != null;
        // The all-fields constructor, not the builder: the builder's per-field validation and defaults were a
        // fifth of a result's cost, once per invocation (issue 16, JFR). Every field is set here, as base() sets
        // them for the builder; a null where the schema allows none fails the result's serialization.
        return new InvocationResult(id, spec.getTenant(), spec.getFunction(), attempt, outcome.status(),
                keepOutput ? ByteBuffer.wrap(outcome.output()) : null,
                outcome.contentType() == null ? "application/octet-stream" : outcome.contentType(),
                outcome.error(), functionSpec.getMemoryMb(),
                Instant.ofEpochMilli(Math.max(0, items.get(0).record().timestamp())), outcome.startedAt(),
                outcome.finishedAt(),
                reason == ReasonCode.FUNCTION_UNAVAILABLE ? 0L : outcome.durationMicros(), coldStart, worker, last,
                reason == null ? null : reason.code());
    }

    /** The end of a retried invocation whose records grew too old before their next attempt: not run, not billed. */
    private InvocationResult terminal(Job job, List<Integer> part, int attempt, Instant now) {
        SourceItem first = job.items.get(part.get(0));
        return base(first.record(), invocationId(first, part.size()), attempt)
                .setStatus(InvocationStatus.REJECTED)
                .setError("Records older than maxRecordAgeMs " + spec.getMaxRecordAgeMs() + " are not retried")
                .setStartedAt(now)
                .setFinishedAt(now)
                .setDurationMicros(0L)
                .setFinal$(true)
                .setReasonCode(ReasonCode.DEADLINE_PASSED.code())
                .build();
    }

    private InvocationResult.Builder base(ConsumerRecord<byte[], byte[]> first, String id, int attempt) {
        return InvocationResult.newBuilder()
                .setInvocationId(id)
                .setTenant(spec.getTenant())
                .setFunction(spec.getFunction())
                .setAttempt(attempt)
                .setSubmittedAt(Instant.ofEpochMilli(Math.max(0, first.timestamp())))
                .setOutput(null)
                .setError(null)
                .setColdStart(false)
                .setMemoryMb(functionSpec.getMemoryMb())
                .setWorker(worker);
    }

    private CompletableFuture<Void> delay(long ms) {
        CompletableFuture<Void> due = new CompletableFuture<>();
        if (ms <= 0) {
            due.complete(null);
        } else {
            timers.schedule(() -> due.complete(null), ms, TimeUnit.MILLISECONDS);
        }
        return due;
    }

    /**
     * The state of one batch: what each record came to, how many times each was run (in the batch, in a half of
     * it, alone: its letter's {@code ferry.attempt}, where the attempt of the last invocation alone undercounted a
     * record that ran in a batch before, and a record too old after a bisection said 0, never run), and every result
     * written on the way.
     */
    private static final class Job {
        final List<SourceItem> items;
        private final int[] runs;
        final List<List<ProducerRecord<byte[], byte[]>>> perItem = new ArrayList<>();
        final List<ProducerRecord<byte[], byte[]>> results = java.util.Collections.synchronizedList(
                new ArrayList<>());
        private int answered;
        private int failed;

        /** The items at {@code indexes}: the batch itself when they are all of it, in order. */
        List<SourceItem> items(List<Integer> indexes) {
            if (indexes.size() == items.size()) {
                return items;
            }
            List<SourceItem> some = new ArrayList<>(indexes.size());
            for (int i : indexes) {
                some.add(items.get(i));
            }
            return some;
        }

        Job(List<SourceItem> items) {
            this.items = items;
            this.runs = new int[items.size()];
            for (int i = 0; i < items.size(); i++) {
                perItem.add(new ArrayList<>(1));
            }
        }

        /** The records at {@code indexes} are run once more. */
        synchronized void ran(List<Integer> indexes) {
            for (int i : indexes) {
                runs[i]++;
            }
        }

        /** How many times the record at {@code i} was run so far. */
        synchronized int runs(int i) {
            return runs[i];
        }

        synchronized void answer(int i, ProducerRecord<byte[], byte[]> output) {
            answered++;
            extra(i, output);
        }

        synchronized void extra(int i, ProducerRecord<byte[], byte[]> output) {
            if (output != null) {
                perItem.get(i).add(output);
            }
        }

        synchronized void fail(int i, ProducerRecord<byte[], byte[]> failure) {
            failed++;
            perItem.get(i).add(failure);
        }

        synchronized BatchOutcome outcome() {
            List<ProducerRecord<byte[], byte[]>> writes = new ArrayList<>(results);
            perItem.forEach(writes::addAll);
            return new BatchOutcome(List.copyOf(writes), answered, failed);
        }
    }
}
