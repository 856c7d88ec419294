package dev.ferry.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.RetriableFerryException;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The decision to step out of the group and to come back, on a clock the test moves (session 12). */
class StepOutTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final StepOut stepOut = new StepOut(5, Duration.ofSeconds(20), now::get);

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    @Test
    void shouldStepOutOnlyWhenTheAttemptsInARowHaveFailedForTheWholeWindow() {
        for (int i = 0; i < 9; i++) {
            assertThat(stepOut.failed()).as("attempt %d, %s into the failures", i + 1, stepOut.failingFor())
                    .isFalse();
            advance(Duration.ofSeconds(2));
        }
        // Nine attempts over 18 s: enough attempts, not yet long enough.
        advance(Duration.ofSeconds(2));
        assertThat(stepOut.failed()).isTrue();
        assertThat(stepOut.failedInARow()).isEqualTo(10);
    }

    @Test
    void shouldNotStepOutWhenTheWindowHasPassedWithTooFewAttempts() {
        assertThat(stepOut.failed()).isFalse();
        advance(Duration.ofMinutes(5)); // one slow attempt: a broker taking its time, not a failure that repeats
        assertThat(stepOut.failed()).isFalse();
        advance(Duration.ofMinutes(5));
        assertThat(stepOut.failed()).isFalse();
        advance(Duration.ofMinutes(5));
        assertThat(stepOut.failed()).isFalse();
        assertThat(stepOut.failed()).isTrue();
    }

    @Test
    void shouldStartTheCountOverWhenABatchIsCommitted() {
        for (int i = 0; i < 4; i++) {
            stepOut.failed();
            advance(Duration.ofSeconds(10));
        }
        stepOut.succeeded();
        assertThat(stepOut.failed()).isFalse();
        assertThat(stepOut.failedInARow()).isEqualTo(1);
        assertThat(stepOut.failingFor()).isZero();
    }

    @Test
    void shouldNeverStepOutWhenFailuresIsZero() {
        StepOut never = new StepOut(0, Duration.ZERO, now::get);
        for (int i = 0; i < 100; i++) {
            assertThat(never.failed()).isFalse();
            advance(Duration.ofMinutes(1));
        }
    }

    @Test
    void shouldRejoinWhenTheRegistryAnswersAfterARegistryFailureAndAfterTheWindowAfterAnyOther() {
        StepOut quick = new StepOut(1, Duration.ofSeconds(20), now::get);
        assertThat(quick.failed()).isFalse();
        advance(Duration.ofSeconds(20));
        assertThat(quick.failed()).isTrue();
        assertThat(quick.mayRejoin(true, () -> false)).isFalse();
        assertThat(quick.mayRejoin(true, () -> true)).isTrue();
        assertThat(quick.failedInARow()).isZero();

        assertThat(quick.failed()).isFalse();
        advance(Duration.ofSeconds(20));
        assertThat(quick.failed()).isTrue();
        advance(Duration.ofSeconds(19));
        assertThat(quick.mayRejoin(false, () -> true)).as("not the registry's failure: the window counts").isFalse();
        advance(Duration.ofSeconds(1));
        assertThat(quick.mayRejoin(false, () -> false)).isTrue();
    }

    @Test
    void shouldTellARegistryFailureFromTheRecordsFault() {
        SchemaRegistryException refused = new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE,
                SchemaRegistryException.NO_RESPONSE, "unreachable");
        SchemaRegistryException notARegistry = new SchemaRegistryException(404, 404, "Not Found (an HTML page)");
        SchemaRegistryException unknownId = new SchemaRegistryException(404, 40403, "Schema 7 not found");
        SchemaRegistryException serverError = new SchemaRegistryException(503, 50003, "store unavailable");

        assertThat(StepOut.registryFailure(new RetriableFerryException("routing",
                new SerializationException("Cannot fetch schema id 4", refused)))).isTrue();
        assertThat(StepOut.registryFailure(new SerializationException("x", notARegistry))).isTrue();
        assertThat(StepOut.registryFailure(serverError)).isTrue();
        assertThat(StepOut.registryFailure(new SerializationException("Unknown schema id 7", unknownId))).isFalse();
        assertThat(StepOut.registryFailure(new org.apache.kafka.common.KafkaException("coordinator moved")))
                .isFalse();
    }
}
