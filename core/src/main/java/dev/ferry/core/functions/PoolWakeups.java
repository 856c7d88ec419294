package dev.ferry.core.functions;

import dev.ferry.core.FunctionRef;
import java.util.Collection;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-local half of the wake signal (issue 16, part 2): a dispatcher that has just committed work for a
 * function whose pool it believes at zero replicas says so here, and an autoscaler in the same process hears it at
 * once, without waiting for its next lag collection and without a round trip through Kafka. Across processes the
 * same news travels on {@code ferry.wakeups} (the dispatcher writes it in the transaction that routes the work).
 * One per process ({@code FerryRuntime.wakeups()}); thread-safe; listeners must return quickly (they run on the
 * dispatcher's routing thread).
 */
public final class PoolWakeups {

    /** Told of functions whose pools at zero replicas were just given work. */
    @FunctionalInterface
    public interface Listener {
        void woke(Collection<FunctionRef> functions);
    }

    private static final Logger log = LoggerFactory.getLogger(PoolWakeups.class);

    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** Whether anyone in this process listens (an autoscaler runs here). */
    public boolean heard() {
        return !listeners.isEmpty();
    }

    /** Tells every listener; one that fails is logged and the others are still told. */
    public void wake(Collection<FunctionRef> functions) {
        if (functions.isEmpty()) {
            return;
        }
        for (Listener listener : listeners) {
            try {
                listener.woke(functions);
            } catch (RuntimeException e) {
                log.warn("A wakeup listener failed for {}: {}", functions, e.toString());
            }
        }
    }
}
