package dev.ferry.bench.internal;

import java.util.List;

/** Every scenario, in the order of {@code BenchOptions.SCENARIOS}. */
public final class Scenarios {

    private Scenarios() {
    }

    public static List<Scenario> all() {
        return List.of(new SerdeScenario(), new PipelineScenario(), new SyncLatencyScenario(), new MeteringScenario(),
                new AutoscaleScenario(), new TriggerThroughputScenario(), new IdleCpuScenario(),
                FirstCallScenario.afterDeploy(), FirstCallScenario.coldStart());
    }
}
