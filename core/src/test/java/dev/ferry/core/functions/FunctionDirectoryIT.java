package dev.ferry.core.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.TestConfigs;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FunctionDirectoryIT {

    @Test
    void shouldLoadExistingFunctionsThenFollowDeploysAndRemovalsLive(KafkaFixture kafka) {
        FerryConfig config = TestConfigs.isolated(kafka);
        KafkaClients clients = new KafkaClients(config);
        TopicCatalog topics = new TopicCatalog(config);
        AvroSerdes serdes = new AvroSerdes(config);
        FunctionSpec echo = FunctionSpecs.builder("acme", "echo", Runtime.JAVA, "echo").build();
        FunctionSpec sleep = FunctionSpecs.builder("acme", "sleep", Runtime.JAVA, "sleep").setMemoryMb(256).build();

        try (FunctionDirectory first = new FunctionDirectory(clients, topics, serdes.deserializer(FunctionSpec.class))) {
            first.start(); // creates ferry.functions
            try (FunctionPublisher publisher = new FunctionPublisher(clients, topics,
                    serdes.serializer(FunctionSpec.class))) {
                publisher.deploy(echo);
            }
        }

        List<String> events = new CopyOnWriteArrayList<>();
        try (FunctionDirectory directory = new FunctionDirectory(clients, topics, serdes.deserializer(FunctionSpec.class));
                FunctionPublisher publisher = new FunctionPublisher(clients, topics,
                        serdes.serializer(FunctionSpec.class))) {
            directory.start();
            assertThat(directory.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(directory.get(new FunctionRef("acme", "echo"))).contains(echo);
            List<FunctionSpec> before = directory.all();
            assertThat(directory.all()).as("the same answer until the directory changes").isSameAs(before);
            assertThatThrownBy(() -> before.add(sleep)).isInstanceOf(UnsupportedOperationException.class);

            directory.addListener(new FunctionDirectory.Listener() {
                @Override
                public void deployed(FunctionSpec spec) {
                    events.add("deployed " + spec.getName() + " " + spec.getMemoryMb());
                }

                @Override
                public void removed(FunctionRef ref) {
                    events.add("removed " + ref.function());
                }
            });
            publisher.deploy(sleep);
            publisher.deploy(FunctionSpec.newBuilder(sleep).setMemoryMb(512).build());
            publisher.remove(new FunctionRef("acme", "echo"));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events).containsExactly(
                    "deployed echo 128", "deployed sleep 256", "deployed sleep 512", "removed echo"));
            assertThat(directory.all()).extracting(FunctionSpec::getName).containsExactly("sleep");
            assertThat(before).as("an earlier answer is not changed afterwards").containsExactly(echo);
        }
    }

    @Test
    void shouldSkipAnUndecodableSpecAndKeepReading(KafkaFixture kafka) throws Exception {
        FerryConfig config = TestConfigs.isolated(kafka);
        KafkaClients clients = new KafkaClients(config);
        TopicCatalog topics = new TopicCatalog(config);
        AvroSerdes serdes = new AvroSerdes(config);

        try (FunctionDirectory directory = new FunctionDirectory(clients, topics, serdes.deserializer(FunctionSpec.class));
                FunctionPublisher publisher = new FunctionPublisher(clients, topics,
                        serdes.serializer(FunctionSpec.class));
                KafkaProducer<byte[], byte[]> raw = clients.producer("raw", new ByteArraySerializer(),
                        new ByteArraySerializer(), Map.of())) {
            directory.start();
            raw.send(new ProducerRecord<>(topics.functions(), "acme/broken".getBytes(StandardCharsets.UTF_8),
                    new byte[] {9, 9, 9})).get();
            publisher.deploy(FunctionSpecs.builder("acme", "after", Runtime.JAVA, "echo").build());

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> directory.get(new FunctionRef("acme", "after")).isPresent());
            assertThat(directory.get(new FunctionRef("acme", "broken"))).isEmpty();
        }
    }
}
