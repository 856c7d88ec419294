package dev.ferry.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.testing.InMemorySchemaRegistry;
import dev.ferry.schemas.testing.Records;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SerdeConcurrencyTest {

    private static final int THREADS = 4;
    private static final int RECORDS_PER_THREAD = 500;

    @Test
    @Timeout(20)
    void shouldRoundTripEveryRecordWhenThreadsShareOneSerde() throws Exception {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        FerryAvroSerializer<SpecificRecord> serializer = new FerryAvroSerializer<>(registry);
        FerryAvroDeserializer<SpecificRecord> deserializer = new FerryAvroDeserializer<>(registry);
        deserializer.configure(Map.of(FerryAvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, true), false);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> mismatches = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                mismatches.add(pool.submit(roundTrips(serializer, deserializer, start)));
            }
            start.countDown();

            for (Future<Integer> result : mismatches) {
                assertThat(result.get(15, TimeUnit.SECONDS)).isZero();
            }
            // Four schemas, each registered and fetched once; a race on a first record may cost a
            // duplicate call, never one per record.
            assertThat(registry.calls()).isLessThanOrEqualTo(4 * THREADS * 2);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Callable<Integer> roundTrips(FerryAvroSerializer<SpecificRecord> serializer,
                                                FerryAvroDeserializer<SpecificRecord> deserializer,
                                                CountDownLatch start) {
        return () -> {
            start.await();
            int mismatches = 0;
            for (int i = 0; i < RECORDS_PER_THREAD; i++) {
                SpecificRecord record = switch (i % 4) {
                    case 0 -> Records.request("fn-" + i);
                    case 1 -> Records.result();
                    case 2 -> Records.spec();
                    default -> Records.usage();
                };
                if (!record.equals(deserializer.deserialize("shared", serializer.serialize("shared", record)))) {
                    mismatches++;
                }
            }
            return mismatches;
        };
    }
}
