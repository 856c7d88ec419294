package dev.ferry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {

    @Test
    void shouldMakeDaemonThreadsNamedExactlyAsGiven() {
        ThreadFactory factory = DaemonThreads.factory("ferry-gateway-revoked-topics");

        Thread first = factory.newThread(() -> { });
        Thread second = factory.newThread(() -> { });

        assertThat(first.isDaemon()).isTrue();
        assertThat(first.getName()).isEqualTo("ferry-gateway-revoked-topics");
        assertThat(second.getName()).isEqualTo("ferry-gateway-revoked-topics");
    }

    @Test
    void shouldNumberEachFactorysThreadsFromOne() {
        ThreadFactory factory = DaemonThreads.numbered("ferry-worker-timer-");
        ThreadFactory other = DaemonThreads.numbered("ferry-worker-timer-");

        assertThat(factory.newThread(() -> { }).getName()).isEqualTo("ferry-worker-timer-1");
        Thread second = factory.newThread(() -> { });
        assertThat(second.getName()).isEqualTo("ferry-worker-timer-2");
        assertThat(second.isDaemon()).isTrue();
        assertThat(other.newThread(() -> { }).getName()).isEqualTo("ferry-worker-timer-1");
    }
}
