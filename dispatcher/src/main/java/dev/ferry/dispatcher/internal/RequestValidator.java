package dev.ferry.dispatcher.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.DispatcherConfig;
import dev.ferry.core.invocation.HeaderText;
import dev.ferry.core.invocation.ReasonCode;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * The checks an invocation passes before it is routed. Each failure is a sentence the caller can act on: what is
 * wrong and why, naming the function, the limit or the instant. Never the payload: it may hold user data. Readers
 * decide on the verdict's {@link ReasonCode}, never on the sentence (issue 13 part 1).
 */
public final class RequestValidator {

    private final Function<FunctionRef, Optional<FunctionSpec>> functions;
    private final int maxPayloadBytes;

    /**
     * @param functions the deployed functions, looked up once per invocation
     * @param maxPayloadBytes the largest payload forwarded ({@value DispatcherConfig#MAX_PAYLOAD_BYTES})
     */
    public RequestValidator(Function<FunctionRef, Optional<FunctionSpec>> functions, int maxPayloadBytes) {
        this.functions = functions;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** The outcome: the function to route to, or why the invocation is rejected (as a code and a sentence). */
    public record Verdict(FunctionSpec spec, ReasonCode reason, String rejection) {
        static Verdict accept(FunctionSpec spec) {
            return new Verdict(spec, null, null);
        }

        static Verdict reject(ReasonCode reason, String rejection) {
            return new Verdict(null, reason, rejection);
        }

        public boolean accepted() {
            return rejection == null;
        }
    }

    /**
     * The verdict on one request. Besides the function, deadline and payload, the fields a producer on the Kafka
     * path sets freely and a later stage cannot handle are checked here, so a malformed request ends as one REJECTED
     * {@code invalid_request} result instead of reaching a work topic: {@code attempt} must be between 1 and the
     * function's {@code maxAttempts} (a worker computes backoff from it, and attempt -5 made every delivery of the
     * record fail until the delivery limit), and {@code invocationId} and {@code contentType} must be at most
     * {@value #MAX_TEXT_FIELD_LENGTH} printable ASCII characters (an HTTP function gets both as header values,
     * which the JDK's client refuses with a control character). Retries never pass here: the worker writes them to
     * a retry tier and its forwarder moves them to the work topic, so every request Ferry itself writes to
     * {@code ferry.invocations} is attempt 1.
     */
    public Verdict check(InvocationRequest request, Instant now) {
        FunctionRef ref;
        try {
            ref = new FunctionRef(request.getTenant(), request.getFunction());
        } catch (IllegalArgumentException e) {
            return Verdict.reject(ReasonCode.INVALID_REQUEST, e.getMessage());
        }
        Optional<String> malformed = HeaderText.problem("invocationId", request.getInvocationId())
                .or(() -> HeaderText.problem("contentType", request.getContentType()));
        if (malformed.isPresent()) {
            return Verdict.reject(ReasonCode.INVALID_REQUEST, malformed.get());
        }
        if (request.getAttempt() < 1) {
            return Verdict.reject(ReasonCode.INVALID_REQUEST, "attempt must be at least 1 (attempts count from 1), got "
                    + request.getAttempt());
        }
        Optional<FunctionSpec> spec = functions.apply(ref);
        if (spec.isEmpty()) {
            return Verdict.reject(ReasonCode.UNKNOWN_FUNCTION, "unknown function " + ref + ": it is not deployed (or was removed)");
        }
        if (request.getAttempt() > spec.get().getMaxAttempts()) {
            return Verdict.reject(ReasonCode.INVALID_REQUEST, "attempt " + request.getAttempt() + " is beyond the "
                    + "maxAttempts of " + ref + " (" + spec.get().getMaxAttempts() + ")");
        }
        Instant deadline = request.getDeadline();
        if (deadline != null && !now.isBefore(deadline)) {
            // Saturating: a deadline near Instant.MIN (epoch millis Long.MIN_VALUE) overflows toMillis().
            long late = Duration.between(deadline, now).compareTo(Duration.ofMillis(Long.MAX_VALUE)) >= 0
                    ? Long.MAX_VALUE : Duration.between(deadline, now).toMillis();
            return Verdict.reject(ReasonCode.DEADLINE_PASSED, "deadline " + deadline + " passed " + late + " ms before dispatch");
        }
        int size = request.getPayload() == null ? 0 : request.getPayload().remaining();
        if (size > maxPayloadBytes) {
            return Verdict.reject(ReasonCode.PAYLOAD_TOO_LARGE, "payload of " + size + " bytes exceeds the limit of " + maxPayloadBytes + " ("
                    + DispatcherConfig.MAX_PAYLOAD_BYTES + ")");
        }
        return Verdict.accept(spec.get());
    }
}
