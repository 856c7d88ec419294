package dev.ferry.worker.internal;

import dev.ferry.core.FerryException;
import dev.ferry.schemas.FunctionSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares a {@code QUEUE} function's share group before its first member joins: start at the earliest offset
 * (a new share group starts at the latest), read only committed records (the dispatcher writes work topics in
 * transactions), and an acquisition lock that outlasts one attempt.
 *
 * <p>Why a long lock rather than {@code AcknowledgeType.RENEW}: a renewed record comes back from a later poll, not
 * necessarily the next, and cannot be acknowledged until it does, which tangles with explicit mode's batch rule
 * (acknowledge everything before polling again); a lock of {@code timeoutMs} plus a margin needs no traffic. The lock is only ever raised, never
 * lowered, so operators (and tests) may set a longer one. The broker caps it with
 * {@code group.share.max.record.lock.duration.ms} (60 s by default): functions with longer timeouts need that
 * raised, or their records may be redelivered while still running; the worker says so in its log.
 */
public final class ShareGroupSetup {

    static final String ISOLATION_LEVEL = "share.isolation.level";
    static final String LOCK_DURATION = "share.record.lock.duration.ms";
    /** Kafka's default of group.share.record.lock.duration.ms, assumed when the group reports none. */
    static final long KAFKA_DEFAULT_LOCK_MS = 30_000;

    private static final Logger log = LoggerFactory.getLogger(ShareGroupSetup.class);
    private static final long TIMEOUT_MS = 30_000;

    private ShareGroupSetup() {
    }

    /** The lock an attempt of {@code timeoutMs} needs: its timeout plus room to write its result. */
    public static long lockNeeded(int timeoutMs) {
        return timeoutMs + Math.max(1_000L, timeoutMs / 10L);
    }

    public static void prepare(WorkerResources resources, String group, FunctionSpec spec) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        resources.provisioner().startShareGroupAtEarliest(group);
        alter(resources, resource, List.of(set(ISOLATION_LEVEL, "read_committed")), group);
        long needed = lockNeeded(spec.getTimeoutMs());
        long current = currentLock(resources, resource);
        if (current < needed) {
            try {
                alter(resources, resource, List.of(set(LOCK_DURATION, String.valueOf(needed))), group);
                log.info("Share group {}: acquisition lock raised from {} to {} ms to outlast timeoutMs {}", group,
                        current, needed, spec.getTimeoutMs());
            } catch (FerryException e) {
                log.warn("Share group {}: cannot raise the acquisition lock to {} ms ({}); attempts longer than {} "
                        + "ms may be delivered twice. Raise group.share.max.record.lock.duration.ms on the brokers.",
                        group, needed, e.getMessage(), current);
            }
        }
    }

    private static long currentLock(WorkerResources resources, ConfigResource resource) {
        Map<ConfigResource, Config> configs = await(resources.admin().describeConfigs(List.of(resource)).all(),
                "describe " + resource.name());
        Config config = configs.get(resource);
        ConfigEntry entry = config == null ? null : config.get(LOCK_DURATION);
        if (entry == null || entry.value() == null) {
            return KAFKA_DEFAULT_LOCK_MS;
        }
        return Long.parseLong(entry.value());
    }

    private static AlterConfigOp set(String key, String value) {
        return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
    }

    private static void alter(WorkerResources resources, ConfigResource resource, List<AlterConfigOp> ops,
            String group) {
        await(resources.admin().incrementalAlterConfigs(Map.of(resource, ops)).all(),
                "configure share group " + group + " with " + ops);
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new FerryException("Cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new FerryException("Timed out trying to " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted while trying to " + what, e);
        }
    }
}
