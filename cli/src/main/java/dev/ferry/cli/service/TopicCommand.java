package dev.ferry.cli.service;

import dev.ferry.cli.CliException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.topics.TopicSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.internals.Topic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry topic create}: makes a topic of the user's own, for a trigger to read, on the cluster Ferry runs on
 * ({@code --bootstrap-servers}, {@code localhost:9092} by default, which is {@code ferry dev}'s broker). A tester with
 * only kcat could not follow the triggers walkthrough: kcat cannot create topics, and the embedded broker does not
 * create them on first write. Replication is the platform's ({@code topic.replication.factor}, capped by the
 * brokers); an existing topic is left as it is.
 */
@Command(name = "topic", mixinStandardHelpOptions = true,
        description = "Create a topic of your own (for a trigger's source) on Ferry's Kafka cluster.",
        subcommands = TopicCommand.Create.class)
public final class TopicCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code ferry topic create NAME [--partitions N]}. */
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic if it does not exist.")
    static final class Create implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ConnectionOptions connection;

        @Parameters(index = "0", paramLabel = "NAME", description = "The topic's name.")
        String name;

        @Option(names = "--partitions", defaultValue = "3", description = "Partitions (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Override
        public Integer call() throws Exception {
            FerryConfig config = connection.toConfig(Map.of(FerryConfig.BOOTSTRAP_SERVERS, "localhost:9092"));
            TopicCatalog catalog = new TopicCatalog(config);
            try {
                Topic.validate(name);
            } catch (RuntimeException e) {
                throw new CliException("'" + name + "' is not a legal Kafka topic name: " + e.getMessage(), 2);
            }
            Optional<String> reserved = catalog.reservation(name);
            if (reserved.isPresent()) {
                throw new CliException("'" + name + "' is " + reserved.get()
                        + ": Ferry and Kafka create such topics themselves", 2);
            }
            if (partitions < 1) {
                throw new CliException("--partitions must be at least 1, got " + partitions, 2);
            }
            try (Admin admin = new KafkaClients(config).admin("ferry-topic-command")) {
                boolean existed = admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(name);
                new TopicProvisioner(admin).createIfMissing(List.of(new TopicSpec(name, partitions,
                        config.topics().replicationFactor(), Map.of(), config.topics().minInsyncReplicas())));
                int actual = admin.describeTopics(List.of(name)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(name).partitions().size();
                spec.commandLine().getOut().printf("%s topic %s (%d partitions)%n", existed ? "kept existing"
                        : "created", name, actual);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new CliException("Kafka at " + config.bootstrapServers() + " did not answer in "
                        + Duration.ofSeconds(30).toSeconds() + " s", 1);
            }
            return 0;
        }
    }
}
