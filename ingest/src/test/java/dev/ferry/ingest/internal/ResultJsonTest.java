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
    void shouldBillAtLeastOneMillisecondRoundedUp() {
        assertThat(ResultJson.billedMillis(0)).isEqualTo(1);
        assertThat(ResultJson.billedMillis(1)).isEqualTo(1);
        assertThat(ResultJson.billedMillis(1000)).isEqualTo(1);
        assertThat(ResultJson.billedMillis(1001)).isEqualTo(2);
        assertThat(ResultJson.billedMillis(2_500_000)).isEqualTo(2500);
    }
}
