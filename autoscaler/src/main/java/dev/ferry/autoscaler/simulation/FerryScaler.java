package dev.ferry.autoscaler.simulation;

import dev.ferry.autoscaler.ScalingController;
import dev.ferry.autoscaler.ScalingPolicy;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Ferry's own {@link ScalingController}, fed a {@link LagSample} every simulated second. */
final class FerryScaler implements SimulatedScaler {

    private final FunctionSpec spec;
    private final SimulatedClock clock = new SimulatedClock(Instant.EPOCH);
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
        clock.set(Instant.EPOCH.plusMillis(Math.round(o.now() * 1000)));
        int partitions = spec.getPartitions();
        List<Long> lags = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            lags.add(o.lag() / partitions + (p < o.lag() % partitions ? 1 : 0));
        }
        LagSample sample = LagSample.newBuilder().setTenant(spec.getTenant()).setFunction(spec.getName())
                .setAt(clock.instant()).setPartitionLag(lags).setTotalLag(o.lag()).setArrivalRate(o.arrivalRate())
                .setServiceRate(o.serviceRate()).setReplicas(o.members()).build();
        controller.onSample(spec, sample);
        return controller.current(FunctionSpecs.ref(spec)).orElse(0);
    }
}
