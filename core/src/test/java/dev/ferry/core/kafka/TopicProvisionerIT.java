package dev.ferry.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.TestConfigs;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TopicProvisionerIT {

    @Test
    void shouldCreateThePlatformTopicsWithTheirSettingsAndCapReplicationByTheBrokerCount(KafkaFixture kafka)
            throws Exception {
        TopicCatalog topics = new TopicCatalog(TestConfigs.isolated(kafka));
        TopicProvisioner provisioner = new TopicProvisioner(kafka.admin());

        provisioner.ensure(topics.platformTopics());
        provisioner.ensure(topics.platformTopics()); // idempotent

        List<String> names = topics.platformTopics().stream().map(TopicSpec::name).toList();
        Map<String, TopicDescription> described = kafka.admin().describeTopics(names).allTopicNames().get();
        int brokers = kafka.admin().describeCluster().nodes().get().size();
        assertThat(described.get(topics.invocations()).partitions()).hasSize(6)
                .allSatisfy(p -> assertThat(p.replicas()).hasSize(Math.min(3, brokers)));
        ConfigResource functions = new ConfigResource(ConfigResource.Type.TOPIC, topics.functions());
        Config config = kafka.admin().describeConfigs(List.of(functions)).all().get().get(functions);
        assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
    }

    /**
     * A deploy asks about its own topics only: listing every topic of the cluster to learn whether one work topic
     * exists made each of 1,000 deploys list thousands of names.
     */
    @Test
    void shouldCreateAMissingTopicWithoutListingTheClustersTopics(KafkaFixture kafka) throws Exception {
        TopicCatalog topics = new TopicCatalog(TestConfigs.isolated(kafka));
        FunctionRef fn = new FunctionRef("acme", "unlisted");
        AtomicInteger listings = new AtomicInteger();
        try (Admin admin = new ForwardingAdmin(kafka.clientProperties()) {
            @Override
            public ListTopicsResult listTopics(ListTopicsOptions options) {
                listings.incrementAndGet();
                return super.listTopics(options);
            }
        }) {
            TopicProvisioner provisioner = new TopicProvisioner(admin);
            provisioner.ensure(topics.workTopic(fn, 2));
            provisioner.ensure(topics.workTopic(fn, 3));
            provisioner.createIfMissing(List.of(new TopicSpec(topics.work(fn), 1, (short) 1, Map.of()),
                    new TopicSpec(topics.work(fn) + ".user", 1, (short) 1, Map.of())));
        }

        assertThat(listings.get()).as("cluster-wide topic listings").isZero();
        Map<String, TopicDescription> described = kafka.admin().describeTopics(List.of(topics.work(fn),
                topics.work(fn) + ".user")).allTopicNames().get(30, TimeUnit.SECONDS);
        assertThat(described.get(topics.work(fn)).partitions()).hasSize(3);
        assertThat(described.get(topics.work(fn) + ".user").partitions()).hasSize(1);
    }

    @Test
    void shouldGrowAWorkTopicWhenTheFunctionAsksForMorePartitions(KafkaFixture kafka) throws Exception {
        TopicCatalog topics = new TopicCatalog(TestConfigs.isolated(kafka));
        TopicProvisioner provisioner = new TopicProvisioner(kafka.admin());
        FunctionRef fn = new FunctionRef("acme", "resize");

        provisioner.ensure(topics.workTopic(fn, 2));
        provisioner.ensure(topics.workTopic(fn, 4));
        provisioner.ensure(topics.workTopic(fn, 3)); // never shrinks

        TopicDescription work = kafka.admin().describeTopics(List.of(topics.work(fn))).allTopicNames().get()
                .get(topics.work(fn));
        assertThat(work.partitions()).hasSize(4);
    }

    @Test
    void shouldSetTheUserCodecWhenATopicUsersReadExistsWithAnother(KafkaFixture kafka) throws Exception {
        TopicCatalog topics = new TopicCatalog(TestConfigs.isolated(kafka));
        // As an older Ferry created it: every batch as its producer wrote it (lz4, which kafkajs cannot read).
        kafka.admin().createTopics(List.of(new NewTopic(topics.results(), 1, (short) 1)
                .configs(Map.of("compression.type", "producer")))).all().get();

        new TopicProvisioner(kafka.admin()).ensure(topics.platformTopics());

        ConfigResource results = new ConfigResource(ConfigResource.Type.TOPIC, topics.results());
        // A config change reaches the brokers through the metadata log, a moment after the controller took it.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafka.admin()
                .describeConfigs(List.of(results)).all().get().get(results).get("compression.type").value())
                .isEqualTo("gzip"));
    }
}
