package dev.ferry.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.registry.RestSchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tester 14A, finding 10: every function ever called left its subject {@code ferry.work.<tenant>.<function>-value}
 * in the registry. Deleting the function soft-deletes it; the records left on its work topic stay readable by id, and
 * a function created again under the name registers it again at its first call.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WorkSubjectIT {

    @Test
    void shouldSoftDeleteTheWorkSubjectOfADeletedFunctionAndRegisterItAgainWhenTheNameComesBack(KafkaFixture kafka)
            throws Exception {
        try (Harness h = new Harness(kafka)) {
            h.dispatcher().start();
            FunctionRef ref = new FunctionRef("acme", "tmpfn");
            String work = h.topics.work(ref);
            String subject = work + "-value";
            SchemaRegistryClient registry = h.serdes.registry();
            h.deploy(FunctionSpecs.builder("acme", "tmpfn", Runtime.JAVA, "echo").setPartitions(1).build());
            h.invoke(Requests.request("acme", "tmpfn").build());
            ConsumerRecord<byte[], byte[]> queued = h.read(work, 1).get(0);
            assertThat(registry.subjects()).contains(subject);

            h.remove(ref);

            await().atMost(Duration.ofSeconds(30)).until(() -> !registry.subjects().contains(subject));
            // Soft, not permanent: what is still queued on the kept topic is read by its schema id, by a client that
            // never saw it (no cache).
            int id = ByteBuffer.wrap(queued.value(), 1, 4).getInt();
            SchemaRegistryClient fresh = RestSchemaRegistryClient.fromConfig(h.config.schemaRegistryProperties());
            assertThat(fresh.getById(id).getFullName()).isEqualTo(InvocationRequest.getClassSchema().getFullName());
            assertThat(h.request(queued).getFunction()).isEqualTo("tmpfn");

            h.deploy(FunctionSpecs.builder("acme", "tmpfn", Runtime.JAVA, "echo").setPartitions(1).build());
            h.invoke(Requests.request("acme", "tmpfn").build());
            h.read(work, 2);
            assertThat(registry.subjects()).as("the dispatcher forgot its cached id: registered again")
                    .contains(subject);
        }
    }
}
