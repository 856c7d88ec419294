package dev.ferry.bench.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.functions.FunctionPublisher;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerDirectory;
import dev.ferry.core.triggers.TriggerPublisher;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.worker.TriggerService;
import dev.ferry.worker.WorkerContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;

/**
 * Ferry's side of {@code trigger-throughput}, as a worker process runs triggers: the built-in {@code echo} (JAVA)
 * deployed with its defaults through {@link FunctionPublisher}, and the real {@link TriggerService} in a
 * {@link WorkerContext}, following the function and trigger directories with one replica per trigger (against
 * Streams' one stream thread). Each copy is a trigger published with {@link TriggerPublisher} as a user would
 * create it: {@code ordering PARTITION}, {@code format JSON} (the records are JSON: the output keeps
 * {@code application/json}, and a filter could be added), {@code batchSize 1} (the default; echo answers one
 * record with one output), {@code startingPosition EARLIEST}, and a destination. Stopping a copy deletes the
 * trigger and waits until its pool is gone.
 */
final class TriggerMover implements RecordMover {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    static final int REPLICAS = 1;

    private final TopicCatalog topics;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private TriggerPublisher triggerPublisher;
    private TriggerService service;

    private TriggerMover(FerryConfig config) {
        this.topics = new TopicCatalog(config);
    }

    /** Deploys echo and starts the trigger runtime; creates the platform topics first. */
    static TriggerMover start(FerryConfig config) throws Exception {
        TriggerMover mover = new TriggerMover(config);
        try {
            mover.open(config);
            return mover;
        } catch (Exception | Error e) {
            mover.close();
            throw e;
        }
    }

    private void open(FerryConfig config) {
        KafkaClients clients = new KafkaClients(config);
        AvroSerdes serdes = new AvroSerdes(config);
        try (Admin admin = clients.admin("bench-trigger-setup")) {
            new TopicProvisioner(admin).ensure(topics.platformTopics());
        }
        try (FunctionPublisher functions = new FunctionPublisher(clients, topics,
                serdes.serializer(FunctionSpec.class))) {
            functions.deploy(FunctionSpecs.builder(Invocations.TENANT, Invocations.FUNCTION, Runtime.JAVA, "echo")
                    .build());
        }
        FunctionDirectory functions = add(new FunctionDirectory(clients, topics,
                serdes.deserializer(FunctionSpec.class)).start());
        TriggerDirectory triggers = add(new TriggerDirectory(clients, topics,
                serdes.deserializer(TriggerSpec.class)).start());
        if (!functions.awaitCaughtUp(PATIENCE) || !triggers.awaitCaughtUp(PATIENCE)) {
            throw new FerryException("The function and trigger directories did not catch up within "
                    + PATIENCE.toSeconds() + " s");
        }
        WorkerContext context = add(new WorkerContext(config));
        triggerPublisher = add(new TriggerPublisher(clients, topics, serdes.serializer(TriggerSpec.class)));
        service = add(new TriggerService(context, functions, triggers, REPLICAS));
        service.start();
    }

    private <T extends AutoCloseable> T add(T closeable) {
        closeables.add(0, closeable); // closed in reverse order of opening
        return closeable;
    }

    @Override
    public String label() {
        return "Ferry";
    }

    @Override
    public Moving start(String source, String destination, String run) {
        TriggerSpec spec = TriggerSpecs.builder(Invocations.TENANT, run, Invocations.FUNCTION, List.of(source))
                .setStartingPosition(StartingPosition.EARLIEST)
                .setFormat(RecordFormat.JSON)
                .setBatchSize(1)
                .setOrdering(TriggerOrdering.PARTITION)
                .setDestination(destination)
                .build();
        List<String> errors = TriggerSpecs.validate(spec, topics);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Invalid trigger " + run + ": " + errors);
        }
        TriggerRef ref = TriggerSpecs.ref(spec);
        triggerPublisher.put(spec);
        String group = TriggerSpecs.group(spec, topics);
        return new Moving() {
            @Override
            public String group() {
                return group;
            }

            @Override
            public void close() throws InterruptedException {
                triggerPublisher.remove(ref);
                long deadline = System.nanoTime() + PATIENCE.toNanos();
                while (service.pool(ref).isPresent()) {
                    if (System.nanoTime() > deadline) {
                        throw new FerryException("The pool of trigger " + ref + " was still running "
                                + PATIENCE.toSeconds() + " s after its deletion");
                    }
                    Thread.sleep(20);
                }
            }
        };
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        closeables.clear();
        if (first != null) {
            throw first;
        }
    }
}
