package dev.ferry.ingest.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** Whether the cluster answers, asked at most every few seconds so probes cannot load the brokers. */
public final class KafkaHealth implements BooleanSupplier {

    private static final long CACHE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int TIMEOUT_MS = 2_000;

    private final Admin admin;
    private long checkedAt;
    private boolean reachable;
    private boolean checked;

    public KafkaHealth(Admin admin) {
        this.admin = admin;
    }

    @Override
    public synchronized boolean getAsBoolean() {
        long now = System.nanoTime();
        if (checked && now - checkedAt < CACHE_NANOS) {
            return reachable;
        }
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).nodes()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            reachable = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reachable = false;
        } catch (Exception e) {
            reachable = false;
        }
        checked = true;
        checkedAt = now;
        return reachable;
    }
}
