package dev.ferry.autoscaler.simulation;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * A fluid queue per partition, records arriving spread evenly over the partitions, served by replicas that each
 * complete {@code perReplicaRate} records/s, where a replica asked for becomes ready only {@code startup} seconds
 * later (pod scheduling, JVM start, group join) and a replica let go stops at once. Every change of the ready
 * replicas (one joining, one let go) is a regroup: the group serves nothing for {@code regroup} seconds while its
 * partitions move, as a real share group barely served for one to three seconds after each change in the
 * real-broker benchmark ({@link dev.ferry.autoscaler.RateAwarePolicy#REGROUP}). Tracks the waiting time of every
 * record, by cohorts of one time step.
 *
 * <p>A replica serves only the partitions its group assigns it, as a share group's (and a consumer group's) member
 * does: with {@code n} ready replicas and {@code P} partitions, each partition goes to {@code ceil(n / P)} members
 * and each member gets {@code floor} or {@code ceil} of {@code ceil(n / P) · P / n} partitions (Kafka 4.3's
 * share-group assignor balances that way; with {@code n < P} it is KIP-848's uniform spread). A replica splits its
 * rate over its partitions that have records, so with 4 replicas on 6 partitions the two holding two partitions
 * carry a third of the load each and fall behind while the other two idle (issue 16: a single FIFO served by
 * {@code n · perReplicaRate} hid that 4 replicas carry no more than 3).
 */
final class QueueModel {

    private record Cohort(double arrivedAt, double amount) {
    }

    private record Served(double delay, double amount) {
    }

    private final double perReplicaRate;
    private final double startup;
    private final double regroup;
    private final int partitions;
    private final List<Deque<Cohort>> queues = new ArrayList<>();
    private final double[] backlogs;
    private final Deque<Double> starting = new ArrayDeque<>(); // ready times of replicas still starting
    private final List<Served> served = new ArrayList<>();
    private int ready;
    /** Until when the group serves nothing: the last change of its ready replicas plus {@code regroup}. */
    private double regroupingUntil = Double.NEGATIVE_INFINITY;
    private double arrivedTotal;
    private double servedTotal;

    /** @param regroup seconds a change of the ready replicas serves nothing; 0 for changes that cost no service */
    QueueModel(double perReplicaRate, double startup, double regroup, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("A queue needs at least one partition: " + partitions);
        }
        this.perReplicaRate = perReplicaRate;
        this.startup = startup;
        this.regroup = regroup;
        this.partitions = partitions;
        this.backlogs = new double[partitions];
        for (int p = 0; p < partitions; p++) {
            queues.add(new ArrayDeque<>());
        }
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
                regroupingUntil = now + regroup;
            }
        }
    }

    /** Advances {@code dt} seconds from {@code now} with {@code arrivals} records arriving in that step. */
    void step(double now, double dt, double arrivals) {
        while (!starting.isEmpty() && starting.peekFirst() <= now) {
            starting.removeFirst();
            ready++;
            regroupingUntil = now + regroup;
        }
        if (arrivals > 0) {
            for (int p = 0; p < partitions; p++) {
                queues.get(p).addLast(new Cohort(now, arrivals / partitions));
                backlogs[p] += arrivals / partitions;
            }
            arrivedTotal += arrivals;
        }
        if (now < regroupingUntil) {
            return;
        }
        for (List<Integer> assigned : assignment(ready)) {
            double capacity = perReplicaRate * dt;
            // Split over the member's partitions with records; what one cannot use goes to the others.
            while (capacity > 1e-12) {
                List<Integer> withRecords = assigned.stream().filter(p -> backlogs[p] > 1e-12).toList();
                if (withRecords.isEmpty()) {
                    break;
                }
                double share = capacity / withRecords.size();
                for (int p : withRecords) {
                    capacity -= share - serve(p, share, now);
                }
            }
        }
    }

    /** Serves up to {@code amount} of partition {@code p}'s records, oldest first; returns what was left over. */
    private double serve(int p, double amount, double now) {
        Deque<Cohort> queue = queues.get(p);
        double capacity = amount;
        while (capacity > 1e-12 && !queue.isEmpty()) {
            Cohort head = queue.removeFirst();
            double take = Math.min(capacity, head.amount());
            served.add(new Served(Math.max(0, now - head.arrivedAt()), take));
            capacity -= take;
            backlogs[p] -= take;
            servedTotal += take;
            if (take < head.amount()) {
                queue.addFirst(new Cohort(head.arrivedAt(), head.amount() - take));
            }
        }
        if (queue.isEmpty()) {
            backlogs[p] = 0;
        }
        return capacity;
    }

    /** The partitions of each of {@code members} members: slot k of {@code ceil(n / P) · P} is partition k mod P. */
    private List<List<Integer>> assignment(int members) {
        List<List<Integer>> byMember = new ArrayList<>();
        for (int m = 0; m < members; m++) {
            byMember.add(new ArrayList<>());
        }
        if (members == 0) {
            return byMember;
        }
        int sharing = (members + partitions - 1) / partitions;
        for (int k = 0; k < sharing * partitions; k++) {
            byMember.get(k % members).add(k % partitions);
        }
        return byMember;
    }

    double backlog() {
        double total = 0;
        for (double b : backlogs) {
            total += b;
        }
        return total;
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
