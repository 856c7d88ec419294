package dev.ferry.worker.internal.trigger;

import dev.ferry.core.invocation.HeaderText;
import dev.ferry.core.triggers.SourceDecoder;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The headers a record's invocation carries when it runs alone at {@code batchSize} 1 (DESIGN "Triggers"; tester
 * 14A, finding 3: they were {@code ferry.source.*} only, so a producer's trace context and the app's own headers
 * never reached the function): the source record's Kafka headers, then Ferry's {@code ferry.source.*} over them.
 *
 * <ul>
 *   <li>A value is text as the record document's {@code headers} give it ({@link SourceDecoder#keyText}): UTF-8 as
 *       it is, bytes that are not valid UTF-8 as standard base64, unmarked; a header with a null value is left out
 *       (as {@code ferry.source.key} is for a null key). Of a name repeated in the record the last value is kept,
 *       as Kafka's {@code Headers.lastHeader} and the document do.</li>
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
        for (Header header : headers) {
            String name = header.key();
            if (name == null || header.value() == null) {
                continue;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("ferry.") || lower.startsWith("ferry-")) {
                continue;
            }
            String value = SourceDecoder.keyText(header.value());
            if (lower.equals(HeaderText.TRACEPARENT)) {
                traceparent = value;
            } else if (lower.equals(HeaderText.TRACESTATE)) {
                tracestate = value;
            } else {
                out.put(name, value);
            }
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
