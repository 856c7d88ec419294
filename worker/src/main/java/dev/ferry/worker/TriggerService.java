package dev.ferry.worker;

import dev.ferry.core.DaemonThreads;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.Shutdown;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.metrics.FerryMetrics;
import dev.ferry.core.triggers.TriggerDirectory;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.TriggerSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@link TriggerPool} per enabled trigger whose function is deployed (issue 14; docs/design.md section
 * 10), following a {@link TriggerDirectory} and a {@link FunctionDirectory}: a new trigger gets a pool of its
 * function's {@code minReplicas} replicas (or {@code initialReplicas} when that is 0); a changed trigger or function
 * restarts the pool's replicas on the new specs; a deleted or disabled trigger, or a removed function, closes the
 * pool. A disabled trigger is paused: its group keeps its committed position, and enabling it continues from there.
 * Changes are applied one at a time on the service's own thread.
 *
 * <p>{@code initialReplicas} is 1 without an autoscaler and 0 with one, as for {@link WorkerService}. With
 * {@code worker.pools} naming pools, only the triggers named {@code tenant/trigger:name} there run here.
 */
public final class TriggerService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TriggerService.class);

    private final WorkerContext context;
    private final FunctionDirectory functions;
    private final TriggerDirectory triggers;
    private final int initialReplicas;
    private final Map<TriggerRef, TriggerPool> pools = new ConcurrentHashMap<>();
    private final Map<TriggerRef, TriggerMeters> meters = new ConcurrentHashMap<>();
    private final ExecutorService changes = Executors.newSingleThreadExecutor(
            DaemonThreads.factory("ferry-trigger-service"));
    private final TriggerDirectory.Listener triggerListener = new TriggerDirectory.Listener() {
        @Override
        public void upserted(TriggerRef ref, TriggerSpec spec) {
            changes.execute(() -> reconcile(ref));
        }

        @Override
        public void removed(TriggerRef ref) {
            changes.execute(() -> reconcile(ref));
        }
    };
    private final FunctionDirectory.Listener functionListener = new FunctionDirectory.Listener() {
        @Override
        public void deployed(FunctionSpec spec) {
            changes.execute(() -> reconcileUsers(new FunctionRef(spec.getTenant(), spec.getName())));
        }

        @Override
        public void removed(FunctionRef ref) {
            changes.execute(() -> reconcileUsers(ref));
        }
    };

    /**
     * Pools for the triggers of the runtime's directories ({@link WorkerContext#runtime()}: its trigger and function
     * directories), started on the first call if no other service of the process has.
     *
     * @param initialReplicas replicas of a new pool: 1 alone, 0 with an autoscaler that sizes it from lag
     */
    public TriggerService(WorkerContext context, int initialReplicas) {
        this(context, context.runtime().functions(), context.runtime().triggers(), initialReplicas);
    }

    /** Pools for the triggers of {@code triggers} whose function is in {@code functions}; the caller owns both. */
    public TriggerService(WorkerContext context, FunctionDirectory functions, TriggerDirectory triggers,
            int initialReplicas) {
        if (initialReplicas < 0) {
            throw new IllegalArgumentException("initialReplicas cannot be negative: " + initialReplicas);
        }
        this.context = context;
        this.functions = functions;
        this.triggers = triggers;
        this.initialReplicas = initialReplicas;
    }

    /** Starts following both directories (which must be started); current triggers get their pools first. */
    public TriggerService start() {
        context.resources.provisioner().ensure(context.topics().platformTopic(context.topics().triggerStatus()));
        triggers.addListener(triggerListener);
        functions.addListener(functionListener);
        return this;
    }

    /** The pool of a trigger, for the autoscaler's in-process actuator to {@link TriggerPool#resize}. */
    public Optional<TriggerPool> pool(TriggerRef ref) {
        return Optional.ofNullable(pools.get(ref));
    }

    public Map<TriggerRef, TriggerPool> pools() {
        return Map.copyOf(pools);
    }

    private void reconcileUsers(FunctionRef function) {
        for (TriggerSpec spec : triggers.all()) {
            if (TriggerSpecs.function(spec).equals(function)) {
                reconcile(TriggerSpecs.ref(spec));
            }
        }
        // Pools of triggers whose spec is gone already were closed by their own change.
    }

    private void reconcile(TriggerRef ref) {
        try {
            // Not this process's pool (worker.pools): as if the trigger were not there.
            Optional<TriggerSpec> spec = triggers.get(ref).filter(TriggerSpec::getEnabled)
                    .filter(s -> context.config().worker().pools().runs(ref));
            Optional<FunctionSpec> function = spec.flatMap(s -> functions.get(TriggerSpecs.function(s)));
            TriggerPool pool = pools.get(ref);
            if (spec.isEmpty() || function.isEmpty()) {
                if (pool != null) {
                    close(ref);
                    log.info("[trigger {}] {}: pool closed", ref, spec.isEmpty() ? "deleted, disabled or not run here"
                            : "its function is not deployed");
                }
                return;
            }
            if (pool == null) {
                // Capped as a function's own pool is: a trigger's pool pins its function's minimum again (session 9).
                int replicas = context.config().autoscaler().startingReplicas(function.get().getMinReplicas(),
                        initialReplicas);
                TriggerPool created = new TriggerPool(spec.get(), function.get(), context, replicas);
                pools.put(ref, created);
                meters.put(ref, new TriggerMeters(FerryMetrics.registry(), ref, created));
            } else if (!pool.spec().equals(spec.get()) || !pool.function().equals(function.get())) {
                pool.update(spec.get(), function.get());
            }
        } catch (RuntimeException e) {
            log.error("Cannot run the pool of trigger {}: {}", ref, e.toString(), e);
        }
    }

    private void close(TriggerRef ref) {
        TriggerMeters poolMeters = meters.remove(ref);
        if (poolMeters != null) {
            poolMeters.close();
        }
        TriggerPool pool = pools.remove(ref);
        if (pool != null) {
            pool.close();
        }
    }

    /** Stops following the directories and closes every pool, each for up to {@code WorkerService}'s patience. */
    @Override
    public void close() {
        triggers.removeListener(triggerListener);
        functions.removeListener(functionListener);
        changes.shutdown();
        try {
            changes.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<String, Runnable> stops = new LinkedHashMap<>();
        pools.forEach((ref, pool) -> stops.put("ferry-close-trigger-" + ref.tenant() + "-" + ref.name(),
                () -> pool.close(WorkerService.STOP_PATIENCE)));
        Shutdown.inParallel(stops);
        pools.clear();
        meters.values().forEach(TriggerMeters::close);
        meters.clear();
    }

}
