package dev.ferry.ingest.internal;

import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerDirectory;
import dev.ferry.core.triggers.TriggerPublisher;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.ingest.TopicPatterns;
import dev.ferry.schemas.TriggerSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * same, so two gateways writing one pause change nothing. Started only where there is a tenants file: without one
 * every call is refused and no tenant is known, which must not pause every tenant's triggers.
 */
public final class RevokedTopics implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RevokedTopics.class);
    private static final long CHECK_SECONDS = 1;
    private static final Duration FIRST_CATCH_UP = Duration.ofSeconds(5);

    private final Tenants tenants;
    private final TriggerDirectory directory;
    private final TriggerPublisher publisher;
    private final TopicCatalog catalog;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    /** The tenants' patterns last checked against, by identity; null before the first check. */
    private Map<String, TopicPatterns> checked;

    public RevokedTopics(Tenants tenants, TriggerDirectory directory, TriggerPublisher publisher, TopicCatalog catalog,
            Clock clock) {
        this.tenants = tenants;
        this.directory = directory;
        this.publisher = publisher;
        this.catalog = catalog;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ferry-gateway-revoked-topics");
            thread.setDaemon(true);
            return thread;
        });
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
            // Checked again after the next change of the file; the trigger's next write is checked anyway.
            log.warn("Cannot check the triggers against the tenants' topics: {}", e.toString());
        }
    }

    /** Checks the enabled triggers when the tenants' patterns changed since the last check. */
    void check() {
        Map<String, TopicPatterns> patterns = tenants.topicsByTenant();
        if (patterns == checked) {
            return;
        }
        if (checked == null && !directory.awaitCaughtUp(FIRST_CATCH_UP)) {
            return; // every stored trigger is checked the first time, or none: again in a second
        }
        for (TriggerSpec spec : directory.all()) {
            if (!spec.getEnabled()) {
                continue;
            }
            List<String> denied = TriggerRoutes.denied(spec,
                    patterns.getOrDefault(spec.getTenant(), TopicPatterns.none()), catalog);
            if (!denied.isEmpty()) {
                log.warn("Pausing trigger {}: {}", TriggerSpecs.ref(spec), String.join("; ", denied));
                publisher.put(TriggerSpec.newBuilder(spec).setEnabled(false).setUpdatedAt(clock.instant()).build());
            }
        }
        checked = patterns;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
