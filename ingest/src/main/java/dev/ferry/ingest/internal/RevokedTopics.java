package dev.ferry.ingest.internal;

import dev.ferry.core.DaemonThreads;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerDirectory;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.ingest.TopicPatterns;
import dev.ferry.schemas.TriggerSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pauses the running triggers that reach a topic or group their tenant may no longer use (tester, session 21: an
 * operator took a tenant's topics away with {@code ferry tenants topics --none} and its trigger went on reading the
 * topic and running its function, billed). Every second it asks the tenants file ({@link Tenants#topicsByTenant()},
 * re-read when it changed); after a change, and once at start, each enabled trigger is checked with the rule a PUT is
 * checked with ({@link TriggerRoutes#denied}), and one that fails it is written back paused, logged at WARN with
 * what it may no longer use. A tenant no longer in the file may use no topic. The tenant sees {@code PAUSED}; a
 * resume is refused (403) until the operator gives the topics back. Every gateway does this; the writes are the
 * same but for their time, so two gateways writing one pause change nothing. Started only where there is a tenants
 * file: without one every call is refused and no tenant is known, which must not pause every tenant's triggers.
 *
 * <p>What is written back is the trigger as it stands at the write, not as the check found it: a tenant's own write
 * of the trigger (a change, a pause, a delete) acknowledged meanwhile must not be undone by a stale copy. So the
 * pause is decided again on a fresh read, holding the trigger's name lock of this gateway (the one its PUTs and
 * DELETEs hold from their read until the directory shows their write) and after the directory caught up with every
 * change acknowledged before ({@link TriggerDirectory#awaitCaughtUp}). What remains: a write through another gateway
 * acknowledged between that catching up and this pause reaching the broker is overwritten (the pause is of the
 * older spec, a delete comes back paused). Kafka offers no compare-and-set on a compacted topic, so the window can
 * be narrowed to that one round trip, not closed; the tenant sees its trigger paused and can write it again.
 */
public final class RevokedTopics implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RevokedTopics.class);
    private static final long CHECK_SECONDS = 1;
    private static final Duration FIRST_CATCH_UP = Duration.ofSeconds(5);
    /** How long a pause waits for the directory to catch up; checked again a second later if it did not. */
    private static final Duration CATCH_UP = Duration.ofSeconds(5);

    /** Where the triggers are read and written: the directory and the publisher, or a unit test's stand-in. */
    interface Store {
        /** {@link TriggerDirectory#awaitCaughtUp}. */
        boolean awaitCaughtUp(Duration timeout);

        List<TriggerSpec> all();

        Optional<TriggerSpec> get(TriggerRef ref);

        /** Writes {@code spec}, returning once the broker acknowledged it. */
        void put(TriggerSpec spec);
    }

    private final Supplier<Map<String, TopicPatterns>> topicsByTenant;
    private final Store store;
    private final NameLocks writes;
    private final TopicCatalog catalog;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    /** The tenants' patterns last checked against, by identity; null before the first check. */
    private Map<String, TopicPatterns> checked;

    /** On the gateway's triggers: their directory, publisher and name locks ({@link GatewayTriggers#writes}). */
    public RevokedTopics(Tenants tenants, GatewayTriggers triggers, Clock clock) {
        this(tenants::topicsByTenant, new Store() {
            @Override
            public boolean awaitCaughtUp(Duration timeout) {
                return triggers.directory().awaitCaughtUp(timeout);
            }

            @Override
            public List<TriggerSpec> all() {
                return triggers.directory().all();
            }

            @Override
            public Optional<TriggerSpec> get(TriggerRef ref) {
                return triggers.directory().get(ref);
            }

            @Override
            public void put(TriggerSpec spec) {
                triggers.publisher().put(spec);
            }
        }, triggers.writes(), triggers.catalog(), clock);
    }

    RevokedTopics(Supplier<Map<String, TopicPatterns>> topicsByTenant, Store store, NameLocks writes,
            TopicCatalog catalog, Clock clock) {
        this.topicsByTenant = topicsByTenant;
        this.store = store;
        this.writes = writes;
        this.catalog = catalog;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("ferry-gateway-revoked-topics"));
    }

    /** Starts checking, the first time at once. */
    public RevokedTopics start() {
        timer.scheduleWithFixedDelay(this::checkSafely, 0, CHECK_SECONDS, TimeUnit.SECONDS);
        return this;
    }

    private void checkSafely() {
        try {
            check();
        } catch (RuntimeException e) {
            // Checked again in a second (the patterns stay unchecked); the trigger's next write is checked anyway.
            log.warn("Cannot check the triggers against the tenants' topics: {}", e.toString());
        }
    }

    /** Checks the enabled triggers when the tenants' patterns changed since the last check (or it did not end). */
    void check() {
        Map<String, TopicPatterns> patterns = topicsByTenant.get();
        if (patterns == checked) {
            return;
        }
        if (checked == null && !store.awaitCaughtUp(FIRST_CATCH_UP)) {
            return; // every stored trigger is checked the first time, or none: again in a second
        }
        boolean done = true;
        for (TriggerSpec spec : store.all()) {
            if (spec.getEnabled() && !denied(spec, patterns).isEmpty()) {
                TriggerRef ref = TriggerSpecs.ref(spec);
                done &= writes.holding(ref, () -> pauseAsItStands(ref, patterns));
            }
        }
        if (done) {
            checked = patterns;
        }
    }

    /**
     * Pauses the trigger {@code ref} as the directory has it once caught up, if it is still enabled and denied; false
     * when the directory did not catch up in time (the patterns are checked again a second later). Called holding the
     * trigger's name lock.
     */
    private boolean pauseAsItStands(TriggerRef ref, Map<String, TopicPatterns> patterns) {
        if (!store.awaitCaughtUp(CATCH_UP)) {
            log.warn("Cannot pause trigger {} yet: the trigger directory did not catch up in {} s; trying again", ref,
                    CATCH_UP.toSeconds());
            return false;
        }
        Optional<TriggerSpec> current = store.get(ref);
        if (current.isEmpty() || !current.get().getEnabled()) {
            return true; // deleted or paused meanwhile
        }
        List<String> denied = denied(current.get(), patterns);
        if (denied.isEmpty()) {
            return true; // changed meanwhile to what the tenant may use
        }
        log.warn("Pausing trigger {}: {}", ref, String.join("; ", denied));
        store.put(TriggerSpec.newBuilder(current.get()).setEnabled(false).setUpdatedAt(clock.instant()).build());
        return true;
    }

    private List<String> denied(TriggerSpec spec, Map<String, TopicPatterns> patterns) {
        return TriggerRoutes.denied(spec, patterns.getOrDefault(spec.getTenant(), TopicPatterns.none()), catalog);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
