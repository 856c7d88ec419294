package dev.ferry.autoscaler.simulation;

import dev.ferry.autoscaler.PredictivePolicy;
import dev.ferry.autoscaler.RateAwarePolicy;
import dev.ferry.autoscaler.RunTimes;
import dev.ferry.autoscaler.ScalingController;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a trace through the {@link QueueModel} under one scaler. Time advances in quarter seconds; scalers observe
 * the group every second (each applies its own polling interval). The function under test is a {@code QUEUE}
 * function with 6 partitions, 0 to 20 replicas, a target lag of 10 per replica, each replica completing 10
 * records/s and taking 10 s to start.
 */
public final class Simulator {

    public static final double PER_REPLICA_RATE = 10;
    public static final Duration STARTUP = Duration.ofSeconds(10);
    public static final int PARTITIONS = 6;
    public static final int MAX_REPLICAS = 20;
    public static final int TARGET_LAG = 10;
    private static final int STEPS_PER_SECOND = 4;

    /** Both scalers on one trace. */
    public record Comparison(Trace trace, SimulationResult ferry, SimulationResult keda) {

        /** The goal: at most half of KEDA's lag-seconds, at no more replica-seconds. */
        public boolean ferryWins() {
            return ferry.lagSeconds() <= keda.lagSeconds() / 2 && ferry.replicaSeconds() <= keda.replicaSeconds();
        }
    }

    private Simulator() {
    }

    public static List<Comparison> compareAll() {
        List<Comparison> comparisons = new ArrayList<>();
        for (Trace trace : Trace.all()) {
            comparisons.add(new Comparison(trace, run(trace, ferry()), run(trace, keda())));
        }
        return comparisons;
    }

    /** The function every trace runs against. */
    public static FunctionSpec function() {
        return FunctionSpecs.builder("sim", "function", Runtime.JAVA, "sleep").setDelivery(Delivery.QUEUE)
                .setPartitions(PARTITIONS).setMinReplicas(0).setMaxReplicas(MAX_REPLICAS)
                .setTargetLagPerReplica(TARGET_LAG).setTimeoutMs(1_000).build();
    }

    /**
     * Ferry with its defaults: predictive policy, 30 s stabilization, 60 s idle period, and, as
     * {@code AutoscalerService} gives it from {@code ferry.results}, the function's run time (100 ms: a replica's 10
     * records/s at concurrency 1) for the throughput model until busy samples teach the measured rate.
     */
    static SimulatedScaler ferry() {
        return new FerryScaler(function(), withRunTime(new PredictivePolicy(STARTUP), function(),
                1_000 / PER_REPLICA_RATE), new ScalingController.Settings(
                Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(30), 100));
    }

    /** {@code policy} knowing {@code function}'s mean run time, as the service tells it from the results. */
    static PredictivePolicy withRunTime(PredictivePolicy policy, FunctionSpec function, double runMillis) {
        RunTimes runTimes = new RunTimes();
        Instant at = Instant.EPOCH;
        runTimes.observe(InvocationResult.newBuilder().setInvocationId("sim").setTenant(function.getTenant())
                .setFunction(function.getName()).setAttempt(1).setStatus(InvocationStatus.SUCCEEDED)
                .setDurationMicros(Math.round(runMillis * 1000)).setMemoryMb(128).setSubmittedAt(at)
                .setStartedAt(at).setFinishedAt(at).build());
        policy.useRunTimes(runTimes);
        return policy;
    }

    /**
     * The real-broker benchmark {@code autoscale-lag-seconds} on simulated time: its step (4/s, 35/s from second 10
     * to 50, 4/s until 120: the benchmark's 30 s after the step plus the 40 s it may go on while a pool is still
     * above its size before the step), its function (QUEUE, 6 partitions, 0..8 replicas, target lag 10, concurrency 1, 100 ms
     * per call) and both scalers with every time window divided by 10, both pools starting at one replica. The
     * benchmark's replicas are in-process and take about {@code startup} to join their group; on a shared machine
     * they serve fewer than the 10 records/s a 100 ms call allows ({@code perReplicaRate}), which the model,
     * knowing only the run time, overstates until busy samples teach the real rate.
     */
    public static Comparison benchmarkTwin(double perReplicaRate, Duration startup) {
        FunctionSpec function = FunctionSpecs.builder("bench", "sleep", Runtime.JAVA, "sleep")
                .setDelivery(Delivery.QUEUE).setPartitions(PARTITIONS).setConcurrency(1).setMinReplicas(0)
                .setMaxReplicas(8).setTargetLagPerReplica(TARGET_LAG).setTimeoutMs(5_000).build();
        Trace step = new Trace("benchmark step", "4/s, 35/s from second 10 to 50, then 4/s", 120,
                t -> t >= 10 && t < 50 ? 35 : 4);
        SimulatedScaler ferry = new FerryScaler(function, withRunTime(new PredictivePolicy(Duration.ofSeconds(1)),
                function, 100), new ScalingController.Settings(Duration.ofSeconds(3), Duration.ofSeconds(6),
                        Duration.ofSeconds(3), 100));
        SimulatedScaler keda = new KedaBaseline(TARGET_LAG, PARTITIONS, 8, 1, 10);
        return new Comparison(step, run(step, ferry, perReplicaRate, startup, 1),
                run(step, keda, perReplicaRate, startup, 1));
    }

    static SimulatedScaler keda() {
        return new KedaBaseline(TARGET_LAG, PARTITIONS, MAX_REPLICAS);
    }

    public static SimulationResult run(Trace trace, SimulatedScaler scaler) {
        return run(trace, scaler, PER_REPLICA_RATE, STARTUP, 0);
    }

    /**
     * A trace through a queue whose replicas serve {@code perReplicaRate} records/s and take {@code startup} to
     * start, {@code initial} replicas asked for at the start.
     */
    static SimulationResult run(Trace trace, SimulatedScaler scaler, double perReplicaRate, Duration startup,
            int initial) {
        QueueModel model = new QueueModel(perReplicaRate, startup.toMillis() / 1000.0,
                RateAwarePolicy.REGROUP.toMillis() / 1000.0, PARTITIONS);
        model.resize(initial, 0);
        double dt = 1.0 / STEPS_PER_SECOND;
        double[] arrivals = new double[trace.seconds()];
        int[] replicas = new int[trace.seconds()];
        double[] backlog = new double[trace.seconds()];
        double replicaSeconds = 0;
        double lagSeconds = 0;
        double arrivedBefore = 0;
        double servedBefore = 0;
        int lastSize = 0;
        int direction = 0;
        int changes = 0;
        for (int i = 0; i < trace.seconds() * STEPS_PER_SECOND; i++) {
            double now = i * dt;
            if (i % STEPS_PER_SECOND == 0) {
                double arrivalRate = model.arrivedTotal() - arrivedBefore;
                double serviceRate = model.servedTotal() - servedBefore;
                arrivedBefore = model.arrivedTotal();
                servedBefore = model.servedTotal();
                // Kafka counts a record as lag until it is committed: those in service too.
                long lag = (long) Math.ceil(model.backlog() + serviceRate / perReplicaRate - 1e-9);
                int size = scaler.observe(new Observation(now, lag, arrivalRate, serviceRate, model.ready()));
                model.resize(size, now);
                int turn = Integer.signum(size - lastSize);
                if (turn != 0) {
                    changes += direction != 0 && turn != direction ? 1 : 0;
                    direction = turn;
                }
                lastSize = size;
                int second = i / STEPS_PER_SECOND;
                arrivals[second] = trace.at(now);
                replicas[second] = model.allocated();
                backlog[second] = model.backlog();
            }
            model.step(now, dt, trace.at(now) * dt);
            replicaSeconds += model.allocated() * dt;
            lagSeconds += model.backlog() * dt;
        }
        return new SimulationResult(trace.name(), scaler.name(), replicaSeconds, lagSeconds, model.p99Delay(),
                changes, arrivals, replicas, backlog);
    }
}
