package dev.ferry.core.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.internals.Topic;
import org.junit.jupiter.api.Test;

class TopicCatalogTest {

    private final TopicCatalog catalog = new TopicCatalog(FerryConfig.defaults());

    @Test
    void shouldUseTheNamesOfDesignWhenThePrefixIsTheDefault() {
        FunctionRef echo = new FunctionRef("default", "echo");
        assertThat(catalog.functions()).isEqualTo("ferry.functions");
        assertThat(catalog.invocations()).isEqualTo("ferry.invocations");
        assertThat(catalog.results()).isEqualTo("ferry.results");
        assertThat(catalog.dlq()).isEqualTo("ferry.dlq");
        assertThat(catalog.lag()).isEqualTo("ferry.lag");
        assertThat(catalog.scaling()).isEqualTo("ferry.scaling");
        assertThat(catalog.usage()).isEqualTo("ferry.usage");
        assertThat(catalog.work(echo)).isEqualTo("ferry.work.default.echo");
        assertThat(catalog.dispatcherGroup()).isEqualTo("ferry-dispatcher");
        assertThat(catalog.workerGroup(echo)).isEqualTo("ferry-worker.default.echo");
        assertThat(catalog.autoscalerGroup()).isEqualTo("ferry-autoscaler");
        assertThat(catalog.meteringApplicationId()).isEqualTo("ferry-metering");
    }

    @Test
    void shouldDeriveEveryNameFromACustomPrefix() {
        TopicCatalog staging = new TopicCatalog(FerryConfig.defaults().with(FerryConfig.TOPIC_PREFIX, "staging.ferry."));
        FunctionRef fn = new FunctionRef("acme", "resize");
        assertThat(staging.work(fn)).isEqualTo("staging.ferry.work.acme.resize");
        assertThat(staging.workerGroup(fn)).isEqualTo("staging.ferry-worker.acme.resize");
        assertThat(staging.parseWork("ferry.work.acme.resize")).isEmpty();
        assertThat(staging.parseWork("staging.ferry.work.acme.resize")).contains(fn);
    }

    @Test
    void shouldAcceptOnlyGatewayReplyTopicsAndTheSharedAsyncTopicAsReplyToWhenAskedByAnyone() {
        assertThat(catalog.replies("gw-1")).isEqualTo("ferry.replies.gw-1");
        assertThat(catalog.isReplyTopic("ferry.replies.gw-1")).isTrue();
        assertThat(catalog.isReplyTopic("ferry.async-results")).isTrue();
        assertThat(catalog.isReplyTopic("ferry.functions")).isFalse();
        assertThat(catalog.isReplyTopic("ferry.replies.")).isFalse();
        assertThat(catalog.isReplyTopic("ferry.replies.a.b")).isFalse();
        assertThat(catalog.isReplyTopic("orders")).isFalse();
        assertThat(catalog.isReplyTopic(null)).isFalse();
        assertThatThrownBy(() -> catalog.replies("Host.Name")).isInstanceOf(IllegalArgumentException.class);
        assertThat(catalog.replyTopic("gw-1").configs()).containsEntry("retention.ms",
                String.valueOf(TopicCatalog.REPLY_RETENTION_MS));
    }

    @Test
    void shouldCompactOnlyTheCatalogTopicsAndLetPayloadTopicsCarrySixMegabytes() {
        Map<String, TopicSpec> specs = catalog.platformTopics().stream()
                .collect(java.util.stream.Collectors.toMap(TopicSpec::name, s -> s));
        assertThat(specs).hasSize(14);
        assertThat(specs.get("ferry.wakeups").configs()).containsEntry("retention.ms", "60000");
        assertThat(specs.get("ferry.quotas").partitions()).isEqualTo(1);
        assertThat(specs.values().stream().filter(TopicSpec::compacted).map(TopicSpec::name))
                .containsExactlyInAnyOrder("ferry.functions", "ferry.scaling", "ferry.triggers",
                        "ferry.trigger-status", "ferry.trigger-topics");
        assertThat(Integer.parseInt(specs.get("ferry.invocations").configs().get("max.message.bytes")))
                .isGreaterThan(6 * 1024 * 1024);
    }

    @Test
    void shouldGiveDeadLettersRetriesAndProducersRoomForAnyPayloadRecordPlusHeadersWhenLimitsAreDerived() {
        FerryConfig config = FerryConfig.defaults();
        Map<String, TopicSpec> specs = catalog.platformTopics().stream()
                .collect(java.util.stream.Collectors.toMap(TopicSpec::name, s -> s));
        int payload = config.topics().maxMessageBytes();
        int copies = payload + 64 * 1024;
        for (String topic : new String[] {"ferry.invocations", "ferry.results"}) {
            assertThat(specs.get(topic).configs()).containsEntry("max.message.bytes", String.valueOf(payload));
        }
        assertThat(catalog.workTopic(new FunctionRef("a", "b"), 1).configs())
                .containsEntry("max.message.bytes", String.valueOf(payload));
        assertThat(specs.get("ferry.dlq").configs()).containsEntry("max.message.bytes", String.valueOf(copies));
        assertThat(catalog.retryTopic(1000).name()).isEqualTo("ferry.retry.1000ms");
        assertThat(catalog.retryTopic(1000).configs()).containsEntry("max.message.bytes", String.valueOf(copies));
        assertThat(new dev.ferry.core.kafka.KafkaClients(config).producerProperties("p", Map.of()))
                .containsEntry("max.request.size", copies);
    }

    @Test
    void shouldStoreTheTopicsUsersReadInACodecEveryClientDecodesWhenCreated() {
        Map<String, TopicSpec> specs = catalog.platformTopics().stream()
                .collect(java.util.stream.Collectors.toMap(TopicSpec::name, s -> s));
        assertThat(catalog.userTopics()).containsExactly("ferry.results", "ferry.dlq", "ferry.usage");
        for (String topic : catalog.userTopics()) {
            assertThat(specs.get(topic).configs()).as(topic).containsEntry("compression.type", "gzip")
                    .containsEntry("compression.gzip.level", "1");
        }
        assertThat(specs.get("ferry.invocations").configs()).doesNotContainKey("compression.type");
        TopicCatalog plain = new TopicCatalog(FerryConfig.defaults().with("topic.user.compression.type", "none"));
        // Topics say "uncompressed" where producers say "none"; a broker refuses "none" as a topic's config.
        assertThat(plain.userTopicConfigs()).isEqualTo(Map.of("compression.type", "uncompressed"));
    }

    @Test
    void shouldAskForTwoInSyncReplicasOnlyWhereTheTopicHasAtLeastThreeReplicas() {
        TopicSpec results = catalog.platformTopics().stream().filter(s -> s.name().equals("ferry.results"))
                .findFirst().orElseThrow();
        assertThat(results.minInsyncReplicas()).isEqualTo((short) 2);
        assertThat(results.configsFor((short) 3)).containsEntry("min.insync.replicas", "2")
                .containsKey("max.message.bytes");
        // 2 of 2 in sync would stop every acks=all write when one broker is down: leave the broker's default.
        assertThat(results.configsFor((short) 2)).doesNotContainKey("min.insync.replicas");
        assertThat(results.configsFor((short) 1)).doesNotContainKey("min.insync.replicas");
        assertThat(catalog.retryTopic(1000).configsFor((short) 3)).containsEntry("min.insync.replicas", "2");
        assertThat(catalog.workTopic(new FunctionRef("acme", "resize"), 4).configsFor((short) 5))
                .containsEntry("min.insync.replicas", "2");
    }

    @Test
    void shouldTakeTheConfiguredMinInsyncReplicas() {
        TopicCatalog strict = new TopicCatalog(FerryConfig.defaults()
                .with(dev.ferry.core.config.TopicConfig.MIN_INSYNC_REPLICAS, 3));
        TopicSpec invocations = strict.platformTopics().get(1);
        assertThat(invocations.configsFor((short) 5)).containsEntry("min.insync.replicas", "3");
        assertThat(invocations.configsFor((short) 3)).doesNotContainKey("min.insync.replicas");
    }

    @Test
    void shouldNotMistakeOtherTopicsForWorkTopics() {
        assertThat(catalog.parseWork("ferry.invocations")).isEmpty();
        assertThat(catalog.parseWork("ferry.work.acme")).isEmpty();
        assertThat(catalog.parseWork("ferry.work.acme.a.b")).isEmpty();
        assertThat(catalog.parseWork(null)).isEmpty();
    }

    @Property
    void shouldDeriveLegalTopicNamesThatParseBackToTheFunction(@ForAll("functions") FunctionRef fn) {
        String topic = catalog.work(fn);
        Topic.validate(topic);
        assertThat(catalog.parseWork(topic)).contains(fn);
        assertThat(catalog.workTopic(fn, 4).partitions()).isEqualTo(4);
    }

    @Provide
    Arbitrary<FunctionRef> functions() {
        Arbitrary<String> name = Combinators.combine(
                        Arbitraries.chars().range('a', 'z').range('0', '9'),
                        Arbitraries.strings().withCharRange('a', 'z').withChars('-').ofMaxLength(62))
                .as((f, r) -> f + r);
        return Combinators.combine(name, name).as(FunctionRef::new);
    }
}
