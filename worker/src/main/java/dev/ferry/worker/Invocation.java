package dev.ferry.worker;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.annotation.InterfaceStability;

/**
 * One attempt of an invocation, as a {@link Function} sees it: the payload and its content type, the request's
 * headers, the function's environment, the attempt number and the deadline.
 *
 * <p>The output's content type defaults to the request's; a function that answers in another format sets it with
 * {@link #outputContentType(String)}.
 */
@InterfaceStability.Evolving
public final class Invocation {

    private final String invocationId;
    private final byte[] payload;
    private final String contentType;
    private final String key;
    private final Map<String, String> headers;
    private final Map<String, String> env;
    private final int attempt;
    private final Instant deadline;
    private final Instant timeoutAt;
    private volatile String outputContentType;

    public Invocation(String invocationId, byte[] payload, String contentType, String key, Map<String, String> headers,
            Map<String, String> env, int attempt, Instant deadline, Instant timeoutAt) {
        this.invocationId = Objects.requireNonNull(invocationId, "invocationId");
        this.payload = payload == null ? new byte[0] : payload;
        this.contentType = contentType == null ? "application/octet-stream" : contentType;
        this.key = key;
        this.headers = headers == null ? Map.of() : Map.copyOf(headers);
        this.env = env == null ? Map.of() : Map.copyOf(env);
        this.attempt = attempt;
        this.deadline = deadline;
        this.timeoutAt = Objects.requireNonNull(timeoutAt, "timeoutAt");
        this.outputContentType = this.contentType;
    }

    /** The same for every attempt of one invocation: use it to make side effects idempotent. */
    public String invocationId() {
        return invocationId;
    }

    /** The payload bytes. The array is this attempt's own copy. */
    public byte[] payload() {
        return payload;
    }

    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    public String contentType() {
        return contentType;
    }

    /** The ordering key of the request, if it had one. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** Free-form request headers ({@code traceparent} travels here). */
    public Map<String, String> headers() {
        return headers;
    }

    /** The function's {@code env} from its deployment. */
    public Map<String, String> env() {
        return env;
    }

    /** 1 for the first attempt, then 2, 3... up to the function's {@code maxAttempts}. */
    public int attempt() {
        return attempt;
    }

    /** The caller's deadline, if it set one. */
    public Optional<Instant> deadline() {
        return Optional.ofNullable(deadline);
    }

    /** When this attempt times out ({@code startedAt + timeoutMs}); plan long work around it. */
    public Instant timeoutAt() {
        return timeoutAt;
    }

    /** Sets the content type of the output written to the result; by default the request's. */
    public void outputContentType(String type) {
        this.outputContentType = Objects.requireNonNull(type, "type");
    }

    public String outputContentType() {
        return outputContentType;
    }
}
