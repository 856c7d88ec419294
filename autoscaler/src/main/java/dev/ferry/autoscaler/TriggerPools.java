package dev.ferry.autoscaler;

import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;

/**
 * How a trigger's pool is sized (issue 14; DESIGN "Triggers": "a trigger's pool is sized by the autoscaler from
 * the lag of its group on the source topics"): exactly as its function's own pool, by the function's
 * {@code minReplicas}, {@code maxReplicas}, {@code targetLagPerReplica}, {@code concurrency} and run time, with the
 * ceiling that its group's kind sets:
 * <ul>
 *   <li>{@code PARTITION} and {@code KEY}: a consumer group gives each source partition to one member, so at most
 *       the partition count of all the source topics (a member beyond it idles), and one partition's backlog keeps
 *       only one member busy. That is what the policies already do for an {@code ORDERED} function.</li>
 *   <li>{@code NONE}: a share group hands out records, not partitions: no such ceiling, as for a {@code QUEUE}
 *       function.</li>
 * </ul>
 * So the policies need nothing of triggers: they get the function's spec with the delivery of the group's kind and
 * the source partitions, and a sample that names the trigger (for the history they keep and the reason they give).
 */
public final class TriggerPools {

    private TriggerPools() {
    }

    /**
     * The spec a policy sizes {@code trigger}'s pool by: {@code function}'s, with {@code delivery} {@code ORDERED}
     * for ordering {@code PARTITION} and {@code KEY} ({@code QUEUE} for {@code NONE}) and {@code partitions} the
     * source partitions counted in the latest sample.
     *
     * @param sourcePartitions the partitions of the trigger's source topics, all of them (at least 1 is used)
     */
    public static FunctionSpec poolSpec(FunctionSpec function, TriggerSpec trigger, int sourcePartitions) {
        return FunctionSpec.newBuilder(function)
                .setDelivery(trigger.getOrdering() == TriggerOrdering.NONE ? Delivery.QUEUE : Delivery.ORDERED)
                .setPartitions(Math.max(1, sourcePartitions))
                .build();
    }
}
