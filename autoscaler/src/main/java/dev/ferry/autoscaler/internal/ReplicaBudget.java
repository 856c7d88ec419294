package dev.ferry.autoscaler.internal;

import dev.ferry.core.config.AutoscalerConfig;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Shares {@code autoscaler.max.total.replicas} among functions when their demand exceeds it. Minimums come first, one
 * replica at a time to each function short of its minimum in turn (every pinned function gets its first replica
 * before any gets its second), and together they take at most {@link AutoscalerConfig#reservable} of the budget;
 * the rest goes one replica at a time to the function whose next replica covers the most demand beyond its minimum,
 * {@code (desired - min) / (allocated + 1)} (the D'Hondt rule), so every function keeps a share in proportion to its need
 * instead of the first-come taking all. The total never exceeds the budget, minimums included. Before, minimums were
 * granted in proportion to their size, without a cap: one function deployed with {@code minReplicas} 1000 took the
 * whole budget and left every other function at zero (a tester, session 8).
 */
public final class ReplicaBudget {

    /** One function's demand. {@code key} orders ties, so the outcome does not depend on map order. */
    public record Claim(String key, int min, int desired) {
    }

    private ReplicaBudget() {
    }

    public static Map<String, Integer> allocate(int budget, Collection<Claim> claims) {
        Map<String, Integer> allocation = new HashMap<>();
        long demand = claims.stream().mapToLong(c -> Math.max(c.min(), c.desired())).sum();
        if (demand <= budget) {
            claims.forEach(c -> allocation.put(c.key(), Math.max(c.min(), c.desired())));
            return allocation;
        }
        claims.forEach(c -> allocation.put(c.key(), 0));
        int reservable = AutoscalerConfig.reservable(budget);
        int leftForMinimums = distribute(reservable, claims, allocation, true);
        distribute(budget - reservable + leftForMinimums, claims, allocation, false);
        return allocation;
    }

    private static int distribute(int left, Collection<Claim> claims, Map<String, Integer> allocation,
            boolean minimums) {
        Comparator<Claim> byNeed = Comparator.<Claim>comparingDouble(
                c -> -weight(c, minimums) / (allocation.get(c.key()) + 1.0)).thenComparing(Claim::key);
        PriorityQueue<Claim> queue = new PriorityQueue<>(byNeed);
        claims.stream().filter(c -> allocation.get(c.key()) < cap(c, minimums)).forEach(queue::add);
        while (left > 0 && !queue.isEmpty()) {
            Claim next = queue.poll();
            allocation.merge(next.key(), 1, Integer::sum);
            left--;
            if (allocation.get(next.key()) < cap(next, minimums)) {
                queue.add(next);
            }
        }
        return left;
    }

    private static int cap(Claim claim, boolean minimums) {
        return minimums ? claim.min() : Math.max(claim.min(), claim.desired());
    }

    private static double weight(Claim claim, boolean minimums) {
        // Demand beyond the minimum: a pool whose minimum is its whole demand gets what is left after the others.
        return minimums ? 1 : Math.max(0, claim.desired() - claim.min());
    }
}
