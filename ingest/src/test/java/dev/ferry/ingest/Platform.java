package dev.ferry.ingest;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.ManagementConfig;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.metrics.ManagementServer;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.dispatcher.Dispatcher;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.worker.WorkerContext;
import dev.ferry.worker.WorkerService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The real pipeline behind a gateway, on the shared test broker with a topic prefix of its own: the dispatcher
 * and a worker service running one replica per deployed function, and the process's management listener (where
 * {@code /metrics} lives, behind {@link #OPERATOR_TOKEN}).
 */
final class Platform implements AutoCloseable {

    /** The management listener's operator token in these tests. */
    static final String OPERATOR_TOKEN = "operator-token";

    final FerryConfig config;
    private final ManagementServer management;
    private final Dispatcher dispatcher;
    private final WorkerContext workers;
    private final FunctionDirectory directory;
    private final WorkerService service;

    private Platform(FerryConfig config) {
        this.config = config;
        this.dispatcher = new Dispatcher(config).start();
        this.workers = new WorkerContext(config);
        this.directory = new FunctionDirectory(new KafkaClients(config), new TopicCatalog(config),
                new AvroSerdes(config).deserializer(FunctionSpec.class)).start();
        directory.awaitCaughtUp(Duration.ofSeconds(30));
        this.service = new WorkerService(workers, directory, 1).start();
        this.management = ManagementServer.start(config.management());
    }

    /** The management listener, as an operator (or anyone on this host) reaches it. */
    HttpApi management() {
        return new HttpApi(management.port());
    }

    /** A configuration of its own (topic prefix, tenants file) for a test class. */
    static FerryConfig config(KafkaFixture kafka, Path tenantsFile) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl());
        settings.put(FerryConfig.TOPIC_PREFIX, "t" + UUID.randomUUID().toString().substring(0, 8) + ".");
        settings.put("topic.partitions", 3);
        settings.put("worker.retry.backoff.ms", 100L);
        settings.put("worker.retry.backoff.max.ms", 200L);
        settings.put("gateway.port", 0);
        settings.put("gateway.tenants.file", tenantsFile.toString());
        settings.put("gateway.sync.wait.margin.ms", 10_000L);
        settings.put(ManagementConfig.PORT, 0);
        settings.put(ManagementConfig.TOKEN, OPERATOR_TOKEN);
        return new FerryConfig(settings);
    }

    static Platform start(FerryConfig config) {
        return new Platform(config);
    }

    @Override
    public void close() {
        management.close();
        service.close();
        directory.close();
        workers.close();
        dispatcher.close();
    }
}
