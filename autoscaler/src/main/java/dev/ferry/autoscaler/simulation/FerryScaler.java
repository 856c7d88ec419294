package dev.ferry.autoscaler.simulation;

import dev.ferry.autoscaler.ScalingController;
import dev.ferry.autoscaler.ScalingPolicy;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Ferry's own {@link ScalingController}, fed a {@link LagSample} every simulated second. */
final class FerryScaler implements SimulatedScaler {

    /** The simulation's clock, moved by the simulator. */
    private static final class SimulatedClock extends Clock {
        private Instant now = Instant.EPOCH;

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final FunctionSpec spec;
    private final SimulatedClock clock = new SimulatedClock();
    private final ScalingController controller;

    FerryScaler(FunctionSpec spec, ScalingPolicy policy, ScalingController.Settings settings) {
        this.spec = spec;
        this.controller = new ScalingController(policy, settings, clock);
    }

    @Override
    public String name() {
        return "Ferry " + controller.policy().name();
    }

    @Override
    public int observe(Observation o) {
        clock.now = Instant.EPOCH.plusMillis(Math.round(o.now() * 1000));
        int partitions = spec.getPartitions();
        List<Long> lags = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            lags.add(o.lag() / partitions + (p < o.lag() % partitions ? 1 : 0));
        }
        LagSample sample = LagSample.newBuilder().setTenant(spec.getTenant()).setFunction(spec.getName())
                .setAt(clock.now).setPartitionLag(lags).setTotalLag(o.lag()).setArrivalRate(o.arrivalRate())
                .setServiceRate(o.serviceRate()).setReplicas(o.members()).build();
        controller.onSample(spec, sample);
        return controller.current(FunctionSpecs.ref(spec)).orElse(0);
    }
}
