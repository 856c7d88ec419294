package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ResultJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();

    private InvocationResult result(byte[] output, String contentType) {
        return InvocationResult.newBuilder(ResultStoreTest.result("a", "acme", 1, InvocationStatus.SUCCEEDED,
                Instant.parse("2026-01-01T00:00:00Z"))).setOutput(ByteBuffer.wrap(output)).setContentType(contentType)
                .build();
    }

    @Test
    void shouldShowTextOutputAsItselfWhenTheContentTypeIsTextOrJson() {
        ObjectNode json = ResultJson.toJson(mapper, result("{\"a\":1}".getBytes(StandardCharsets.UTF_8),
                "application/json; charset=utf-8"));

        assertThat(json.get("output").asText()).isEqualTo("{\"a\":1}");
        assertThat(json.get("outputEncoding").asText()).isEqualTo("utf-8");
        assertThat(json.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(json.get("finishedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(json.has("tenant")).isFalse();
    }

    @Test
    void shouldEncodeBinaryOutputAsBase64WhenTheContentTypeIsNotText() {
        byte[] bytes = {0, (byte) 0xff, 7};
        ObjectNode json = ResultJson.toJson(mapper, result(bytes, "application/octet-stream"));

        assertThat(Base64.getDecoder().decode(json.get("output").asText())).isEqualTo(bytes);
        assertThat(json.get("outputEncoding").asText()).isEqualTo("base64");
    }

    @Test
    void shouldEncodeTextOutputThatIsNotUtf8AsBase64SoNoByteIsLost() {
        // A tester's "caf\xe9" in ISO-8859-1 came back as "caf\ufffd": the byte was gone.
        byte[] latin = {'c', 'a', 'f', (byte) 0xe9};
        byte[] binary = {0, 1, (byte) 0xff, (byte) 0xfe};
        for (var output : java.util.Map.of(latin, "text/plain; charset=iso-8859-1", binary, "text/plain",
                new byte[] {'{', (byte) 0xc3, '}'}, "application/json").entrySet()) {
            ObjectNode json = ResultJson.toJson(mapper, result(output.getKey(), output.getValue()));

            assertThat(json.get("outputEncoding").asText()).as(output.getValue()).isEqualTo("base64");
            assertThat(Base64.getDecoder().decode(json.get("output").asText())).isEqualTo(output.getKey());
        }
        ObjectNode utf8 = ResultJson.toJson(mapper, result("café".getBytes(StandardCharsets.UTF_8), "text/plain"));
        assertThat(utf8.get("output").asText()).isEqualTo("café");
        assertThat(utf8.get("outputEncoding").asText()).isEqualTo("utf-8");
    }

    @Test
    void shouldShowTheBilledMillisecondsRoundedUpWhenTheAttemptRan() {
        InvocationResult ran = InvocationResult.newBuilder(result(new byte[0], "text/plain"))
                .setDurationMicros(1001).build();

        assertThat(ResultJson.toJson(mapper, ran).get("billedMs").asLong()).isEqualTo(2);
    }

    @Test
    void shouldShowZeroBilledMillisecondsWhenTheInvocationWasRejected() {
        InvocationResult rejected = InvocationResult.newBuilder(result(new byte[0], "text/plain"))
                .setStatus(InvocationStatus.REJECTED).setDurationMicros(0).setFinal$(true)
                .setReasonCode("unknown_function").build();

        ObjectNode json = ResultJson.toJson(mapper, rejected);

        assertThat(json.get("billedMs").asLong()).isZero();
        assertThat(json.get("final").asBoolean()).isTrue();
        assertThat(json.get("reasonCode").asText()).isEqualTo("unknown_function");
    }

    @Test
    void shouldShowFinalAsNullWhenTheWriterDidNotSay() {
        ObjectNode json = ResultJson.toJson(mapper, result(new byte[0], "text/plain"));

        assertThat(json.get("final").isNull()).isTrue();
        assertThat(json.get("reasonCode").isNull()).isTrue();
    }
}
