package dev.ferry.core.health;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether the cluster answers: a describe of the cluster within 2 s, asked every 5 s on a thread of its own
 * ({@link #polled}), so a probe answers at once from the latest answer and cannot load the brokers. So a lost cluster
 * shows in {@code /readyz} within 5 to 9 s (Kubernetes probes every 10 s by default); it was asked every second
 * until session 20: one of the about 15 requests a second an idle {@code ferry dev} sent its broker (issue 16, idle
 * cost). Before session
 * 15 a probe asked it on its own thread, under a lock: with the broker frozen, probes queued behind each other's 2 s
 * waits and the public {@code /readyz} stopped answering within 2 s (a tester's finding). Every process asks it: the
 * gateway among its own checks, a process without a gateway (dispatcher, worker, autoscaler, metering) as the
 * platform's; before session 15 only the gateway did, and the others said ready through a whole broker outage
 * (tester 15A, finding 4).
 */
public final class KafkaHealth implements ReadinessCheck {

    private static final int TIMEOUT_MS = 2_000;
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    /** An answer older than this is none: the question is stuck past its own timeout. */
    private static final Duration STALE = Duration.ofMillis(INTERVAL.toMillis() + 2L * TIMEOUT_MS);

    private final Admin admin;

    public KafkaHealth(Admin admin) {
        this.admin = admin;
    }

    /** This check asked in the background, as {@code /readyz} uses it; close it with the process's services. */
    public static Readiness.Polled polled(Admin admin, String threadName) {
        return Readiness.polled(new KafkaHealth(admin), INTERVAL, STALE, threadName);
    }

    /** Asks the cluster now; blocks for up to 2 s. */
    @Override
    public Optional<String> problem() {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).nodes()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("Kafka does not answer (interrupted)");
        } catch (Exception e) {
            return Optional.of("Kafka does not answer within " + TIMEOUT_MS + " ms");
        }
    }
}
