package dev.ferry.ingest.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a gateway's answers come from (issue 15, parts 4 and 5; docs/design.md, "HTTP API").
 *
 * <ul>
 *   <li>Synchronous calls name this gateway's own reply topic, {@code ferry.replies.<gatewayId>}, as their
 *       {@code replyTo}; whoever writes a result to {@code ferry.results} copies it there, so the gateway reads its
 *       own replies only, from the end (created here at start when missing).</li>
 *   <li>Asynchronous calls name the shared {@code ferry.async-results}: any gateway behind a balancer may be asked
 *       for the id, so every gateway reads it, from {@code now - gateway.result.retention.ms}.</li>
 *   <li>Accepting an asynchronous call writes a marker (the request without its payload) to {@code ferry.accepted},
 *       read back by every gateway over the same window: which tenant owns a pending id lives in Kafka, so a restarted
 *       or another gateway answers 202 for it, never 404.</li>
 *   <li>A synchronous call answered 504 gets a marker too, and its late result is passed on from the reply topic to
 *       {@code ferry.async-results} ({@link #passOn}), so the {@code Location} of the 504 works on any gateway.</li>
 * </ul>
 *
 * <p>Gateways no longer read {@code ferry.results}: it stays the full record for users, metering and the
 * autoscaler. Invocations produced on the Kafka path carry no {@code replyTo} and are not visible through the
 * gateway.
 */
public final class GatewayReplies implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GatewayReplies.class);
    private static final Duration PARTITION_CHECK = Duration.ofSeconds(30);
    /** How long the relay of missed late results waits for each read at start. */
    private static final Duration RELAY_WAIT = Duration.ofMinutes(2);

    private final String gatewayId;
    private final String replyTopic;
    private final String asyncTopic;
    private final String acceptedTopic;
    private final ResultRouter router;
    private final TopicTail accepted;
    private final Producer<String, InvocationResult> passOn;
    /**
     * {@code tenant/id} of the synchronous calls answered 504 by this gateway (markers whose {@code replyTo} is this
     * gateway's reply topic): their results, which come here only, are passed on to {@code ferry.async-results}.
     */
    private final Set<String> relaying;

    private GatewayReplies(String gatewayId, TopicCatalog topics, ResultRouter router, TopicTail accepted,
            Producer<String, InvocationResult> passOn, Set<String> relaying) {
        this.passOn = passOn;
        this.relaying = relaying;
        this.gatewayId = gatewayId;
        this.replyTopic = topics.replies(gatewayId);
        this.asyncTopic = topics.asyncResults();
        this.acceptedTopic = topics.accepted();
        this.router = router;
        this.accepted = accepted;
    }

    /**
     * Creates this gateway's reply topic when missing and starts reading: positions are fixed before this returns,
     * so no reply to a request produced afterwards is missed.
     *
     * @param retention how far back the shared topics are read (the store's retention)
     * @param everyResult what each result read also goes to (the store, the statistics)
     */
    public static GatewayReplies start(String gatewayId, KafkaClients clients, TopicCatalog topics, Admin admin,
            Deserializer<InvocationResult> results, Serializer<InvocationResult> resultWriter,
            Deserializer<InvocationRequest> requests, ResultStore store, Duration retention,
            Consumer<InvocationResult> everyResult) {
        new TopicProvisioner(admin).ensure(topics.replyTopic(gatewayId));
        Instant from = Instant.now().minus(retention);
        ResultRouter router = new ResultRouter(clients, results, "ferry-gateway-" + gatewayId, PARTITION_CHECK);
        TopicTail accepted = null;
        Producer<String, InvocationResult> passOn = null;
        String replyTopic = topics.replies(gatewayId);
        Set<String> relaying = ConcurrentHashMap.newKeySet();
        try {
            passOn = clients.producer("ferry-gateway-" + gatewayId + "-pass-on", new StringSerializer(),
                    resultWriter, Map.of(ProducerConfig.LINGER_MS_CONFIG, 1, ProducerConfig.MAX_BLOCK_MS_CONFIG,
                            10_000));
            Producer<String, InvocationResult> relay = passOn;
            router.follow(replyTopic, TopicTail.Start.end(), result -> {
                everyResult.accept(result);
                relayIfMarked(relaying, relay, topics.asyncResults(), result);
            });
            router.follow(topics.asyncResults(), TopicTail.Start.at(from), everyResult);
            String acceptedTopic = topics.accepted();
            accepted = TopicTail.builder(clients, acceptedTopic, record -> {
                if (record.value() == null) {
                    return;
                }
                InvocationRequest marker = requests.deserialize(acceptedTopic, record.headers(), record.value());
                if (marker != null) {
                    store.pending(marker.getTenant(), marker.getInvocationId(), marker.getFunction(),
                            marker.getSubmittedAt());
                    if (replyTopic.equals(marker.getReplyTo())) {
                        relaying.add(key(marker.getTenant(), marker.getInvocationId()));
                    }
                }
            }).name("ferry-gateway-" + gatewayId + "-accepted").from(TopicTail.Start.at(from))
                    .partitionCheck(PARTITION_CHECK).build().start();
            log.info("Gateway {} reads its replies from {} and asynchronous results from {}", gatewayId,
                    topics.replies(gatewayId), topics.asyncResults());
            GatewayReplies replies = new GatewayReplies(gatewayId, topics, router, accepted, passOn, relaying);
            replies.relayMissedLateResults(clients, results, store, from);
            return replies;
        } catch (RuntimeException e) {
            router.close();
            if (passOn != null) {
                passOn.close(Duration.ZERO);
            }
            if (accepted != null) {
                accepted.close();
            }
            throw e instanceof FerryException ? e : new FerryException("Gateway " + gatewayId
                    + " cannot read its replies: " + e.getMessage(), e);
        }
    }

    public String gatewayId() {
        return gatewayId;
    }

    /**
     * Once the markers are read, reads this gateway's reply topic back over the retention window once, on its own
     * thread, and passes on what came for the calls it answered 504: a call answered 504 as this gateway stopped has
     * its result waiting here, not on {@code ferry.async-results}, and without this its {@code Location} answered
     * "pending" on every gateway until the retention ended. Calls answered in time have no marker and are left
     * alone; a result passed on before the restart may be passed on again, which readers take as the same answer.
     */
    private void relayMissedLateResults(KafkaClients clients, Deserializer<InvocationResult> results,
            ResultStore store, Instant from) {
        Thread relay = new Thread(() -> {
            if (!awaitCaughtUp(RELAY_WAIT)) {
                log.warn("Gateway {} did not read its markers in {} s; late results on {} are not passed on",
                        gatewayId, RELAY_WAIT.toSeconds(), replyTopic);
                return;
            }
            AtomicInteger relayed = new AtomicInteger();
            try (TopicTail missed = TopicTail.builder(clients, replyTopic, record -> {
                InvocationResult result = record.value() == null ? null
                        : results.deserialize(replyTopic, record.headers(), record.value());
                if (result != null && relayIfMarked(relaying, passOn, asyncTopic, result)) {
                    relayed.incrementAndGet();
                }
            }).name("ferry-gateway-" + gatewayId + "-relay").from(TopicTail.Start.at(from)).build().start()) {
                if (!missed.awaitReadToEnd(RELAY_WAIT)) {
                    log.warn("Gateway {} did not read {} back in {} s", gatewayId, replyTopic, RELAY_WAIT.toSeconds());
                }
            }
            if (relayed.get() > 0) {
                log.info("Gateway {} passed on {} late result(s) that came while it was away", gatewayId,
                        relayed.get());
            }
        }, "ferry-gateway-" + gatewayId + "-relay");
        relay.setDaemon(true);
        relay.start();
    }

    /** The {@code replyTo} of this gateway's synchronous calls. */
    public String replyTopic() {
        return replyTopic;
    }

    /** The {@code replyTo} of asynchronous calls accepted over HTTP, by any gateway. */
    public String asyncTopic() {
        return asyncTopic;
    }

    public ResultRouter router() {
        return router;
    }

    /** Records read from this gateway's own reply topic since it started (its sync read cost). */
    public long repliesRead() {
        return router.recordsRead(replyTopic);
    }

    /**
     * Writes the ownership marker of an asynchronous call: the request without its payload, keyed by its id.
     * Completes when Kafka has it. Sent from a thread of {@code executor}: the caller never waits on the producer
     * (its {@code send} blocks without metadata), while a synchronous call's relay is registered before this returns.
     */
    public CompletableFuture<Void> accept(Producer<String, InvocationRequest> producer, InvocationRequest request,
            Executor executor) {
        InvocationRequest marker = InvocationRequest.newBuilder(request).setPayload(ByteBuffer.allocate(0)).build();
        if (replyTopic.equals(request.getReplyTo())) {
            relaying.add(key(request.getTenant(), request.getInvocationId())); // before any result can be read
        }
        return Produced.send(producer, new ProducerRecord<>(acceptedTopic, request.getInvocationId(), marker),
                executor).thenApply(metadata -> null);
    }

    /**
     * Passes the late result of a synchronous call this gateway answered 504 on to {@code ferry.async-results}, where
     * every gateway reads it: the caller was told to fetch it by id, maybe from another gateway. Best effort: a result
     * that comes while this gateway is away is passed on when it starts again with the same {@code gateway.id}.
     */
    public void passOn(InvocationResult result) {
        send(passOn, asyncTopic, result);
    }

    /** Passes {@code result} on when its call was answered 504 here; forgets the call once the result is final. */
    private static boolean relayIfMarked(Set<String> relaying, Producer<String, InvocationResult> producer,
            String asyncTopic, InvocationResult result) {
        String key = key(result.getTenant(), result.getInvocationId());
        if (!relaying.contains(key)) {
            return false;
        }
        send(producer, asyncTopic, result);
        if (Boolean.TRUE.equals(result.getFinal$())) {
            relaying.remove(key);
        }
        return true;
    }

    private static void send(Producer<String, InvocationResult> producer, String asyncTopic, InvocationResult result) {
        if (result == null) {
            return;
        }
        try {
            producer.send(new ProducerRecord<>(asyncTopic, result.getInvocationId(), result), (metadata, error) -> {
                if (error != null) {
                    log.warn("The late result of invocation {} was not passed on to {}: {}",
                            result.getInvocationId(), asyncTopic, error.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("The late result of invocation {} was not passed on to {}: {}", result.getInvocationId(),
                    asyncTopic, e.toString());
        }
    }

    private static String key(String tenant, String invocationId) {
        return tenant + "/" + invocationId;
    }

    /** True once the shared topics have been read up to where they were at start. */
    public boolean awaitCaughtUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return router.awaitCaughtUp(timeout)
                && accepted.awaitReadToEnd(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /** Ready while every reader has caught up and follows its topic. */
    public ReadinessCheck readiness() {
        ReadinessCheck results = router.readiness();
        ReadinessCheck markers = accepted.readiness();
        return () -> {
            Optional<String> problem = results.problem();
            return problem.isPresent() ? problem : markers.problem();
        };
    }

    @Override
    public void close() {
        accepted.close();
        router.close();
        passOn.close(Duration.ofSeconds(2));
    }
}
