package dev.ferry.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReadinessTest {

    @Test
    void shouldAnswerAtOnceFromTheLatestAnswerWhileTheCheckHangs() throws Exception {
        AtomicReference<Optional<String>> answer = new AtomicReference<>(Optional.empty());
        CountDownLatch hang = new CountDownLatch(1);
        AtomicReference<Boolean> hanging = new AtomicReference<>(false);
        try (Readiness.Polled polled = Readiness.polled(() -> {
            if (hanging.get()) {
                try {
                    hang.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return answer.get();
        }, Duration.ofMillis(10), Duration.ofMillis(300), "readiness-test")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> polled.problem().isEmpty());
            answer.set(Optional.of("down"));
            await().atMost(Duration.ofSeconds(5)).until(() -> polled.problem().equals(Optional.of("down")));

            hanging.set(true);
            // The probe's own thread never waits on the check: answered at once, then "no answer" once stale.
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                long start = System.nanoTime();
                Optional<String> problem = polled.problem();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(100));
                return problem.orElse("").startsWith("no answer for ");
            });
            hang.countDown();
        }
    }

    @Test
    void shouldSayNotAskedYetBeforeTheFirstAnswer() {
        CountDownLatch never = new CountDownLatch(1);
        try (Readiness.Polled polled = Readiness.polled(() -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        }, Duration.ofSeconds(1), Duration.ofMinutes(1), "readiness-test-first")) {
            assertThat(polled.problem()).hasValue("not asked yet");
        }
    }
}
