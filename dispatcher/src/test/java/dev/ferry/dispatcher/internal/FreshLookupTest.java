package dev.ferry.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FreshLookupTest {

    private final FunctionRef ref = new FunctionRef("acme", "resize");
    private final FunctionSpec spec = FunctionSpecs.builder("acme", "resize", Runtime.JAVA, "echo").build();

    @Test
    void shouldFindAFunctionThatAppearsDuringTheGrace() {
        AtomicInteger lookups = new AtomicInteger();
        FreshLookup lookup = new FreshLookup(r -> lookups.incrementAndGet() >= 3 ? Optional.of(spec) : Optional.empty(),
                Duration.ofSeconds(2), Duration.ofSeconds(30));
        assertThat(lookup.apply(ref)).contains(spec);
    }

    @Test
    void shouldSpendTheGraceOnlyOncePerWindowWhenAFunctionStaysUnknown() {
        AtomicInteger lookups = new AtomicInteger();
        FreshLookup lookup = new FreshLookup(r -> {
            lookups.incrementAndGet();
            return Optional.empty();
        }, Duration.ofMillis(100), Duration.ofMinutes(1));
        assertThat(lookup.apply(ref)).isEmpty();
        int afterFirst = lookups.get();
        assertThat(afterFirst).isGreaterThan(1);

        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertThat(lookup.apply(ref)).isEmpty();
        }
        assertThat(lookups.get()).isEqualTo(afterFirst + 100);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(100));
    }

    @Test
    void shouldNotWaitForAKnownFunction() {
        AtomicInteger lookups = new AtomicInteger();
        FreshLookup lookup = new FreshLookup(r -> {
            lookups.incrementAndGet();
            return Optional.of(spec);
        }, Duration.ofSeconds(5), Duration.ofMinutes(1));
        assertThat(lookup.apply(ref)).contains(spec);
        assertThat(lookups).hasValue(1);
    }
}
