package dev.ferry.ingest.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.invocation.BilledTime;
import dev.ferry.core.invocation.Utf8;
import dev.ferry.schemas.InvocationResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;

/**
 * An InvocationResult as {@code GET /v1/invocations/{id}} shows it: its fields, {@code final} and
 * {@code reasonCode} as the writer set them (null from older writers), and {@code billedMs} by core's
 * {@link BilledTime} (0 for an attempt that never ran).
 */
public final class ResultJson {

    private ResultJson() {
    }

    public static ObjectNode toJson(ObjectMapper mapper, InvocationResult result) {
        ObjectNode node = mapper.createObjectNode();
        node.put("invocationId", result.getInvocationId());
        node.put("function", result.getFunction());
        node.put("attempt", result.getAttempt());
        node.put("status", result.getStatus().name());
        node.put("contentType", result.getContentType());
        byte[] output = bytes(result.getOutput());
        if (output == null) {
            node.putNull("output");
        } else if (isText(result.getContentType()) && Utf8.valid(output)) {
            // As text only when it is UTF-8: other bytes (another charset, binary under a text type) would come
            // back as U+FFFD and be lost, so they go as base64 whatever the content type says (session 13).
            node.put("output", new String(output, StandardCharsets.UTF_8));
            node.put("outputEncoding", "utf-8");
        } else {
            node.put("output", Base64.getEncoder().encodeToString(output));
            node.put("outputEncoding", "base64");
        }
        node.put("error", result.getError());
        if (result.getFinal$() == null) {
            node.putNull("final");
        } else {
            node.put("final", result.getFinal$().booleanValue());
        }
        node.put("reasonCode", result.getReasonCode());
        node.put("memoryMb", result.getMemoryMb());
        node.put("submittedAt", iso(result.getSubmittedAt()));
        node.put("startedAt", iso(result.getStartedAt()));
        node.put("finishedAt", iso(result.getFinishedAt()));
        node.put("durationMicros", result.getDurationMicros());
        node.put("billedMs", BilledTime.billedMillis(result));
        node.put("coldStart", result.getColdStart());
        node.put("worker", result.getWorker());
        return node;
    }

    /** Text and JSON travel as themselves; anything else could be binary. */
    public static boolean isText(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
        return type.startsWith("text/") || type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/xml") || type.endsWith("+xml");
    }

    public static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
