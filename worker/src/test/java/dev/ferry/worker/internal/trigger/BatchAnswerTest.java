package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BatchAnswerTest {

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldGiveOneOutputPerRecordWhenTheArrayHasOneElementPerRecord() {
        BatchAnswer answer = BatchAnswer.classify(json("[{\"a\":1}, null, \"x\"]"), 3);
        assertThat(answer).isInstanceOfSatisfying(BatchAnswer.PerRecord.class, perRecord -> {
            assertThat(new String(perRecord.outputs().get(0), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
            assertThat(perRecord.outputs().get(1)).isNull();
            assertThat(new String(perRecord.outputs().get(2), StandardCharsets.UTF_8)).isEqualTo("\"x\"");
        });
    }

    @Test
    void shouldMarkOnlyTheNamedRecordsFailedWhenTheAnswerListsBatchItemFailures() {
        BatchAnswer answer = BatchAnswer.classify(json("{\"batchItemFailures\": [2, 0, 9]}"), 3);
        assertThat(answer).isInstanceOfSatisfying(BatchAnswer.ItemFailures.class,
                failures -> assertThat(failures.failed()).containsExactly(0, 2));
    }

    @Test
    void shouldGiveTheUnnamedRecordsTheirOutputsWhenBatchItemFailuresComesWithOutputs() {
        // Tester 12A, finding 6: failures alone leave the others without output; "outputs" gives them theirs.
        BatchAnswer answer = BatchAnswer.classify(json("{\"outputs\": [{\"a\": 2.50}, null, \"x\"], "
                + "\"batchItemFailures\": [1]}"), 3);
        assertThat(answer).isInstanceOfSatisfying(BatchAnswer.ItemFailures.class, failures -> {
            assertThat(failures.failed()).containsExactly(1);
            assertThat(new String(failures.outputs().get(0), StandardCharsets.UTF_8)).isEqualTo("{\"a\": 2.50}");
            assertThat(new String(failures.outputs().get(2), StandardCharsets.UTF_8)).isEqualTo("\"x\"");
        });
        assertThat(BatchAnswer.classify(json("{\"batchItemFailures\": [0]}"), 2)).isInstanceOfSatisfying(
                BatchAnswer.ItemFailures.class, failures -> assertThat(failures.outputs()).isNull());
        // None failed: the outputs alone, as an array answer.
        assertThat(BatchAnswer.classify(json("{\"batchItemFailures\": [], \"outputs\": [1, 2]}"), 2))
                .isInstanceOfSatisfying(BatchAnswer.PerRecord.class, perRecord -> assertThat(perRecord.outputs())
                        .extracting(o -> new String(o, StandardCharsets.UTF_8)).containsExactly("1", "2"));
        // Not one output per record, another field, or outputs without failures: one output for the whole batch.
        assertThat(BatchAnswer.classify(json("{\"batchItemFailures\": [0], \"outputs\": [1]}"), 2))
                .isInstanceOf(BatchAnswer.Whole.class);
        assertThat(BatchAnswer.classify(json("{\"batchItemFailures\": [0], \"other\": 1}"), 2))
                .isInstanceOf(BatchAnswer.Whole.class);
        assertThat(BatchAnswer.classify(json("{\"outputs\": [1, 2]}"), 2)).isInstanceOf(BatchAnswer.Whole.class);
    }

    @Test
    void shouldTreatAnyOtherOutputAsOneForTheWholeBatch() {
        assertThat(BatchAnswer.classify(json("[1, 2]"), 3)).isInstanceOf(BatchAnswer.Whole.class);
        assertThat(BatchAnswer.classify(json("not json"), 3)).isInstanceOf(BatchAnswer.Whole.class);
        assertThat(BatchAnswer.classify(null, 3)).isEqualTo(new BatchAnswer.Whole(null));
    }

    @Test
    void shouldReadTheAnswerToABatchOfOneRecordAsTheAnswerToAnyBatch() {
        // A batch of one is still a one-element array to the function (tester 10, finding 4): [x] is x for it.
        assertThat(BatchAnswer.classify(json("[{\"a\":1}]"), 1)).isInstanceOfSatisfying(BatchAnswer.PerRecord.class,
                perRecord -> assertThat(perRecord.outputs()).singleElement()
                        .satisfies(o -> assertThat(new String(o, StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}")));
        assertThat(BatchAnswer.classify(json("{\"batchItemFailures\": [0]}"), 1)).isInstanceOfSatisfying(
                BatchAnswer.ItemFailures.class, failures -> assertThat(failures.failed()).containsExactly(0));
        assertThat(BatchAnswer.classify(json("{\"a\":1}"), 1)).isInstanceOf(BatchAnswer.Whole.class);
    }

    @Test
    void shouldWriteEachElementAsTheFunctionWroteItWhenItsNumbersWouldNotSurviveAParse() {
        // Session 11 tester, finding 5: 2.50 became 2.5, 1E+5 100000.0 and 1e400 the string "Infinity".
        String answer = "[ {\"x\":1e400} ,\n\t{\"x\":2.50},{\"x\":1E+5}, 12345678901234567890123456789,"
                + " [1, {\"y\": [2, \"a,]b\"]}] , \"],\" ,null ]";
        assertThat(BatchAnswer.classify(json(answer), 7)).isInstanceOfSatisfying(BatchAnswer.PerRecord.class,
                perRecord -> assertThat(perRecord.outputs()).extracting(o -> o == null ? null
                        : new String(o, StandardCharsets.UTF_8)).containsExactly("{\"x\":1e400}", "{\"x\":2.50}",
                        "{\"x\":1E+5}", "12345678901234567890123456789", "[1, {\"y\": [2, \"a,]b\"]}]", "\"],\"",
                        null));
    }
}
