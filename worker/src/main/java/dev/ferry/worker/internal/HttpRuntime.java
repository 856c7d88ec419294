package dev.ferry.worker.internal;

import dev.ferry.core.FerryException;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.worker.Function;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * {@code HTTP}: each invocation is a POST of the payload to the handler URL, within the time left before the
 * attempt's timeout. A 2xx answer is the output (with its {@code Content-Type}); anything else fails the attempt
 * with the status and the first KiB of the body, which is usually where a service says what went wrong.
 */
public final class HttpRuntime implements FunctionRuntime {

    static final int ERROR_BODY_BYTES = 1024;
    private static final Duration GRACE = Duration.ofSeconds(1);

    private final HttpClient client;

    public HttpRuntime(HttpClient client) {
        this.client = client;
    }

    @Override
    public Function create(FunctionSpec spec) {
        URI uri;
        try {
            uri = URI.create(spec.getHandler().trim());
        } catch (IllegalArgumentException e) {
            throw new FunctionUnavailableException("Handler of " + spec.getTenant() + "/" + spec.getName()
                    + " is not a URL: " + spec.getHandler(), e);
        }
        if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) {
            throw new FunctionUnavailableException("Handler of " + spec.getTenant() + "/" + spec.getName()
                    + " must be an http(s) URL, got " + spec.getHandler());
        }
        return in -> {
            // A little past the attempt's timeout: the Invoker's TIMED_OUT should win, not an HTTP timeout error.
            Duration left = Duration.between(Instant.now(), in.timeoutAt()).plus(GRACE);
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left)
                    .header("Content-Type", in.contentType())
                    .header("Ferry-Invocation-Id", in.invocationId())
                    .header("Ferry-Attempt", String.valueOf(in.attempt()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(in.payload()))
                    .build();
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            int status = response.statusCode();
            byte[] body = response.body() == null ? new byte[0] : response.body();
            if (status < 200 || status > 299) {
                String head = new String(Arrays.copyOf(body, Math.min(body.length, ERROR_BODY_BYTES)),
                        StandardCharsets.UTF_8);
                throw new FerryException("HTTP " + status + " from " + uri + ": " + head);
            }
            response.headers().firstValue("Content-Type").ifPresent(in::outputContentType);
            return body;
        };
    }
}
