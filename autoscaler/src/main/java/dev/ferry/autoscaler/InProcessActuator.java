package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.ScalingDecision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies decisions to the worker pools and trigger pools of this process (the {@code ferry dev} setup), through a
 * {@link PoolResizer}: a decision with {@code trigger} set resizes that trigger's pool, never its function's.
 */
public final class InProcessActuator implements Actuator {

    public static final String NAME = "in-process";
    private static final Logger log = LoggerFactory.getLogger(InProcessActuator.class);

    private final PoolResizer pools;

    public InProcessActuator(PoolResizer pools) {
        this.pools = pools;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void apply(ScalingDecision decision) {
        PoolRef pool = PoolRef.of(decision);
        try {
            resize(pool, decision.getTo());
            log.info("[pool={}] pool resized to {} ({})", pool, decision.getTo(), decision.getReason());
        } catch (RuntimeException e) {
            log.error("[pool={}] cannot resize pool to {}", pool, decision.getTo(), e);
        }
    }

    @Override
    public void remove(PoolRef pool) {
        try {
            resize(pool, 0);
        } catch (RuntimeException e) {
            log.error("[pool={}] cannot stop the pool of a removed function or trigger", pool, e);
        }
    }

    private void resize(PoolRef pool, int replicas) {
        if (pool.trigger()) {
            pools.resize(pool.triggerRef().orElseThrow(), replicas);
        } else {
            pools.resize(pool.function().orElseThrow(), replicas);
        }
    }

    @Override
    public void remove(FunctionRef ref) {
        try {
            pools.resize(ref, 0);
        } catch (RuntimeException e) {
            log.error("[function={}] cannot stop the pool of a removed function", ref, e);
        }
    }
}
