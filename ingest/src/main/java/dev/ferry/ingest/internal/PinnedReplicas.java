package dev.ferry.ingest.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.AutoscalerConfig;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.TriggerSpec;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The replicas that {@code minReplicas} pin on the whole platform, as this gateway's directories show them, and the
 * deploy-time refusal of a write that would pin more than minimums may hold
 * ({@link AutoscalerConfig#reservableReplicas}). The budget is the platform's: a cap per tenant let one tenant's
 * idle pinned pools hold it all and another tenant's later {@code minReplicas} 50 be accepted (201) and silently held
 * 9 (a tester, session 9).
 *
 * <p>A function pins its {@code minReplicas} once for its own pool and once more for the pool of each enabled trigger
 * that runs it: a trigger's pool is sized by its function's spec, minimum included (autoscaler's {@code TriggerPools}),
 * and the autoscaler's budget grants each pool's minimum alike. A paused trigger has no pool.
 *
 * <p>An answer says how many replicas are left to reserve and what the caller's own functions pin; never other
 * tenants' names, functions or triggers.
 */
final class PinnedReplicas {

    private final Map<FunctionRef, Integer> pools = new HashMap<>();
    private final Collection<FunctionSpec> functions;

    /**
     * @param skipTrigger a trigger to leave out (the one being written, whose stored version it replaces)
     */
    PinnedReplicas(Collection<FunctionSpec> functions, Collection<TriggerSpec> triggers,
            Predicate<TriggerSpec> skipTrigger) {
        this.functions = functions;
        for (TriggerSpec trigger : triggers) {
            if (trigger.getEnabled() && !skipTrigger.test(trigger)) {
                pools.merge(TriggerSpecs.function(trigger), 1, Integer::sum);
            }
        }
    }

    /** The pools that run {@code function}: its own and one per enabled trigger. */
    int pools(FunctionRef function) {
        return 1 + pools.getOrDefault(function, 0);
    }

    /**
     * Refuses, with 400 {@code code}, to pin {@code adding} more replicas when what the stored functions but
     * {@code replaced} pin leaves fewer to reserve.
     *
     * @param replaced the function whose stored spec the write replaces (its pins are not counted), or null
     * @param what what pins them, for the message, e.g. "minReplicas 3"
     */
    void refuseBeyondReservable(GatewayContext g, String tenant, FunctionRef replaced, long adding, String what,
            String code) {
        if (adding == 0) {
            return;
        }
        long pinned = 0;
        long own = 0;
        for (FunctionSpec function : functions) {
            FunctionRef ref = new FunctionRef(function.getTenant(), function.getName());
            if (ref.equals(replaced)) {
                continue;
            }
            long pins = (long) function.getMinReplicas() * pools(ref);
            pinned += pins;
            if (function.getTenant().equals(tenant)) {
                own += pins;
            }
        }
        int reservable = g.config().autoscaler().reservableReplicas();
        if (pinned + adding > reservable) {
            long left = Math.max(0, reservable - pinned);
            throw new ApiException(400, code, what + " would pin " + adding + " replicas, more than the platform "
                    + "has left to reserve: " + left + " of the " + reservable + " replicas that minimums may hold "
                    + "of the platform's replica budget (" + AutoscalerConfig.MAX_TOTAL_REPLICAS + "="
                    + g.config().autoscaler().maxTotalReplicas() + "; a tenth stays for demand) are not pinned by "
                    + "deployed functions and their triggers" + (own > 0 ? "; this tenant's other functions pin "
                    + own : ""));
        }
    }
}
