package dev.ferry.worker.internal.trigger;

import dev.ferry.core.invocation.HeaderText;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The headers a record's invocation carries when it runs alone at {@code batchSize} 1 (DESIGN "Triggers"; tester
 * 14A, finding 3: they were {@code ferry.source.*} only, so a producer's trace context and the app's own headers
 * never reached the function): the source record's Kafka headers, then Ferry's {@code ferry.source.*} over them.
 *
 * <ul>
 *   <li>A value is text by the rule of {@code ferry.source.key} ({@link HeaderText#encode}): printable ASCII as it
 *       is, any other bytes (control characters, UTF-8 beyond ASCII, bytes that are not UTF-8) as standard base64,
 *       whose names {@value TriggerRecords#SOURCE_BASE64_HEADERS} lists (tester 14A, finding 13: such a value was
 *       left out for an HTTP function or came as base64 nobody could tell from text); a header with a null value
 *       is left out (as {@code ferry.source.key} is for a null key). Of a name repeated in the record the last
 *       value is kept, as Kafka's {@code Headers.lastHeader} and the document do.</li>
 *   <li>A name starting with {@code ferry.} or {@code ferry-}, in any case, is Ferry's and never taken from a
 *       record: a source header {@code ferry.source.topic} or {@code Ferry.Source.Tombstone} cannot pass for the
 *       platform's word (HTTP names and the PROCESS runtime's variable lookup ignore case), nor a
 *       {@code Ferry-Tenant} for an HTTP function's fact.</li>
 *   <li>{@code traceparent} and {@code tracestate} (in any case) become the invocation's W3C trace context under
 *       their lower-case names, by the gateway's rule for an HTTP caller's: {@code traceparent} at most
 *       {@value HeaderText#MAX_LENGTH} printable ASCII characters, {@code tracestate} at most
 *       {@value HeaderText#MAX_TRACESTATE_LENGTH}, not blank, and only with a {@code traceparent}. Where the
 *       gateway answers 400, a trigger cannot refuse its record: a trace context breaking the rule is left out, the
 *       record runs.</li>
 * </ul>
 *
 * Anything else travels as it is; each runtime then passes on what it can carry (an HTTP function the names and
 * values HTTP can carry as they are, a PROCESS function only the trace context and {@code ferry.source.*} as
 * variables), the same as for a call on the Kafka path.
 */
final class SourceHeaders {

    private SourceHeaders() {
    }

    /** Whether {@code headers} holds anything an invocation would take: a record without headers costs nothing. */
    static boolean any(Headers headers) {
        return headers.iterator().hasNext();
    }

    /**
     * {@code headers}' entries an invocation takes, in a new mutable map, before Ferry's own are put over them: see
     * the class comment.
     */
    static Map<String, String> of(Headers headers) {
        Map<String, String> out = new HashMap<>();
        String traceparent = null;
        String tracestate = null;
        Map<String, Boolean> base64 = new LinkedHashMap<>();
        for (Header header : headers) {
            String name = header.key();
            if (name == null || header.value() == null) {
                continue;
            }
            if (HeaderText.isReserved(name)) {
                continue;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            HeaderText.Encoded encoded = HeaderText.encode(header.value());
            // A trace context is printable ASCII or none: one that is not is left out below, as too long is.
            String value = encoded.text();
            if (lower.equals(HeaderText.TRACEPARENT)) {
                traceparent = encoded.base64() ? null : value;
            } else if (lower.equals(HeaderText.TRACESTATE)) {
                tracestate = encoded.base64() ? null : value;
            } else {
                out.put(name, value);
                base64.remove(name); // the last value decides, and the list keeps the record's order
                base64.put(name, encoded.base64());
            }
        }
        String encoded = base64.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey)
                .collect(Collectors.joining(","));
        if (!encoded.isEmpty()) {
            out.put(TriggerRecords.SOURCE_BASE64_HEADERS, encoded);
        }
        if (traceparent != null && HeaderText.problem(HeaderText.TRACEPARENT, traceparent).isEmpty()) {
            out.put(HeaderText.TRACEPARENT, traceparent);
            if (tracestate != null && !tracestate.isBlank() && HeaderText.problem(HeaderText.TRACESTATE, tracestate,
                    HeaderText.MAX_TRACESTATE_LENGTH, "it travels as an HTTP header value").isEmpty()) {
                out.put(HeaderText.TRACESTATE, tracestate);
            }
        }
        return out;
    }
}
