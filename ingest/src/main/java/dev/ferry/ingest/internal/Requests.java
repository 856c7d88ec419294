package dev.ferry.ingest.internal;

import dev.ferry.schemas.InvocationRequest;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Builds the InvocationRequests the gateway and the Java client produce, so both fill the envelope alike. */
public final class Requests {

    public static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

    private Requests() {
    }

    public static InvocationRequest.Builder newRequest(String tenant, String function, byte[] payload) {
        return InvocationRequest.newBuilder()
                .setInvocationId(UUID.randomUUID().toString())
                .setTenant(tenant)
                .setFunction(function)
                .setPayload(ByteBuffer.wrap(payload == null ? new byte[0] : payload))
                .setContentType(DEFAULT_CONTENT_TYPE)
                .setKey(null)
                .setSubmittedAt(Instant.now())
                .setDeadline(null)
                .setAttempt(1)
                .setHeaders(Map.of());
    }

    /** docs/design.md's record key on {@code ferry.invocations}: the request's key if it has one, else tenant/function. */
    public static String recordKey(InvocationRequest request) {
        return request.getKey() != null ? request.getKey() : request.getTenant() + "/" + request.getFunction();
    }
}
