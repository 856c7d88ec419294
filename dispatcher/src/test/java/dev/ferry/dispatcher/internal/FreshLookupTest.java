package dev.ferry.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FerryException;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FreshLookupTest {

    private final FunctionRef ref = new FunctionRef("acme", "resize");
    private final FunctionSpec spec = FunctionSpecs.builder("acme", "resize", Runtime.JAVA, "echo").build();
    private final AtomicLong catalogEnd = new AtomicLong(7);
    private final AtomicInteger lookups = new AtomicInteger();
    private final AtomicReference<FunctionSpec> deployed = new AtomicReference<>();
    private final FreshLookup lookup = new FreshLookup(r -> {
        lookups.incrementAndGet();
        return Optional.ofNullable(deployed.get());
    }, catalogEnd::get, Duration.ofMillis(100));

    @Test
    void shouldFindTheFunctionWhenItAppearsDuringTheGrace() {
        FreshLookup late = new FreshLookup(r -> lookups.incrementAndGet() >= 3 ? Optional.of(spec) : Optional.empty(),
                catalogEnd::get, Duration.ofSeconds(2));
        assertThat(late.apply(ref)).contains(spec);
    }

    @Test
    void shouldNotWaitAgainWhenTheCatalogIsUnchanged() {
        assertThat(lookup.apply(ref)).isEmpty();
        int afterGrace = lookups.get();
        assertThat(afterGrace).isGreaterThan(1);

        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertThat(lookup.apply(ref)).isEmpty();
        }
        assertThat(lookups.get()).isEqualTo(afterGrace + 100);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(100));
    }

    @Test
    void shouldWaitAgainWhenTheCatalogChangedSinceTheLastRejection() {
        assertThat(lookup.apply(ref)).isEmpty();
        catalogEnd.incrementAndGet(); // a deploy was written, but the directory has not read it yet
        lookup.newBatch();
        int before = lookups.get();
        assertThat(lookup.apply(ref)).isEmpty();
        assertThat(lookups.get() - before).isGreaterThan(1);
    }

    @Test
    void shouldReadTheCatalogEndOncePerBatchWhenManyFunctionsAreUnknown() {
        AtomicInteger endReads = new AtomicInteger();
        FreshLookup counting = new FreshLookup(r -> Optional.empty(), () -> {
            endReads.incrementAndGet();
            return 7L;
        }, Duration.ofMillis(10));
        for (int i = 0; i < 50; i++) {
            counting.apply(new FunctionRef("acme", "f" + (i % 5)));
        }
        assertThat(endReads).hasValue(1);
        counting.newBatch();
        counting.apply(ref);
        assertThat(endReads).hasValue(2);
    }

    @Test
    void shouldNotWaitWhenTheFunctionIsKnown() {
        deployed.set(spec);
        assertThat(lookup.apply(ref)).contains(spec);
        assertThat(lookups).hasValue(1);
    }

    @Test
    void shouldWaitOnceWhenTheCatalogEndCannotBeRead() {
        FreshLookup blind = new FreshLookup(r -> {
            lookups.incrementAndGet();
            return Optional.empty();
        }, () -> {
            throw new FerryException("broker unreachable");
        }, Duration.ofMillis(50));
        assertThat(blind.apply(ref)).isEmpty();
        int afterGrace = lookups.get();
        assertThat(blind.apply(ref)).isEmpty();
        assertThat(lookups.get()).isEqualTo(afterGrace + 1);
    }
}
