package dev.ferry.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.LagSample;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LagViewTest {

    private final FerryConfig config = FerryConfig.defaults();
    private final LagView view = new LagView(new KafkaClients(config), new TopicCatalog(config), null,
            Clock.systemUTC());

    private static LagSample sample(List<Long> partitionLag, String trigger) {
        return LagSample.newBuilder().setTenant("acme").setFunction("enrich").setAt(Instant.EPOCH)
                .setPartitionLag(partitionLag).setTotalLag(partitionLag.stream().mapToLong(Long::longValue).sum())
                .setArrivalRate(0).setServiceRate(0).setReplicas(1).setTrigger(trigger).build();
    }

    /** Issue 14: a trigger's lag is on its source topics; routing to the function's work topic must not see it. */
    @Test
    void shouldKeepTheFunctionsLoadWhenATriggerSampleOfItsFunctionArrives() {
        FunctionRef ref = new FunctionRef("acme", "enrich");
        view.accept(sample(List.of(5L, 0L), null));
        view.accept(sample(List.of(0L, 900L, 900L, 900L), "orders"));
        assertThat(view.load(ref).lag(0)).isEqualTo(5);
        assertThat(view.load(ref).lag(1)).isZero();
    }
}
