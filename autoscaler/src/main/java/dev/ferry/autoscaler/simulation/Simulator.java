package dev.ferry.autoscaler.simulation;

import dev.ferry.autoscaler.PredictivePolicy;
import dev.ferry.autoscaler.ScalingController;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.time.Duration;
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

    /** Ferry with its defaults: predictive policy, 30 s stabilization, 60 s idle period. */
    static SimulatedScaler ferry() {
        return new FerryScaler(function(), new PredictivePolicy(STARTUP), new ScalingController.Settings(
                Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(30), 100));
    }

    static SimulatedScaler keda() {
        return new KedaBaseline(TARGET_LAG, PARTITIONS, MAX_REPLICAS);
    }

    public static SimulationResult run(Trace trace, SimulatedScaler scaler) {
        QueueModel model = new QueueModel(PER_REPLICA_RATE, STARTUP.toSeconds());
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
                long lag = (long) Math.ceil(model.backlog() + serviceRate / PER_REPLICA_RATE - 1e-9);
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
