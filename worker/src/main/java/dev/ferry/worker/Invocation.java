package dev.ferry.worker;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.annotation.InterfaceStability;

/**
 * One attempt of an invocation, as a {@link Function} sees it: the function's tenant and name, the payload and its
 * content type, the request's headers, the function's environment, the attempt number and the deadline. HTTP and
 * PROCESS functions get the same facts as {@code Ferry-*} request headers and {@code FERRY_*} environment variables
 * (worker README, "Runtimes").
 *
 * <p>The output's content type defaults to the request's; a function that answers in another format sets it with
 * {@link #outputContentType(String)}.
 */
@InterfaceStability.Evolving
public final class Invocation {

    /**
     * The header that says {@link #key()} is standard base64 of the key's bytes, value {@code base64}: a key that is
     * not printable ASCII (a trigger's Avro or binary key, a Kafka-path key with other characters) travels so in
     * every runtime, marked (HTTP {@code Ferry-Key-Encoding}, PROCESS {@code FERRY_KEY_ENCODING}); absent when the
     * key is its text. Ferry's own: never taken from a request's headers.
     */
    public static final String KEY_ENCODING = "ferry.key.encoding";

    private final String tenant;
    private final String function;
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

    /** Without a tenant and function name ({@link #tenant()} and {@link #function()} are null): for tests. */
    public Invocation(String invocationId, byte[] payload, String contentType, String key, Map<String, String> headers,
            Map<String, String> env, int attempt, Instant deadline, Instant timeoutAt) {
        this(null, null, invocationId, payload, contentType, key, headers, env, attempt, deadline, timeoutAt);
    }

    /**
     * @param tenant    the function's tenant
     * @param function  the function's name
     * @param key       the ordering key, or null
     * @param attempt   1 for the first attempt
     * @param deadline  the caller's deadline, or null
     * @param timeoutAt when this attempt times out
     */
    public Invocation(String tenant, String function, String invocationId, byte[] payload, String contentType,
            String key, Map<String, String> headers, Map<String, String> env, int attempt, Instant deadline,
            Instant timeoutAt) {
        this.tenant = tenant;
        this.function = function;
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

    /**
     * The tenant of the function this attempt runs (HTTP functions get it as {@code Ferry-Tenant}, PROCESS functions
     * as {@code FERRY_TENANT}); null only on an invocation built without one.
     */
    public String tenant() {
        return tenant;
    }

    /**
     * The name of the function this attempt runs, as deployed: one class deployed under several names tells them
     * apart by it ({@code Ferry-Function}, {@code FERRY_FUNCTION}); null only on an invocation built without one.
     */
    public String function() {
        return function;
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

    /**
     * {@code base64} when {@link #key()} is standard base64 of the key's bytes (the key was not printable ASCII),
     * empty when the key is its text or there is none ({@link #KEY_ENCODING}).
     */
    public Optional<String> keyEncoding() {
        return key == null ? Optional.empty() : Optional.ofNullable(headers.get(KEY_ENCODING));
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
