package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.ScalingDecision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies decisions to the worker pools of this process (the {@code ferry dev} setup), through a {@link PoolResizer}. */
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
        FunctionRef ref = new FunctionRef(decision.getTenant(), decision.getFunction());
        try {
            pools.resize(ref, decision.getTo());
            log.info("[function={}] pool resized to {} ({})", ref, decision.getTo(), decision.getReason());
        } catch (RuntimeException e) {
            log.error("[function={}] cannot resize pool to {}", ref, decision.getTo(), e);
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
