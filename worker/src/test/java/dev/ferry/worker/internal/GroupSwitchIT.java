package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.Delivery;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.clients.admin.ListConsumerGroupsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupsResult;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListGroupsResult;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pool's first start learns whether its group name holds a group of the other type by asking about that group
 * alone: with 1,000 functions, listing every group of the cluster at each pool's start was 1,000 cluster-wide
 * listings. Against the real broker, each kind of group a worker group name can hold.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GroupSwitchIT {

    private static String topic;
    private static String shareGroup;
    private static String consumerGroup;
    private static String classicGroup;
    private static CountingAdmin admin;

    @BeforeAll
    static void groups(KafkaFixture kafka) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        topic = "group-switch-" + id;
        kafka.createTopic(topic, 1);
        shareGroup = "gs-share-" + id;
        consumerGroup = "gs-consumer-" + id;
        classicGroup = "gs-classic-" + id;
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, shareGroup);
        try (KafkaShareConsumer<byte[], byte[]> share = new KafkaShareConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            share.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                share.poll(Duration.ofMillis(100));
                return listed(kafka.admin(), shareGroup);
            });
        }
        props = kafka.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, consumerGroup);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return !consumer.assignment().isEmpty();
            });
            consumer.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0)));
        }
        // What GroupSwitch itself leaves for ORDERED: offsets committed by an admin make a simple classic group.
        kafka.admin().alterConsumerGroupOffsets(classicGroup, Map.of(new TopicPartition(topic, 0),
                new OffsetAndMetadata(0))).all().get(30, TimeUnit.SECONDS);
        admin = new CountingAdmin(kafka.clientProperties());
    }

    @AfterAll
    static void close() {
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    void shouldFindAGroupOfTheOtherTypeWithoutListingTheClustersGroups() {
        assertThat(GroupSwitch.conflicting(admin, consumerGroup, Delivery.QUEUE)).contains(GroupType.CONSUMER);
        assertThat(GroupSwitch.conflicting(admin, classicGroup, Delivery.QUEUE)).contains(GroupType.CLASSIC);
        assertThat(GroupSwitch.conflicting(admin, shareGroup, Delivery.ORDERED)).contains(GroupType.SHARE);

        assertThat(admin.listings.get()).as("cluster-wide group listings").isZero();
    }

    @Test
    void shouldFindNothingToSwitchWhenTheGroupHasTheRightTypeOrDoesNotExist() {
        assertThat(GroupSwitch.conflicting(admin, shareGroup, Delivery.QUEUE)).isEmpty();
        assertThat(GroupSwitch.conflicting(admin, consumerGroup, Delivery.ORDERED)).isEmpty();
        assertThat(GroupSwitch.conflicting(admin, classicGroup, Delivery.ORDERED)).isEmpty();
        assertThat(GroupSwitch.conflicting(admin, "gs-none-" + UUID.randomUUID(), Delivery.QUEUE)).isEmpty();
        assertThat(GroupSwitch.conflicting(admin, "gs-none-" + UUID.randomUUID(), Delivery.ORDERED)).isEmpty();

        assertThat(admin.listings.get()).as("cluster-wide group listings").isZero();
    }

    private static boolean listed(Admin admin, String group) throws Exception {
        return admin.listGroups().all().get(30, TimeUnit.SECONDS).stream()
                .anyMatch(listing -> listing.groupId().equals(group) && listing.type().equals(Optional.of(
                        GroupType.SHARE)));
    }

    /** A real admin client that counts the calls that list every group of the cluster. */
    private static final class CountingAdmin extends ForwardingAdmin {
        final AtomicInteger listings = new AtomicInteger();

        CountingAdmin(Map<String, Object> configs) {
            super(configs);
        }

        @Override
        public ListGroupsResult listGroups(ListGroupsOptions options) {
            listings.incrementAndGet();
            return super.listGroups(options);
        }

        @Override
        public ListConsumerGroupsResult listConsumerGroups(ListConsumerGroupsOptions options) {
            listings.incrementAndGet();
            return super.listConsumerGroups(options);
        }
    }
}
