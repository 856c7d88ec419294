package dev.ferry.autoscaler.internal;

import dev.ferry.schemas.LagSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells, from consecutive samples of one function, whether its group is stalled: it has members and lag, but its
 * progress does not move. More replicas do not help a group stuck on a poison record or a hung dependency, so a
 * stall must not drive scale-up forever (KEDA keeps scaling such a group to its maximum).
 *
 * <p>The whole group is stalled when its service rate has been zero for the window. A single partition is stalled
 * when its lag has not changed at all for the window while nothing arrived: a sample carries no per-partition
 * progress, and under a steady load a healthy partition's lag can hold still too (as much in as out). The window
 * is at least the function's timeout, so a slow but healthy invocation is never taken for a stall.
 */
public final class StallDetector {

    /** What the latest sample showed. {@code stalledPartitions} is empty when nothing is stalled. */
    public record Result(boolean groupStalled, long stalledForSeconds, List<Integer> stalledPartitions) {
    }

    private Instant groupSince;
    private final Map<Integer, Long> lastLag = new HashMap<>();
    private final Map<Integer, Instant> partitionSince = new HashMap<>();

    public Result observe(LagSample sample, Duration window, Instant now) {
        boolean hasMembers = sample.getReplicas() > 0;
        boolean noProgress = hasMembers && sample.getTotalLag() > 0 && sample.getServiceRate() <= 0;
        groupSince = noProgress ? (groupSince == null ? now : groupSince) : null;
        boolean groupStalled = groupSince != null && !now.isBefore(groupSince.plus(window));

        List<Integer> stalled = new ArrayList<>();
        List<Long> lags = sample.getPartitionLag();
        for (int p = 0; p < lags.size(); p++) {
            long lag = lags.get(p);
            Long previous = lastLag.put(p, lag);
            if (hasMembers && lag > 0 && previous != null && previous == lag && sample.getArrivalRate() <= 0) {
                Instant since = partitionSince.computeIfAbsent(p, k -> now);
                if (!now.isBefore(since.plus(window))) {
                    stalled.add(p);
                }
            } else {
                partitionSince.remove(p);
            }
        }
        lastLag.keySet().removeIf(p -> p >= lags.size());
        long seconds = groupSince == null ? 0 : Duration.between(groupSince, now).toSeconds();
        return new Result(groupStalled, seconds, List.copyOf(stalled));
    }
}
