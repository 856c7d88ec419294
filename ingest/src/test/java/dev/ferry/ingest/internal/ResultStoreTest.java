package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ResultStoreTest {

    private Instant now = Instant.parse("2026-01-01T12:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    static InvocationResult result(String id, String tenant, int attempt, InvocationStatus status, Instant at) {
        return InvocationResult.newBuilder().setInvocationId(id).setTenant(tenant).setFunction("fn")
                .setAttempt(attempt).setStatus(status).setOutput(null).setContentType("text/plain").setError(null)
                .setMemoryMb(128).setSubmittedAt(at).setStartedAt(at).setFinishedAt(at).setDurationMicros(1500)
                .setColdStart(false).setWorker(null).build();
    }

    @Test
    void shouldKnowTheOwnerOfAPendingInvocationUntilItsResultArrives() {
        ResultStore store = new ResultStore(10, Long.MAX_VALUE, Duration.ofHours(1), clock);
        store.pending("acme", "a", "fn");

        assertThat(store.get("acme", "a")).hasValueSatisfying(e -> {
            assertThat(e.tenant()).isEqualTo("acme");
            assertThat(e.result()).isNull();
        });

        store.record(result("a", "acme", 1, InvocationStatus.SUCCEEDED, now));
        assertThat(store.get("acme", "a").orElseThrow().result().getStatus()).isEqualTo(InvocationStatus.SUCCEEDED);
    }

    /** A gateway reads the results it passes on (502, 504 answers) twice; its statistics count news only. */
    @Test
    void shouldSayWhetherAResultIsNewsWhenTheSameAttemptIsReadTwice() {
        ResultStore store = new ResultStore(10, Long.MAX_VALUE, Duration.ofHours(1), clock);
        store.pending("acme", "a", "fn");
        assertThat(store.record(result("a", "acme", 1, InvocationStatus.FAILED, now))).isTrue();
        assertThat(store.record(result("a", "acme", 1, InvocationStatus.FAILED, now))).as("read again").isFalse();
        assertThat(store.record(result("a", "acme", 2, InvocationStatus.FAILED, now))).isTrue();
        assertThat(store.record(result("a", "acme", 1, InvocationStatus.FAILED, now))).as("older").isFalse();
        assertThat(store.record(result("a", "beta", 2, InvocationStatus.FAILED, now))).as("another tenant's").isTrue();
    }

    @Test
    void shouldKeepTheLatestAttemptWhenAnOlderOneArrivesLate() {
        ResultStore store = new ResultStore(10, Long.MAX_VALUE, Duration.ofHours(1), clock);
        store.record(result("a", "acme", 2, InvocationStatus.SUCCEEDED, now));
        store.record(result("a", "acme", 1, InvocationStatus.FAILED, now));

        assertThat(store.get("acme", "a").orElseThrow().result().getAttempt()).isEqualTo(2);
    }

    @Test
    void shouldNotLetAResultOfAnotherTenantTakeOverAPendingId() {
        ResultStore store = new ResultStore(10, Long.MAX_VALUE, Duration.ofHours(1), clock);
        store.pending("acme", "a", "fn");
        store.record(result("a", "mallory", 1, InvocationStatus.SUCCEEDED, now));

        assertThat(store.get("acme", "a").orElseThrow().tenant()).isEqualTo("acme");
        assertThat(store.get("acme", "a").orElseThrow().result()).isNull();
    }

    /** Issue 12: ids are chosen by clients on the Kafka path, so two tenants may use the same one. */
    @Test
    void shouldKeepEachTenantsOwnResultWhenTwoTenantsUseTheSameId() {
        ResultStore store = new ResultStore(10, Long.MAX_VALUE, Duration.ofHours(1), clock);
        store.record(InvocationResult.newBuilder(result("same", "acme", 1, InvocationStatus.SUCCEEDED, now))
                .setOutput(ByteBuffer.wrap("acme's".getBytes(java.nio.charset.StandardCharsets.UTF_8))).build());
        store.record(InvocationResult.newBuilder(result("same", "globex", 1, InvocationStatus.FAILED, now))
                .setOutput(ByteBuffer.wrap("globex's".getBytes(java.nio.charset.StandardCharsets.UTF_8))).build());

        assertThat(store.get("acme", "same").orElseThrow().result().getStatus())
                .isEqualTo(InvocationStatus.SUCCEEDED);
        assertThat(store.get("globex", "same").orElseThrow().result().getStatus())
                .isEqualTo(InvocationStatus.FAILED);
        assertThat(store.get("initech", "same")).isEmpty();
    }

    @Test
    void shouldDropTheOldestWhenOverTheSizeBound() {
        ResultStore store = new ResultStore(3, Long.MAX_VALUE, Duration.ofHours(1), clock);
        for (int i = 0; i < 5; i++) {
            store.record(result("id" + i, "acme", 1, InvocationStatus.SUCCEEDED, now));
        }

        assertThat(store.size()).isEqualTo(3);
        assertThat(store.get("acme", "id0")).isEmpty();
        assertThat(store.get("acme", "id1")).isEmpty();
        assertThat(store.get("acme", "id4")).isPresent();
    }

    @Test
    void shouldDropTheOldestWhenOverTheByteBound() {
        ResultStore store = new ResultStore(100, 2500, Duration.ofHours(1), clock);
        for (int i = 0; i < 4; i++) {
            store.record(InvocationResult.newBuilder(result("id" + i, "acme", 1, InvocationStatus.SUCCEEDED, now))
                    .setOutput(ByteBuffer.wrap(new byte[1000])).build());
        }

        assertThat(store.bytes()).isEqualTo(2000);
        assertThat(store.get("acme", "id1")).isEmpty();
        assertThat(store.get("acme", "id3")).isPresent();
        store.forget("acme", "id3");
        assertThat(store.bytes()).isEqualTo(1000);
    }

    @Test
    void shouldForgetResultsWhenOlderThanTheRetention() {
        ResultStore store = new ResultStore(10, Long.MAX_VALUE, Duration.ofMinutes(10), clock);
        store.record(result("old", "acme", 1, InvocationStatus.SUCCEEDED, now.minus(Duration.ofMinutes(11))));
        store.record(result("recent", "acme", 1, InvocationStatus.SUCCEEDED, now));

        assertThat(store.get("acme", "old")).isEmpty();
        now = now.plus(Duration.ofMinutes(11));
        assertThat(store.get("acme", "recent")).isEmpty();
        assertThat(store.size()).isZero();
    }
}
