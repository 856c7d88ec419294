package dev.ferry.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.TestConfigs;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Config;
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
}
