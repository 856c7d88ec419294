package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.ferry.core.invocation.HeaderText;
import dev.ferry.worker.Invocation;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The headers and key a function gets from a request on a work topic (any producer's, the Kafka path's). */
class AttemptProcessorHeadersTest {

    /**
     * Tester 14A, finding 13: a Kafka-path key that is not printable ASCII was left out of an HTTP function's
     * headers; now it is base64 of its UTF-8 bytes, marked, in every runtime. A producer cannot set the mark.
     */
    @Test
    void shouldMarkAKeyThatIsNotPrintableAsciiAsBase64AndNeverTakeTheMarkFromTheRequest() {
        HeaderText.Encoded key = HeaderText.encode("k\u0001\u00e9");
        assertThat(key.text()).isEqualTo("awHDqQ==");
        assertThat(AttemptProcessor.headers(Map.of("traceparent", "00-x"), key)).containsOnly(
                entry("traceparent", "00-x"), entry(Invocation.KEY_ENCODING, "base64"));

        HeaderText.Encoded text = HeaderText.encode("order-1");
        assertThat(text).isEqualTo(new HeaderText.Encoded("order-1", false));
        assertThat(AttemptProcessor.headers(Map.of("Ferry.Key.Encoding", "base64", "x", "1"), text))
                .containsOnly(entry("x", "1"));
    }

    /**
     * Tester 14A, minor observation: a producer's {@code ferry.source.topic}/{@code .offset}/{@code .tombstone} in
     * a request's headers reached an HTTP function as if a trigger had called it. Names Ferry reserves are not taken
     * from a request, in any case, as the gateway takes none from an HTTP caller; every other header is.
     */
    @Test
    void shouldNeverTakeANameFerryReservesFromARequest() {
        Map<String, String> requested = Map.of("ferry.source.topic", "payments", "ferry.source.offset", "42",
                "Ferry.Source.Tombstone", "true", "FERRY-TENANT", "evil", "ferry-anything", "x",
                "traceparent", "00-x", "ferryman", "ok", "x-ferry.source.topic", "kept");

        assertThat(AttemptProcessor.headers(requested, HeaderText.encode("k"))).containsOnly(
                entry("traceparent", "00-x"), entry("ferryman", "ok"), entry("x-ferry.source.topic", "kept"));
        assertThat(AttemptProcessor.headers(requested, null)).doesNotContainKeys("ferry.source.topic",
                "Ferry.Source.Tombstone");
    }
}
