package dev.ferry.autoscaler;

import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import java.time.Duration;
import java.util.Optional;

/**
 * Reactive, and at least enough replicas to keep up with the current arrival rate and clear the backlog within
 * a drain time besides ({@link #DRAIN} unless a subclass says otherwise):
 * {@code ceil((arrivalRate + (totalLag - replicas) / drain) / perReplicaRate)}, where a replica's rate is
 * learned from history or, until enough busy samples teach it, given by the throughput model (see
 * {@link AbstractScalingPolicy#perReplicaRate}). It scales before lag piles up, and keeps a steady load served
 * without the backlog a lag-only rule needs to hold its size. Only the replicas that carry the arrival rate over
 * the pool's partitions ({@link AbstractScalingPolicy#replicasFor(double, double, int)}: with fewer members than
 * partitions, those holding the most set the pace) are sustained, and the answer is never below them.
 *
 * <p>Replicas beyond what carries the arrival rate only drain a backlog, and every change of a group's members
 * costs service: while partitions move between members the group delivers little or nothing ({@link #REGROUP}), and
 * replicas asked for now serve only after they start. So once a replica's speed is known, the answer is the size,
 * from the one that must serve anyway ({@code max(sizeInForce, sustained)}) up to the rule's, that drains the
 * backlog soonest, counting for each size: the start-up time (during which the size in force keeps serving), one
 * regroup for the change, and one more for releasing replicas that only drain. A pool that drains its backlog on
 * its own within that time keeps its size (issue 16: the real-broker benchmark's pool went 6 → 8 → 6 → 8 within
 * a step at a steady 35/s, every change a second or more of no service and new backlog).
 */
public class RateAwarePolicy extends ReactivePolicy {

    public static final String NAME = "rate-aware";
    /**
     * How soon a backlog should be gone on top of keeping up. Without a drain term a pool sized exactly to the
     * arrival rate keeps whatever backlog it has forever (as much in as out).
     */
    public static final Duration DRAIN = Duration.ofSeconds(10);
    /**
     * How long a change of a group's members delivers next to nothing: measured on the embedded broker with share
     * groups of up to 8 members on 6 partitions (the benchmark's {@code autoscale-lag-seconds}, sessions 13 and 14),
     * from one to three seconds after each change; consumer groups (KIP-848) move partitions in the same
     * heartbeats.
     */
    public static final Duration REGROUP = Duration.ofSeconds(2);

    private final double drainSeconds;
    private final double startupSeconds;

    public RateAwarePolicy() {
        this(NAME, DRAIN, DRAIN);
    }

    /**
     * @param drain how soon a backlog should be gone on top of keeping up; at least a millisecond
     * @param startup how long a replica asked for now takes to serve (a regroup comes on top)
     */
    protected RateAwarePolicy(String name, Duration drain, Duration startup) {
        super(name);
        this.drainSeconds = Math.max(1, drain.toMillis()) / 1000.0;
        this.startupSeconds = Math.max(0, startup.toMillis()) / 1000.0;
    }

    /**
     * Once a replica's speed is known, only the arrival-rate part is sustained: the lag part drains a backlog and is
     * released when it is gone. Before that, the whole lag answer is held, as the reactive policy does.
     */
    @Override
    protected Recommendation need(FunctionSpec spec, LagSample sample, FunctionHistory history, int sizeInForce) {
        Recommendation byLag = super.need(spec, sample, history, sizeInForce);
        Optional<PerReplicaRate> perReplica = perReplicaRate(spec, history);
        if (perReplica.isEmpty()) {
            return byLag;
        }
        double perSecond = perReplica.get().perSecond();
        int partitions = partitions(spec, sample);
        double arrival = sample.getArrivalRate();
        int sustained = replicasFor(arrival, perSecond, partitions);
        // A record in a replica's hands counts as lag until committed, but needs no extra replica: drain the rest.
        long waiting = Math.max(0, sample.getTotalLag() - sample.getReplicas());
        double drain = waiting / drainSeconds;
        // While a backlog stands on the partitions every member has records of its own, so all of them work it
        // off: the drain needs n replicas' worth of rate, and never fewer than keep up once it is gone.
        int byRate = Math.max(sustained, replicasFor(arrival + drain, perSecond));
        String rate = "(arrival " + format(arrival) + "/s + lag drain " + format(drain) + "/s) / "
                + format(perSecond) + "/s per replica = " + byRate + perReplica.get().note();
        Recommendation rule = byRate > byLag.replicas()
                ? new Recommendation(byRate, sustained, rate + " (" + byLag.reason() + ")")
                : new Recommendation(byLag.replicas(), Math.min(sustained, byLag.replicas()),
                        byLag.reason() + "; " + rate);
        return soonestDrained(rule, ceiling(spec, sample), sizeInForce, sustained, waiting, arrival, perSecond,
                partitions);
    }

    /**
     * Of the sizes from {@code max(sizeInForce, sustained)} up to {@code rule}'s (within {@code ceiling}), the
     * smallest that drains {@code waiting} soonest with the costs of changing counted (see the class doc);
     * {@code rule} itself when it asks for no more than that base, or when its size, bounded, is the soonest.
     */
    private Recommendation soonestDrained(Recommendation rule, int ceiling, int sizeInForce, int sustained,
            long waiting, double arrival, double perSecond, int partitions) {
        int base = Math.max(sizeInForce, sustained);
        int top = Math.min(rule.replicas(), Math.max(ceiling, base));
        if (top <= base) {
            return rule;
        }
        int best = base;
        double bestSeconds = drainSeconds(base, sizeInForce, base, waiting, arrival, perSecond, partitions);
        for (int n = base + 1; n <= top; n++) {
            double seconds = drainSeconds(n, sizeInForce, base, waiting, arrival, perSecond, partitions);
            if (seconds < bestSeconds) {
                best = n;
                bestSeconds = seconds;
            }
        }
        if (best == top) {
            return rule;
        }
        double topSeconds = drainSeconds(top, sizeInForce, base, waiting, arrival, perSecond, partitions);
        String why = best == sizeInForce
                ? "; holding " + best + ": it drains the backlog in " + seconds(bestSeconds)
                : "; " + best + " drains the backlog in " + seconds(bestSeconds);
        return new Recommendation(best, Math.min(rule.sustained(), best), rule.reason() + why + ", " + top + " in "
                + seconds(topSeconds) + " with its start-up and regroups (" + format(REGROUP.toMillis() / 1000.0)
                + " s each)");
    }

    /**
     * When a pool resized from {@code sizeInForce} to {@code size} has no backlog left, in seconds from now (infinite
     * when it cannot outrun the arrivals): at once from the size in force; otherwise the start-up with the size in
     * force serving, a regroup with nothing served, then the new size; and a regroup more for sizes above
     * {@code base}, whose extra replicas are released once the backlog is gone.
     */
    private double drainSeconds(int size, int sizeInForce, int base, long waiting, double arrival, double perSecond,
            int partitions) {
        double regroup = REGROUP.toMillis() / 1000.0;
        double carried = groupRate(size, perSecond, partitions) - arrival;
        if (carried <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (size == sizeInForce) {
            return waiting / carried;
        }
        double servedMeanwhile = (groupRate(sizeInForce, perSecond, partitions) - arrival) * startupSeconds;
        double left = Math.max(0, waiting - servedMeanwhile) + arrival * regroup;
        return startupSeconds + regroup + left / carried + (size > base ? regroup : 0);
    }

    private static String seconds(double value) {
        return Double.isInfinite(value) ? "never" : format(value) + " s";
    }
}
