package dev.ferry.autoscaler;

import dev.ferry.autoscaler.internal.Ewma;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.invocation.BilledTime;
import dev.ferry.schemas.InvocationResult;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mean run time {@code T} of each function, from the results on {@code ferry.results}: what the throughput
 * model {@code P = (1/W)·(1/T)} needs so that a policy knows a replica's speed before it has seen the replica busy
 * (issue 17). Only attempts that ran count ({@link BilledTime#ran}); their {@code durationMicros} feed an
 * exponentially weighted mean ({@link #ALPHA}), so T follows a function whose run time changes.
 *
 * <p>The {@link AutoscalerService} follows {@code ferry.results} from its end into one instance and hands it to
 * the policy; tests feed it directly. Thread-safe: results arrive on the follower's thread, policies read on theirs.
 */
public final class RunTimes {

    /** Weight of the newest result: about the last 20 results dominate the mean. */
    static final double ALPHA = 0.1;

    private final Map<FunctionRef, Ewma> means = new ConcurrentHashMap<>();

    /** Takes one result into its function's mean; results of attempts that never ran are ignored. */
    public void observe(InvocationResult result) {
        if (!BilledTime.ran(result) || result.getDurationMicros() <= 0) {
            return;
        }
        Ewma mean = means.computeIfAbsent(new FunctionRef(result.getTenant(), result.getFunction()),
                r -> new Ewma(ALPHA));
        synchronized (mean) {
            mean.observe(result.getDurationMicros());
        }
    }

    /** The mean run time of {@code ref}'s attempts, microseconds; empty until one ran. */
    public OptionalDouble meanRunMicros(FunctionRef ref) {
        Ewma mean = means.get(ref);
        if (mean == null) {
            return OptionalDouble.empty();
        }
        synchronized (mean) {
            return mean.value();
        }
    }

    /** The function was removed: its run time no longer applies to a function deployed again under its name. */
    public void forget(FunctionRef ref) {
        means.remove(ref);
    }
}
