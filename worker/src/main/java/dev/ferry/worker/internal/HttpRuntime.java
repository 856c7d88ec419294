package dev.ferry.worker.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.WorkerConfig;
import dev.ferry.core.net.EgressPolicy;
import dev.ferry.core.net.Urls;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code HTTP}: each invocation is a POST of the payload to the handler URL, within the time left before the
 * attempt's timeout. A 2xx answer is the output (with its {@code Content-Type}); anything else fails the attempt
 * with the status and the first KiB of the body, which is usually where a service says what went wrong.
 *
 * <p>Calls obey the worker's {@link EgressPolicy} (issue 12): a handler whose URL names a refused address (the
 * worker's own host, link-local, cloud metadata) cannot be created, and a name that resolves to one at call time
 * fails the call with {@link FunctionUnavailableException}, a final FAILED result ({@code function_unavailable}).
 * Redirects are never followed (the client's policy is {@code NEVER}): a 3xx fails the attempt like any non-2xx,
 * so no redirect can lead a call to a refused address.
 *
 * <p>The answer is read as a stream and never past {@code maxOutputBytes} + 1 bytes: an output over the largest one a
 * result can carry ({@code topic.max.message.bytes}, {@link WorkerResources#maxResultBytes()}) is cut there, the
 * body is closed unread (which drops the connection), and the cut output fails the result's size check as any
 * output too large does, {@code FAILED output_too_large}. A handler answering gigabytes therefore costs the worker
 * at most a result's worth of memory, not the answer's. An error body is read for its first KiB only.
 *
 * <p>The POST carries the attempt's facts as headers ({@link InvocationFacts}: {@code Ferry-Invocation-Id},
 * {@code Ferry-Attempt}, {@code Ferry-Tenant}, {@code Ferry-Function}, {@code Ferry-Key}, {@code Ferry-Deadline-Ms},
 * {@code Ferry-Timeout-At-Ms}, {@code Content-Type}), the same a PROCESS function gets as environment variables.
 * The invocation's headers (DESIGN section 10, {@code InvocationRequest.headers}: the caller's {@code traceparent},
 * a trigger's {@code ferry.source.*}) go with it as request headers, as the docs promise (tester 10, finding
 * 7e: only {@code Ferry-Invocation-Id} and {@code Ferry-Attempt} arrived). One that HTTP cannot carry as it is is
 * left out, logged at DEBUG: a name that is not an HTTP token, a value outside printable ASCII and tab (the JDK
 * client would turn such a character into {@code ?}, changing it without a word), a value over
 * {@value #MAX_FORWARDED_VALUE} characters, and the names the runtime sets itself ({@code Ferry-*}) or that belong
 * to the connection ({@link #NOT_FORWARDED}; {@link Invocation#KEY_ENCODING} goes as the fact
 * {@code Ferry-Key-Encoding}). A key, and a trigger's {@code ferry.source.key} and source header values, are printable
 * ASCII or marked base64 before they get here ({@code HeaderText#encode}), so they always travel.
 *
 * <p>Plain {@code http://} calls use HTTP/1.1: the JDK client would otherwise offer an upgrade to h2c
 * ({@code Upgrade: h2c}, {@code HTTP2-Settings}) on every POST, which some servers answer wrongly or reject. Over
 * TLS the version is left to ALPN, which needs no such header.
 */
public final class HttpRuntime implements FunctionRuntime {

    static final int ERROR_BODY_BYTES = 1024;
    /** The longest invocation header value passed on, in characters: far over a traceparent's 55. */
    static final int MAX_FORWARDED_VALUE = 4096;
    /** Lower-case prefix of the headers the runtime sets ({@link InvocationFacts}). */
    static final String RESERVED_PREFIX = "ferry-";
    /**
     * Lower-case names never taken from the invocation's headers: set by the runtime or by the connection. Every
     * name starting with {@value #RESERVED_PREFIX} is the runtime's too ({@link InvocationFacts}), so a producer on
     * the Kafka path cannot send a function a second {@code Ferry-Tenant}.
     */
    static final Set<String> NOT_FORWARDED = Set.of("content-type", "content-length", "host", "connection",
            "keep-alive", "expect", "upgrade", "transfer-encoding", "te", "trailer", "http2-settings",
            "proxy-connection", "proxy-authorization", Invocation.KEY_ENCODING);
    private static final Logger log = LoggerFactory.getLogger(HttpRuntime.class);
    private static final Duration GRACE = Duration.ofSeconds(1);

    private final HttpClient client;
    private final EgressPolicy egress;
    /** Bytes of an answer read at most: one over the largest output kept. */
    private final int readLimit;

    /**
     * @param client         a client that follows no redirects
     * @param maxOutputBytes the largest output kept whole, in bytes; a longer answer is cut at this + 1 bytes
     */
    public HttpRuntime(HttpClient client, EgressPolicy egress, int maxOutputBytes) {
        this.readLimit = ProcessRuntime.readLimit(maxOutputBytes);
        if (client.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new IllegalArgumentException("The HTTP runtime checks every address it calls: its client must "
                    + "not follow redirects");
        }
        this.client = client;
        this.egress = egress;
    }

    @Override
    public Function create(FunctionSpec spec) {
        URI uri;
        try {
            uri = URI.create(spec.getHandler().trim());
        } catch (IllegalArgumentException e) {
            throw new FunctionUnavailableException("Handler of " + spec.getTenant() + "/" + spec.getName()
                    + " is not a URL: " + Urls.redact(spec.getHandler()), e);
        }
        if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) {
            throw new FunctionUnavailableException("Handler of " + spec.getTenant() + "/" + spec.getName()
                    + " must be an http(s) URL, got " + Urls.redact(spec.getHandler()));
        }
        String where = Urls.redact(uri);
        egress.refusalWithoutLookup(uri).ifPresent(reason -> {
            throw refused(spec, where, reason);
        });
        return in -> {
            // Checked on every call: DNS may point the name elsewhere since the last one.
            Optional<EgressPolicy.Refusal> refused = egress.refusal(uri);
            if (refused.isPresent()) {
                throw refused(spec, where, refused.get());
            }
            // A little past the attempt's timeout: the Invoker's TIMED_OUT should win, not an HTTP timeout error.
            Duration left = Duration.between(Instant.now(), in.timeoutAt()).plus(GRACE);
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
            if ("http".equalsIgnoreCase(uri.getScheme())) {
                builder.version(HttpClient.Version.HTTP_1_1);
            }
            forward(builder, in.headers());
            facts(builder, InvocationFacts.of(spec, in));
            HttpRequest request = builder
                    .timeout(left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(in.payload()))
                    .build();
            try {
                return call(request, where, readLimit, in);
            } catch (IOException e) {
                // The user sees this message: say what failed in words, not as a Java class name.
                throw new FerryException("Calling " + where + " failed: " + inWords(e), e);
            }
        };
    }

    /**
     * Sets the attempt's facts as headers ({@link InvocationFacts}); one whose value HTTP cannot carry as it is (a
     * key with a non-ASCII character) is left out, logged at DEBUG.
     */
    static void facts(HttpRequest.Builder builder, List<InvocationFacts.Fact> facts) {
        for (InvocationFacts.Fact fact : facts) {
            if (isPlainValue(fact.value())) {
                builder.header(fact.header(), fact.value());
            } else {
                log.debug("{} is not sent to the HTTP function: HTTP cannot carry its value as it is", fact.header());
            }
        }
    }

    /** Adds each of the invocation's headers HTTP can carry as it is; see the class comment. */
    static void forward(HttpRequest.Builder builder, Map<String, String> headers) {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            String name = header.getKey();
            String value = header.getValue();
            if (name == null || value == null || !isToken(name) || isReserved(name.toLowerCase(Locale.ROOT))
                    || !isPlainValue(value)) {
                log.debug("Invocation header '{}' is not passed to the HTTP function: HTTP cannot carry it as it is",
                        name);
                continue;
            }
            builder.header(name, value);
        }
    }

    /** A name the runtime sets itself ({@code Ferry-*}, {@code Content-Type}) or that belongs to the connection. */
    private static boolean isReserved(String lowerCaseName) {
        return lowerCaseName.startsWith(RESERVED_PREFIX) || NOT_FORWARDED.contains(lowerCaseName);
    }

    /** An RFC 9110 token: the characters a header name may have. */
    private static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPlainValue(String value) {
        if (value.length() > MAX_FORWARDED_VALUE) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 || c > 0x7e) && c != '\t') {
                return false;
            }
        }
        return true;
    }

    private byte[] call(HttpRequest request, String where, int readLimit, Invocation in)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        int status = response.statusCode();
        // Closing the stream before its end cancels the rest of the body (the connection is not reused).
        try (InputStream body = response.body()) {
            if (status < 200 || status > 299) {
                String head = new String(body.readNBytes(ERROR_BODY_BYTES), StandardCharsets.UTF_8);
                throw new FerryException("HTTP " + status + " from " + where + ": " + head);
            }
            response.headers().firstValue("Content-Type").ifPresent(in::outputContentType);
            // Never past one byte over the limit: enough to know the output cannot be a result.
            return body.readNBytes(readLimit);
        }
    }

    /** An I/O failure as a user reads it; the JDK's client often gives a connect failure no message at all. */
    private static String inWords(IOException e) {
        if (e.getMessage() != null && !e.getMessage().isBlank()) {
            return e.getMessage();
        }
        if (e instanceof java.net.ConnectException) {
            return "cannot connect";
        }
        return e instanceof java.net.http.HttpTimeoutException ? "no answer in time" : "the connection failed";
    }

    private static FunctionUnavailableException refused(FunctionSpec spec, String where,
            EgressPolicy.Refusal refused) {
        return new FunctionUnavailableException("Handler of " + spec.getTenant() + "/" + spec.getName() + " may not "
                + "be called: " + where + " is refused by the worker's egress policy (" + refused.reason() + ")"
                + (refused.allowable() ? "; an operator can allow it with " + WorkerConfig.HTTP_EGRESS_ALLOW : ""));
    }
}
