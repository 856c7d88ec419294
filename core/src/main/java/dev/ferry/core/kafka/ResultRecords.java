package dev.ferry.core.kafka;

import dev.ferry.core.topics.TopicCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records one result becomes, for every writer of {@code ferry.results} (the worker, the dispatcher's
 * rejections): the result on {@code ferry.results}, the full record everyone reads, and, when its request names a
 * {@code replyTo}, the same bytes on that topic, for the gateway that waits (issue 15, part 5). One place, so no
 * path that writes a result forgets the copy; the caller sends both in the same transaction or write step.
 *
 * <p>The copy is written only to a topic of Ferry's reply namespace ({@link TopicCatalog#isReplyTopic}): a request
 * produced by anyone must not make Ferry write where its producer may not. And only to a topic that exists: a
 * gateway creates its reply topic before it sends a request naming it, so a missing one means its gateway and topic
 * are gone and nobody waits, while sending to it would hold the writer for {@code max.block.ms}. Existence is asked
 * of the cluster when a name is first seen, then at most every {@link #RECHECK} while it is missing, and remembered
 * once found.
 *
 * <p>The copy keeps the bytes written for {@code ferry.results}: its schema id is the one registered under
 * {@code ferry.results-value}, which any reader resolves by id.
 */
public final class ResultRecords {

    private static final Logger log = LoggerFactory.getLogger(ResultRecords.class);
    static final Duration RECHECK = Duration.ofSeconds(5);
    private static final int MAX_MISSING = 10_000;

    private final TopicCatalog topics;
    private final Supplier<Set<String>> listTopics;
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> missing = new ConcurrentHashMap<>();

    /** @param listTopics the names of the cluster's topics now; may throw when the cluster does not answer */
    public ResultRecords(TopicCatalog topics, Supplier<Set<String>> listTopics) {
        this.topics = topics;
        this.listTopics = listTopics;
    }

    /** With the topic names asked of {@code admin} (5 s at most per question). */
    public static ResultRecords of(TopicCatalog topics, Admin admin) {
        return new ResultRecords(topics, () -> {
            try {
                return admin.listTopics().names().get(RECHECK.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while listing topics", e);
            } catch (Exception e) {
                throw new IllegalStateException("Cannot list topics: " + e, e);
            }
        });
    }

    /**
     * The result record on {@code ferry.results}, then its copy on {@code replyTo} when there is one to write.
     *
     * @param replyTo the request's {@code replyTo}, or null (the Kafka path, triggers)
     * @param key the invocation id, UTF-8
     * @param value the serialized {@code InvocationResult}
     * @param headers headers of both records, or null
     */
    public List<ProducerRecord<byte[], byte[]>> of(String replyTo, byte[] key, byte[] value, Headers headers) {
        ProducerRecord<byte[], byte[]> result = new ProducerRecord<>(topics.results(), null, key, value, headers);
        if (replyTo == null || !writable(replyTo)) {
            return List.of(result);
        }
        return List.of(result, new ProducerRecord<>(replyTo, null, key, value, headers));
    }

    /** Whether a copy to {@code replyTo} would be written (it is a reply topic, and it exists). */
    public boolean writable(String replyTo) {
        if (!topics.isReplyTopic(replyTo)) {
            log.warn("Not copying a result to '{}': a replyTo must be a gateway's reply topic or {}", replyTo,
                    topics.asyncResults());
            return false;
        }
        if (known.contains(replyTo)) {
            return true;
        }
        // A name is asked about as soon as it is first seen (a gateway that just created its topic is found at
        // once), then at most every RECHECK while it stays missing.
        long now = System.nanoTime();
        Long missed = missing.get(replyTo);
        if (missed != null && now - missed < RECHECK.toNanos()) {
            return false;
        }
        try {
            known.addAll(listTopics.get());
        } catch (RuntimeException e) {
            // Unknown is not missing: write the copy and let the producer decide.
            log.warn("Cannot tell whether reply topic {} exists ({}); writing its copy", replyTo, e.toString());
            return true;
        }
        if (known.contains(replyTo)) {
            missing.remove(replyTo);
            return true;
        }
        if (missing.size() >= MAX_MISSING) {
            missing.clear(); // names in requests are anyone's: bound what they can make this remember
        }
        missing.put(replyTo, now);
        log.debug("Not copying a result to {}: the topic does not exist (its gateway is gone)", replyTo);
        return false;
    }
}
