package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.invocation.ReasonCode;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InvokeRoutesTest {

    private static InvocationResult rejected(ReasonCode reason, String error) {
        return InvocationResult.newBuilder(ResultStoreTest.result("a", "acme", 1, InvocationStatus.REJECTED,
                Instant.now())).setError(error).setFinal$(true).setReasonCode(reason == null ? null : reason.code())
                .build();
    }

    @Test
    void shouldMapARejectionToTheStatusItsReasonCodeCallsFor() {
        assertThat(InvokeRoutes.rejected(rejected(ReasonCode.UNKNOWN_FUNCTION, "x")).status()).isEqualTo(404);
        assertThat(InvokeRoutes.rejected(rejected(ReasonCode.PAYLOAD_TOO_LARGE, "x")).status()).isEqualTo(413);
        assertThat(InvokeRoutes.rejected(rejected(ReasonCode.PAYLOAD_TOO_LARGE, "x")).code())
                .isEqualTo("payload_too_large");
        assertThat(InvokeRoutes.rejected(rejected(ReasonCode.DEADLINE_PASSED, "x")).status()).isEqualTo(400);
        assertThat(InvokeRoutes.rejected(rejected(ReasonCode.INVALID_REQUEST, "x")).status()).isEqualTo(400);
    }

    @Test
    void shouldNeverReadTheErrorTextWhenMappingARejection() {
        // The sentence is for people: an envelope over the work topic's limit is 413 whatever it says...
        assertThat(InvokeRoutes.rejected(rejected(ReasonCode.PAYLOAD_TOO_LARGE,
                "invocation of about 3289 bytes exceeds the work topic's record limit of 2048")).status())
                .isEqualTo(413);
        // ...and words that once decided the status decide nothing without the code.
        assertThat(InvokeRoutes.rejected(rejected(null, "unknown function acme/x: it is not deployed")).status())
                .isEqualTo(400);
        assertThat(InvokeRoutes.rejected(rejected(ReasonCode.DEADLINE_PASSED, "unknown function")).status())
                .isEqualTo(400);
    }

    @Test
    void shouldAnswer400WhenTheReasonCodeIsNewerThanThisGateway() {
        InvocationResult result = rejected(null, "x");
        result.setReasonCode("some_future_reason");

        assertThat(InvokeRoutes.rejected(result).status()).isEqualTo(400);
    }

    @Test
    void shouldTellACallerWhoseInputTheFunctionRefusedThatSendingItAgainWillNotHelp() {
        InvocationResult refused = InvocationResult.newBuilder(ResultStoreTest.result("a", "acme", 1,
                InvocationStatus.FAILED, Instant.now())).setError("sleep expects a payload like {\"ms\": 100}")
                .setFinal$(true).setReasonCode(ReasonCode.NOT_RETRIABLE.code()).build();

        ApiException answer = InvokeRoutes.failed(refused);

        assertThat(answer.status()).isEqualTo(502);
        assertThat(answer.code()).isEqualTo("not_retriable");
        assertThat(answer.getMessage()).contains("will not help").contains("sleep expects a payload like");
        InvocationResult exhausted = InvocationResult.newBuilder(refused)
                .setReasonCode(ReasonCode.ATTEMPTS_EXHAUSTED.code()).build();
        assertThat(InvokeRoutes.failed(exhausted).code()).isEqualTo("function_failed");
    }

    /**
     * A tester: an HTTP function refused by the egress policy at call time answered 502 {@code function_failed}
     * while its result said {@code function_unavailable}. The answer's code is the result's reason.
     */
    @Test
    void shouldAnswerTheResultsReasonCodeWhenTheFunctionCannotRun() {
        InvocationResult unavailable = InvocationResult.newBuilder(ResultStoreTest.result("a", "acme", 1,
                InvocationStatus.FAILED, Instant.now())).setError("http://127.0.0.1:9/run: the egress policy refuses")
                .setFinal$(true).setReasonCode(ReasonCode.FUNCTION_UNAVAILABLE.code()).build();

        ApiException answer = InvokeRoutes.failed(unavailable);

        assertThat(answer.status()).isEqualTo(502);
        assertThat(answer.code()).isEqualTo("function_unavailable");
        assertThat(answer.getMessage()).contains("cannot run").contains("egress policy");
        assertThat(InvokeRoutes.failed(InvocationResult.newBuilder(unavailable)
                .setReasonCode(ReasonCode.DELIVERY_LIMIT.code()).build()).code()).isEqualTo("delivery_limit");
        assertThat(InvokeRoutes.failed(InvocationResult.newBuilder(unavailable).setReasonCode(null).build()).code())
                .isEqualTo("function_failed");
        assertThat(InvokeRoutes.failed(InvocationResult.newBuilder(unavailable).setReasonCode("some_future_reason")
                .build()).code()).isEqualTo("function_failed");
    }
}
