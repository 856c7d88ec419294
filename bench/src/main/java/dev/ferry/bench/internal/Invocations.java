package dev.ferry.bench.internal;

import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** The records every scenario sends: a tiny echo invocation, and the result a worker would write for it. */
final class Invocations {

    static final String TENANT = "bench";
    static final String FUNCTION = "echo";
    static final byte[] PAYLOAD = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);

    private Invocations() {
    }

    static InvocationRequest request(String id) {
        return request(id, FUNCTION);
    }

    /** An invocation of {@code function} of the bench tenant. */
    static InvocationRequest request(String id, String function) {
        return InvocationRequest.newBuilder()
                .setInvocationId(id)
                .setTenant(TENANT)
                .setFunction(function)
                .setPayload(ByteBuffer.wrap(PAYLOAD))
                .setContentType("application/json")
                .setKey(null)
                .setSubmittedAt(Instant.now())
                .setDeadline(null)
                .setAttempt(1)
                .setHeaders(Map.of())
                .build();
    }

    static String newId() {
        return UUID.randomUUID().toString();
    }

    /** What the raw baselines answer: the echo result, with the same fields a Ferry worker fills in. */
    static InvocationResult echoResult(InvocationRequest request, Instant started, String worker) {
        Instant finished = Instant.now();
        return InvocationResult.newBuilder()
                .setInvocationId(request.getInvocationId())
                .setTenant(request.getTenant())
                .setFunction(request.getFunction())
                .setAttempt(request.getAttempt())
                .setStatus(InvocationStatus.SUCCEEDED)
                .setOutput(request.getPayload())
                .setContentType(request.getContentType())
                .setError(null)
                .setMemoryMb(128)
                .setSubmittedAt(request.getSubmittedAt())
                .setStartedAt(started)
                .setFinishedAt(finished)
                .setDurationMicros(Math.max(1, (finished.toEpochMilli() - started.toEpochMilli()) * 1000))
                .setColdStart(false)
                .setWorker(worker)
                .setFinal$(true)
                .build();
    }
}
