package dev.ferry.dispatcher;

import dev.ferry.schemas.InvocationRequest;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Invocation requests for tests. */
public final class Requests {

    private Requests() {
    }

    public static InvocationRequest.Builder request(String tenant, String function) {
        return InvocationRequest.newBuilder()
                .setInvocationId(UUID.randomUUID().toString())
                .setTenant(tenant)
                .setFunction(function)
                .setPayload(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setContentType("application/octet-stream")
                .setKey(null)
                .setSubmittedAt(Instant.parse("2026-11-27T04:00:00Z"))
                .setDeadline(null)
                .setAttempt(1)
                .setHeaders(Map.of());
    }

    public static InvocationRequest keyed(String key) {
        return request("acme", "resize").setKey(key).build();
    }

    public static InvocationRequest unkeyed() {
        return request("acme", "resize").build();
    }
}
