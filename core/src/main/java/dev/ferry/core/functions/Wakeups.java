package dev.ferry.core.functions;

import dev.ferry.core.FunctionRef;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The writer's half of the wake signal (issue 16, part 2), for whoever puts work on a function's work topic: the
 * dispatcher, which sees every invocation, and the worker's retry forwarder, which moves a parked retry back to its
 * work topic when its delay ends. Either says that a pool at zero replicas was just given work, and the autoscaler
 * scales it up at once rather than at its next lag collection (which backs off for such pools, see
 * {@code autoscaler.quiet.check.ms}).
 *
 * <p>A pool counts as at zero when {@code replicas} says so or does not know (the dispatcher's latest lag sample; the
 * forwarder has none and always answers -1). For such a pool the first record given it in a batch adds a wakeup:
 * with an autoscaler in this process ({@link PoolWakeups#heard()}) it is told directly once the batch is durable,
 * with no Kafka hop; otherwise a record keyed {@code tenant/function} with no value goes to {@code ferry.wakeups}
 * with the batch (the dispatcher writes it in the batch's transaction, visible exactly when the work is; the
 * forwarder once its copies are acknowledged). A pool is woken at most once per {@link #REPEAT} while it stays at
 * zero (it takes that long to get its first replica). Used by one thread.
 */
public final class Wakeups {

    /** How long after waking a pool it is not woken again while its samples still say zero. */
    public static final Duration REPEAT = Duration.ofSeconds(1);
    private static final byte[] NO_VALUE = new byte[0];

    private final String topic;
    private final ToIntFunction<FunctionRef> replicas;
    private final PoolWakeups local;
    private final Clock clock;
    private final Map<FunctionRef, Instant> lastWoken = new HashMap<>();
    /** Woken in the batch being built: told locally once it commits, forgotten if it aborts. */
    private final Set<FunctionRef> pending = new LinkedHashSet<>();

    /**
     * @param replicas the members of a function's pool as last seen, -1 when unknown (the dispatcher's
     *        {@code LagView#replicas})
     * @param local this process's signal ({@code FerryRuntime.wakeups()}); its listeners hear of wakeups after
     *        {@link #committed()}
     */
    public Wakeups(String topic, ToIntFunction<FunctionRef> replicas, PoolWakeups local, Clock clock) {
        this.topic = topic;
        this.replicas = replicas;
        this.local = local;
        this.clock = clock;
    }

    /** A batch begins: wakeups of the one before that did not commit are forgotten, so the retry wakes again. */
    public void newBatch() {
        pending.forEach(lastWoken::remove);
        pending.clear();
    }

    /**
     * Work for {@code ref} is routed in this batch: the wakeup record to send with it, if its pool must be woken and
     * no autoscaler in this process hears it directly.
     */
    public Optional<ProducerRecord<byte[], byte[]>> routed(FunctionRef ref) {
        if (replicas.applyAsInt(ref) > 0 || pending.contains(ref)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Instant last = lastWoken.get(ref);
        if (last != null && now.isBefore(last.plus(REPEAT))) {
            return Optional.empty();
        }
        lastWoken.put(ref, now);
        pending.add(ref);
        if (local.heard()) {
            return Optional.empty();
        }
        return Optional.of(new ProducerRecord<>(topic, ref.key().getBytes(StandardCharsets.UTF_8), NO_VALUE));
    }

    /** The batch committed (its work is readable): an autoscaler in this process hears of its wakeups now. */
    public void committed() {
        if (!pending.isEmpty()) {
            List<FunctionRef> woken = List.copyOf(pending);
            pending.clear();
            local.wake(woken);
        }
    }
}
