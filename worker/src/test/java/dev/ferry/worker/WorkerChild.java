package dev.ferry.worker;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A worker process for {@link CrashIT}: one replica of the {@code sleep} function, until the test kills it.
 * Arguments: bootstrap servers, registry URL, topic prefix, tenant, function, concurrency, timeoutMs.
 */
public final class WorkerChild {

    private WorkerChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        FerryConfig config = new FerryConfig(Map.of(
                FerryConfig.BOOTSTRAP_SERVERS, args[0],
                FerryConfig.SCHEMA_REGISTRY_URL, args[1],
                FerryConfig.TOPIC_PREFIX, args[2],
                "topic.partitions", 3,
                "worker.retry.backoff.ms", 100L,
                "worker.retry.backoff.max.ms", 400L,
                "worker.id", "child"));
        FunctionSpec spec = CrashIT.spec(args[3], args[4], Integer.parseInt(args[5]), Integer.parseInt(args[6]));
        WorkerContext context = new WorkerContext(config);
        WorkerPool pool = new WorkerPool(spec, context, 1);
        new CountDownLatch(1).await();
        pool.close();
        context.close();
    }

    static FunctionSpec sleepSpec(String tenant, String function, int concurrency, int timeoutMs) {
        return FunctionSpecs.builder(tenant, function, Runtime.JAVA, "sleep").setConcurrency(concurrency)
                .setTimeoutMs(timeoutMs).setPartitions(2).build();
    }
}
