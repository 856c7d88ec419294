package dev.ferry.autoscaler.internal;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Shares {@code autoscaler.max.total.replicas} among functions when their demand exceeds it. Each function first
 * gets its minimum; the rest goes one replica at a time to the function whose next replica covers the most
 * demand, {@code desired / (allocated + 1)} (the D'Hondt rule), so every function keeps a share in proportion to
 * its need instead of the first-come taking all. The total never exceeds the budget, minimums included.
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
        int left = budget;
        left = distribute(left, claims, allocation, true);
        distribute(left, claims, allocation, false);
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
        return minimums ? claim.min() : Math.max(claim.min(), claim.desired());
    }
}
