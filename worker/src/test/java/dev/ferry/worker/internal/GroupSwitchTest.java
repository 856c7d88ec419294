package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.Delivery;
import java.time.Duration;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.Test;

/** Which group a pool can join, and how a replica whose group is of the wrong type waits between tries. */
class GroupSwitchTest {

    @Test
    void shouldLetAQueuePoolJoinOnlyAShareGroupAndAnOrderedPoolAConsumerOrEmptyClassicOne() {
        assertThat(GroupSwitch.fits(GroupType.SHARE, Delivery.QUEUE)).isTrue();
        assertThat(GroupSwitch.fits(GroupType.CONSUMER, Delivery.QUEUE)).isFalse();
        assertThat(GroupSwitch.fits(GroupType.CLASSIC, Delivery.QUEUE)).isFalse();
        assertThat(GroupSwitch.fits(GroupType.CONSUMER, Delivery.ORDERED)).isTrue();
        // An admin offset commit makes a simple classic group, which a KIP-848 member converts when it is empty.
        assertThat(GroupSwitch.fits(GroupType.CLASSIC, Delivery.ORDERED)).isTrue();
        assertThat(GroupSwitch.fits(GroupType.SHARE, Delivery.ORDERED)).isFalse();
    }

    @Test
    void shouldWaitLongerAfterEachFailureInARowUpToHalfAMinute() {
        assertThat(Replica.restartPause(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(Replica.restartPause(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(Replica.restartPause(4)).isEqualTo(Duration.ofSeconds(8));
        assertThat(Replica.restartPause(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Replica.restartPause(1_000)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldTellAGroupOfTheWrongTypeFromOtherFailures() {
        assertThat(Replica.wrongGroupType(new KafkaException("poll failed",
                new GroupIdNotFoundException("Group ferry-worker.default.ordq is not a share group")))).isTrue();
        assertThat(Replica.wrongGroupType(new KafkaException("broker gone"))).isFalse();
    }
}
