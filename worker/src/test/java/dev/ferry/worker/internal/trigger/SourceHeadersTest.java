package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** What a {@code batchSize} 1 invocation takes from its source record's headers (tester 14A, finding 3). */
class SourceHeadersTest {

    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static RecordHeaders headers(Object... nameValue) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < nameValue.length; i += 2) {
            Object value = nameValue[i + 1];
            headers.add((String) nameValue[i], value instanceof String text ? text.getBytes(StandardCharsets.UTF_8)
                    : (byte[]) value);
        }
        return headers;
    }

    @Test
    void shouldTakePrintableAsciiAsItIsAnythingElseAsMarkedBase64AndTheLastOfARepeatedName() {
        assertThat(SourceHeaders.of(headers("x-app", "1", "x-app", "2", "x-bin", new byte[] {(byte) 0xff, 0},
                "x-null", null, "x-utf8", "é", "x-ctl", "a\u0000b", "x-was", "\u0001", "x-was", "fine")))
                .containsOnly(entry("x-app", "2"), entry("x-bin", "/wA="), entry("x-utf8", "w6k="),
                        entry("x-ctl", "YQBi"), entry("x-was", "fine"),
                        entry(TriggerRecords.SOURCE_BASE64_HEADERS, "x-bin,x-utf8,x-ctl"));
    }

    @Test
    void shouldNeverTakeANameOfFerrysInAnyCase() {
        assertThat(SourceHeaders.of(headers("ferry.source.topic", "spoofed", "Ferry.Source.Tombstone", "true",
                "ferry.invocation.id", "spoofed", "Ferry-Tenant", "evil", "ferryman", "ok"))).containsOnly(
                entry("ferryman", "ok"));
    }

    @Test
    void shouldMakeTraceparentAndTracestateTheTraceContextUnderTheirLowerCaseNames() {
        assertThat(SourceHeaders.of(headers("TraceParent", TRACEPARENT, "TRACESTATE", "k=v"))).containsOnly(
                entry("traceparent", TRACEPARENT), entry("tracestate", "k=v"));
    }

    @Test
    void shouldLeaveOutATraceContextTheGatewayWouldRefuse() {
        assertThat(SourceHeaders.of(headers("tracestate", "k=v"))).as("tracestate alone").isEmpty();
        assertThat(SourceHeaders.of(headers("traceparent", "x".repeat(257), "tracestate", "k=v")))
                .as("traceparent too long").isEmpty();
        assertThat(SourceHeaders.of(headers("traceparent", "00-é", "x-app", "1"))).as("not ASCII")
                .containsOnly(entry("x-app", "1"));
        assertThat(SourceHeaders.of(headers("traceparent", TRACEPARENT, "tracestate", "k".repeat(513))))
                .as("tracestate too long").containsOnly(entry("traceparent", TRACEPARENT));
    }
}
