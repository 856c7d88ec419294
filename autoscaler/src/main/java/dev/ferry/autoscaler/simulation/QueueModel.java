package dev.ferry.autoscaler.simulation;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * A fluid FIFO queue served by replicas that each complete {@code perReplicaRate} records/s, where a replica asked
 * for becomes ready only {@code startup} seconds later (pod scheduling, JVM start, group join) and a replica let
 * go stops at once. Tracks the waiting time of every record, by cohorts of one time step.
 */
final class QueueModel {

    private record Cohort(double arrivedAt, double amount) {
    }

    private record Served(double delay, double amount) {
    }

    private final double perReplicaRate;
    private final double startup;
    private final Deque<Cohort> queue = new ArrayDeque<>();
    private final Deque<Double> starting = new ArrayDeque<>(); // ready times of replicas still starting
    private final List<Served> served = new ArrayList<>();
    private int ready;
    private double backlog;
    private double arrivedTotal;
    private double servedTotal;

    QueueModel(double perReplicaRate, double startup) {
        this.perReplicaRate = perReplicaRate;
        this.startup = startup;
    }

    /** Sets the desired size: new replicas start, surplus ones stop (starting ones first). */
    void resize(int desired, double now) {
        while (ready + starting.size() < desired) {
            starting.addLast(now + startup);
        }
        while (ready + starting.size() > desired) {
            if (!starting.isEmpty()) {
                starting.removeLast();
            } else {
                ready--;
            }
        }
    }

    /** Advances {@code dt} seconds from {@code now} with {@code arrivals} records arriving in that step. */
    void step(double now, double dt, double arrivals) {
        while (!starting.isEmpty() && starting.peekFirst() <= now) {
            starting.removeFirst();
            ready++;
        }
        if (arrivals > 0) {
            queue.addLast(new Cohort(now, arrivals));
            backlog += arrivals;
            arrivedTotal += arrivals;
        }
        double capacity = ready * perReplicaRate * dt;
        while (capacity > 1e-12 && !queue.isEmpty()) {
            Cohort head = queue.peekFirst();
            double take = Math.min(capacity, head.amount());
            served.add(new Served(Math.max(0, now - head.arrivedAt()), take));
            capacity -= take;
            backlog -= take;
            servedTotal += take;
            queue.removeFirst();
            if (take < head.amount()) {
                queue.addFirst(new Cohort(head.arrivedAt(), head.amount() - take));
            }
        }
        if (queue.isEmpty()) {
            backlog = 0;
        }
    }

    double backlog() {
        return backlog;
    }

    int ready() {
        return ready;
    }

    /** Replicas paid for: ready and starting. */
    int allocated() {
        return ready + starting.size();
    }

    double arrivedTotal() {
        return arrivedTotal;
    }

    double servedTotal() {
        return servedTotal;
    }

    /** The waiting time below which 99 % of served records fall. */
    double p99Delay() {
        List<Served> sorted = new ArrayList<>(served);
        sorted.sort(Comparator.comparingDouble(Served::delay));
        double total = sorted.stream().mapToDouble(Served::amount).sum();
        double seen = 0;
        for (Served s : sorted) {
            seen += s.amount();
            if (seen >= 0.99 * total) {
                return s.delay();
            }
        }
        return 0;
    }
}
