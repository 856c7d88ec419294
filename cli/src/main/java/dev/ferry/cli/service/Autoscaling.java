package dev.ferry.cli.service;

import dev.ferry.autoscaler.AutoscalerService;
import dev.ferry.autoscaler.ScalingView;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.ingest.FunctionScaling;
import dev.ferry.ingest.ScalingSource;
import dev.ferry.worker.TriggerService;
import dev.ferry.worker.WorkerService;
import java.util.List;
import java.util.Optional;

/**
 * The autoscaler in this process: with worker pools here too it resizes them directly (the in-process actuator),
 * and the trigger pools of this process's {@link TriggerService} when one is given (issue 14); otherwise it
 * publishes decisions for whatever actuator {@code autoscaler.actuator} names.
 */
final class Autoscaling implements AutoCloseable {

    private final AutoscalerService service;
    private final WorkerPoolResizer resizer;

    private Autoscaling(AutoscalerService service, WorkerPoolResizer resizer) {
        this.service = service;
        this.resizer = resizer;
    }

    /**
     * @param workers this process's worker pools; {@code null} publishes decisions only
     * @param triggers this process's trigger pools; {@code null} when none run here
     */
    static Autoscaling start(FerryRuntime runtime, WorkerService workers, TriggerService triggers) {
        WorkerPoolResizer resizer = workers == null ? null : new WorkerPoolResizer(workers, triggers, 200);
        return new Autoscaling(AutoscalerService.create(runtime, resizer).start(), resizer);
    }

    ScalingSource view() {
        return source(service.view());
    }

    /** Ready while the autoscaler's function directory and actuator follow their topics. */
    ReadinessCheck readiness() {
        return service.readiness();
    }

    /** The gateway's scaling answers from {@code view} (for a gateway without an autoscaler in its process). */
    static ScalingSource source(ScalingView view) {
        return new ScalingSource() {
            @Override
            public Optional<FunctionScaling> function(FunctionRef ref) {
                return view.get(ref).map(Autoscaling::toGateway);
            }

            @Override
            public List<FunctionScaling> tenant(String tenant) {
                return view.ofTenant(tenant).stream().map(Autoscaling::toGateway).toList();
            }
        };
    }

    private static FunctionScaling toGateway(ScalingView.FunctionScaling s) {
        return new FunctionScaling(s.function(), s.replicas(), s.desired(), s.lag());
    }

    @Override
    public void close() {
        service.close();
        if (resizer != null) {
            resizer.close();
        }
    }
}
