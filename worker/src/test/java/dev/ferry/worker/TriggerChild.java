package dev.ferry.worker;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A worker process for {@link TriggerCrashIT}: one replica of a trigger running {@link EnrichFunction}, until the
 * test kills it. Every incarnation has the same {@code worker.id}, as a restarted worker would.
 * Arguments: bootstrap servers, registry URL, topic prefix, trigger name, source, destination, ordering,
 * concurrency.
 */
public final class TriggerChild {

    private TriggerChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        FerryConfig config = new FerryConfig(Map.of(
                FerryConfig.BOOTSTRAP_SERVERS, args[0],
                FerryConfig.SCHEMA_REGISTRY_URL, args[1],
                FerryConfig.TOPIC_PREFIX, args[2],
                "worker.retry.backoff.ms", 100L,
                "worker.retry.backoff.max.ms", 400L,
                "worker.id", "trigger-child"));
        TriggerSpec spec = spec(args[3], args[4], args[5], TriggerOrdering.valueOf(args[6]));
        WorkerContext context = new WorkerContext(config);
        TriggerPool pool = new TriggerPool(spec, TriggerFixture.enrich("acme", "enrich-crash",
                Integer.parseInt(args[7]), 3), context, 1);
        new CountDownLatch(1).await();
        pool.close();
        context.close();
    }

    static TriggerSpec spec(String name, String source, String destination, TriggerOrdering ordering) {
        return TriggerSpecs.builder("acme", name, "enrich-crash", List.of(source))
                .setStartingPosition(StartingPosition.EARLIEST).setFormat(RecordFormat.JSON).setOrdering(ordering)
                .setDestination(destination).build();
    }
}
