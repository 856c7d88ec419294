package dev.ferry.cli.service;

import dev.ferry.autoscaler.AutoscalerService;
import dev.ferry.autoscaler.ScalingView;
import dev.ferry.autoscaler.WorkerPoolResizer;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.ingest.FunctionScaling;
import dev.ferry.ingest.ScalingSource;
import dev.ferry.worker.WorkerService;
import java.util.List;
import java.util.Optional;

/**
 * The autoscaler in this process: with worker pools here too it resizes them directly (the in-process actuator);
 * otherwise it publishes decisions for whatever actuator {@code autoscaler.actuator} names.
 */
final class Autoscaling implements AutoCloseable {

    private final AutoscalerService service;
    private final WorkerPoolResizer resizer;

    private Autoscaling(AutoscalerService service, WorkerPoolResizer resizer) {
        this.service = service;
        this.resizer = resizer;
    }

    static Autoscaling start(FerryConfig config, WorkerService workers) {
        WorkerPoolResizer resizer = workers == null ? null : new WorkerPoolResizer(workers, 200);
        return new Autoscaling(AutoscalerService.create(config, resizer).start(), resizer);
    }

    ScalingSource view() {
        return source(service.view());
    }

    /** For a gateway without an autoscaler in its process: follows ferry.scaling and ferry.lag itself. */
    static ScalingSource readOnlyView(FerryConfig config) {
        return source(ScalingView.follow(config));
    }

    private static ScalingSource source(ScalingView view) {
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
