package dev.ferry.core.functions;

import dev.ferry.core.FerryException;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.schemas.FunctionSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live, local copy of every deployed function, read from the compacted {@code ferry.functions} topic from its
 * beginning and kept current by a {@link TopicTail}, so a deploy takes effect in every service without a restart.
 *
 * <p>It reads without a consumer group (every instance needs the whole topic, and has nothing to commit). A
 * record that cannot be decoded is logged, counted and skipped by the tail: one bad spec must not hide every other
 * function. When the tail fails it restarts by itself; meanwhile {@link #readiness()} says so.
 * Listeners are called on the reader thread, in topic order per key; a new listener first gets the current
 * functions replayed.
 */
public final class FunctionDirectory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FunctionDirectory.class);

    /** Told of every change; called on the directory's reader thread, so keep it quick. */
    public interface Listener {
        void deployed(FunctionSpec spec);

        void removed(FunctionRef ref);
    }

    private final KafkaClients clients;
    private final TopicCatalog topics;
    private final Deserializer<FunctionSpec> deserializer;
    private final Map<FunctionRef, FunctionSpec> functions = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Object dispatchLock = new Object();
    private final TopicTail tail;

    public FunctionDirectory(KafkaClients clients, TopicCatalog topics, Deserializer<FunctionSpec> deserializer) {
        this.clients = clients;
        this.topics = topics;
        this.deserializer = deserializer;
        this.tail = TopicTail.builder(clients, topics.functions(), this::apply).name("ferry-function-directory")
                .from(TopicTail.Start.beginning()).build();
    }

    /** Starts reading; creates {@code ferry.functions} if it does not exist yet. */
    public synchronized FunctionDirectory start() {
        if (tail.state() != TopicTail.State.CREATED) {
            return this;
        }
        String topic = topics.functions();
        TopicSpec spec = topics.platformTopics().stream().filter(t -> t.name().equals(topic)).findFirst()
                .orElseThrow();
        try (Admin admin = clients.admin("ferry-function-directory-admin")) {
            new TopicProvisioner(admin).ensure(spec);
        }
        tail.start();
        return this;
    }

    /**
     * Waits until every record present in {@code ferry.functions} now has been read; true if it was in time.
     * Every deploy acknowledged before this call is then visible.
     */
    public boolean awaitCaughtUp(Duration timeout) {
        return tail.awaitReadToEnd(timeout);
    }

    /** The tail that keeps this directory current: its state is the directory's health. */
    public TopicTail tail() {
        return tail;
    }

    /** Ready once the directory has read {@code ferry.functions} to its end and follows it live. */
    public ReadinessCheck readiness() {
        return tail.readiness();
    }

    public Optional<FunctionSpec> get(FunctionRef ref) {
        return Optional.ofNullable(functions.get(ref));
    }

    /** Every deployed function, ordered by tenant and name. */
    public List<FunctionSpec> all() {
        List<FunctionSpec> all = new ArrayList<>(functions.values());
        all.sort(Comparator.comparing(FunctionSpec::getTenant).thenComparing(FunctionSpec::getName));
        return all;
    }

    public void addListener(Listener listener) {
        synchronized (dispatchLock) {
            functions.values().forEach(listener::deployed);
            listeners.add(listener);
        }
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    @Override
    public void close() {
        tail.close();
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        FunctionRef ref;
        try {
            if (record.key() == null) {
                throw new FerryException("record has no key");
            }
            ref = FunctionRef.parseKey(new String(record.key(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new FerryException("Bad key in " + topics.functions() + ": " + e.getMessage(), e);
        }
        synchronized (dispatchLock) {
            if (record.value() == null) {
                if (functions.remove(ref) != null) {
                    listeners.forEach(l -> notify(() -> l.removed(ref), ref));
                }
                return;
            }
            FunctionSpec spec;
            try {
                spec = deserializer.deserialize(record.topic(), record.headers(), record.value());
            } catch (RuntimeException e) {
                throw new FerryException("Undecodable function spec for " + ref + ": " + e.getMessage(), e);
            }
            functions.put(ref, spec);
            listeners.forEach(l -> notify(() -> l.deployed(spec), ref));
        }
    }

    private static void notify(Runnable call, FunctionRef ref) {
        try {
            call.run();
        } catch (RuntimeException e) {
            // A failing listener must not stop the directory for everyone else.
            log.error("Function directory listener failed on {}", ref, e);
        }
    }
}
