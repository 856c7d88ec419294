package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.ingest.TopicPatterns;
import dev.ferry.schemas.TriggerSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link RevokedTopics} on a stand-in for the trigger directory and publisher, which can make a tenant's own write
 * visible at a chosen point: just after the check listed the triggers, as one acknowledged while it worked would be.
 */
class RevokedTopicsTest {

    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final Map<String, TopicPatterns> ACME_OWN = Map.of("acme", TopicPatterns.of(List.of("acme.*")));
    private static final Map<String, TopicPatterns> ACME_NONE = Map.of("acme", TopicPatterns.none());

    private final FakeStore store = new FakeStore();
    private final AtomicReference<Map<String, TopicPatterns>> patterns = new AtomicReference<>(ACME_OWN);

    private RevokedTopics revoked() {
        return new RevokedTopics(patterns::get, store, new NameLocks(), new TopicCatalog(FerryConfig.defaults()),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static TriggerSpec trigger(String name, String source) {
        return TriggerSpecs.builder("acme", name, "echo", List.of(source)).build();
    }

    private static TriggerSpec paused(TriggerSpec spec) {
        return TriggerSpec.newBuilder(spec).setEnabled(false).setUpdatedAt(NOW).build();
    }

    @Test
    void shouldPauseOnlyTheEnabledTriggersThatReachWhatTheirTenantMayNoLongerUseOncePerChange() {
        TriggerSpec reads = store.stored(trigger("reads", "acme.orders"));
        TriggerSpec alreadyPaused = store.stored(TriggerSpec.newBuilder(trigger("resting", "acme.orders"))
                .setEnabled(false).build());
        TriggerSpec elsewhere = store.stored(trigger("elsewhere", "shared.orders"));
        try (RevokedTopics revoked = revoked()) {
            revoked.check();
            assertThat(store.written).as("'shared.orders' is not acme's: paused at the first check")
                    .containsExactly(paused(elsewhere));

            patterns.set(ACME_NONE);
            revoked.check();
            revoked.check();
            assertThat(store.written).as("once after the change").containsExactly(paused(elsewhere), paused(reads));
            assertThat(store.visible).containsValue(alreadyPaused);
        }
    }

    @Test
    void shouldPauseTheTriggerAsItStandsAtTheWriteNotTheCopyTheCheckListed() {
        TriggerSpec listed = store.stored(trigger("reads", "acme.orders"));
        try (RevokedTopics revoked = revoked()) {
            revoked.check();
            patterns.set(ACME_NONE);
            // The tenant's change, acknowledged just after the listing: a stale copy written back would undo it.
            TriggerSpec changed = TriggerSpec.newBuilder(listed).setBatchSize(50).build();
            store.afterListing.add(visible -> visible.put(TriggerSpecs.ref(changed), changed));
            revoked.check();

            assertThat(store.written).containsExactly(paused(changed));
        }
    }

    @Test
    void shouldLeaveATriggerTheTenantPausedDeletedOrMovedToItsOwnTopicsMeanwhile() {
        TriggerSpec toPause = store.stored(trigger("to-pause", "acme.orders"));
        TriggerSpec toDelete = store.stored(trigger("to-delete", "acme.orders"));
        TriggerSpec toMove = store.stored(trigger("to-move", "acme.orders"));
        try (RevokedTopics revoked = revoked()) {
            revoked.check();
            patterns.set(Map.of("acme", TopicPatterns.of(List.of("acme.new.*"))));
            TriggerSpec pausedByTenant = TriggerSpec.newBuilder(toPause).setEnabled(false).setBatchSize(7).build();
            TriggerSpec moved = TriggerSpec.newBuilder(toMove).setTopics(List.of("acme.new.orders")).build();
            store.afterListing.add(visible -> {
                visible.put(TriggerSpecs.ref(pausedByTenant), pausedByTenant);
                visible.remove(TriggerSpecs.ref(toDelete));
                visible.put(TriggerSpecs.ref(moved), moved);
            });
            revoked.check();

            assertThat(store.written).isEmpty();
            assertThat(store.visible.values()).containsExactlyInAnyOrder(pausedByTenant, moved);
        }
    }

    @Test
    void shouldCheckAgainASecondLaterWhenTheDirectoryDidNotCatchUpBeforeThePause() {
        TriggerSpec reads = store.stored(trigger("reads", "acme.orders"));
        try (RevokedTopics revoked = revoked()) {
            revoked.check();
            patterns.set(ACME_NONE);
            store.failingCatchUps = 1;
            revoked.check();
            assertThat(store.written).as("nothing written on what may be a stale copy").isEmpty();

            revoked.check(); // the same patterns, not yet checked to the end
            assertThat(store.written).containsExactly(paused(reads));
        }
    }

    /** The directory (what it shows, once caught up) and the publisher (what was written, shown at once). */
    private static final class FakeStore implements RevokedTopics.Store {

        final Map<TriggerRef, TriggerSpec> visible = new LinkedHashMap<>();
        final List<TriggerSpec> written = new ArrayList<>();
        /** Other writes, acknowledged right after the next listing: visible once the store catches up. */
        final List<Consumer<Map<TriggerRef, TriggerSpec>>> afterListing = new ArrayList<>();
        private final List<Consumer<Map<TriggerRef, TriggerSpec>>> acknowledged = new ArrayList<>();
        /** How many of the next catch-ups time out. */
        int failingCatchUps;

        TriggerSpec stored(TriggerSpec spec) {
            visible.put(TriggerSpecs.ref(spec), spec);
            return spec;
        }

        @Override
        public boolean awaitCaughtUp(Duration timeout) {
            if (failingCatchUps > 0) {
                failingCatchUps--;
                return false;
            }
            acknowledged.forEach(write -> write.accept(visible));
            acknowledged.clear();
            return true;
        }

        @Override
        public List<TriggerSpec> all() {
            List<TriggerSpec> listed = List.copyOf(visible.values());
            acknowledged.addAll(afterListing);
            afterListing.clear();
            return listed;
        }

        @Override
        public Optional<TriggerSpec> get(TriggerRef ref) {
            return Optional.ofNullable(visible.get(ref));
        }

        @Override
        public void put(TriggerSpec spec) {
            written.add(spec);
            visible.put(TriggerSpecs.ref(spec), spec);
        }
    }
}
