package dev.ferry.bench.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionPublisher;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.dispatcher.Dispatcher;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import dev.ferry.worker.WorkerContext;
import dev.ferry.worker.WorkerPool;
import java.util.ArrayList;
import java.util.List;

/**
 * Ferry's invocation path as the services run it: the echo function deployed on {@code ferry.functions}, the real
 * {@link Dispatcher}, and a {@link WorkerPool} of the function in a {@link WorkerContext}.
 */
final class FerryStack implements AutoCloseable {

    private final TopicCatalog topics;
    private final FunctionSpec spec;
    private final Dispatcher dispatcher;
    private final WorkerContext context;
    private final WorkerPool pool;
    private final KafkaClients clients;
    private final AvroSerdes serdes;
    private final List<WorkerPool> more = new ArrayList<>();

    FerryStack(FerryConfig config, int partitions, int replicas, int concurrency) {
        this.topics = new TopicCatalog(config);
        this.spec = FunctionSpecs.builder(Invocations.TENANT, Invocations.FUNCTION, Runtime.JAVA, "echo")
                .setPartitions(partitions).setConcurrency(concurrency).setMaxAttempts(1).setMinReplicas(replicas)
                .setMaxReplicas(Math.max(10, replicas)).build();
        this.clients = new KafkaClients(config);
        this.serdes = new AvroSerdes(config);
        Dispatcher started = new Dispatcher(config).start(); // creates the platform topics first
        try (FunctionPublisher publisher = new FunctionPublisher(clients, topics,
                serdes.serializer(FunctionSpec.class))) {
            publisher.deploy(spec);
            this.context = new WorkerContext(config);
            this.pool = new WorkerPool(spec, context, replicas);
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
        this.dispatcher = started;
    }

    TopicCatalog topics() {
        return topics;
    }

    FunctionRef ref() {
        return FunctionSpecs.ref(spec);
    }

    FunctionSpec spec() {
        return spec;
    }

    WorkerPool pool() {
        return pool;
    }

    /**
     * Deploys one more echo function beside the first, served by the same dispatcher, with a pool of its own in
     * the same worker context; closed with the stack.
     */
    WorkerPool deploy(String function, Delivery delivery, int partitions, int replicas, int concurrency) {
        FunctionSpec another = FunctionSpecs.builder(Invocations.TENANT, function, Runtime.JAVA, "echo")
                .setPartitions(partitions).setConcurrency(concurrency).setMaxAttempts(1).setMinReplicas(replicas)
                .setMaxReplicas(Math.max(10, replicas)).setDelivery(delivery).build();
        try (FunctionPublisher publisher = new FunctionPublisher(clients, topics,
                serdes.serializer(FunctionSpec.class))) {
            publisher.deploy(another);
        }
        WorkerPool added = new WorkerPool(another, context, replicas);
        more.add(added);
        return added;
    }

    @Override
    public void close() {
        more.forEach(WorkerPool::close);
        pool.close();
        context.close();
        dispatcher.close();
    }
}
