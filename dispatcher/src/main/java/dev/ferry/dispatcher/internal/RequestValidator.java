package dev.ferry.dispatcher.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.DispatcherConfig;
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

    public Verdict check(InvocationRequest request, Instant now) {
        FunctionRef ref;
        try {
            ref = new FunctionRef(request.getTenant(), request.getFunction());
        } catch (IllegalArgumentException e) {
            return Verdict.reject(ReasonCode.INVALID_REQUEST, e.getMessage());
        }
        Optional<FunctionSpec> spec = functions.apply(ref);
        if (spec.isEmpty()) {
            return Verdict.reject(ReasonCode.UNKNOWN_FUNCTION, "unknown function " + ref + ": it is not deployed (or was removed)");
        }
        Instant deadline = request.getDeadline();
        if (deadline != null && !now.isBefore(deadline)) {
            long late = Duration.between(deadline, now).toMillis();
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
