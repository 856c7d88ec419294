package dev.ferry.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of docs/design.md's error shape, {@code {"error": "<for humans>", "code": "<stable, for programs>",
 * "errors": ["<each problem>", ...]}}, for every Ferry HTTP listener (the gateway, metering's usage API), and the
 * wiring that makes every error of such a listener take that shape: a handler's {@link HttpError}, Javalin's own (404 unknown path, 405 wrong method, 413
 * body too large), an unexpected exception (500, its text only in the log) and the errors Jetty raises before
 * Javalin sees the request (431 headers too large, 414 URI too long, 400 bad URI or bad message).
 *
 * <p>{@code errors} is always there, so a client reads one field whatever the route: every single problem when the
 * message joins several (a deployment's validation), else {@code [error]}. It is added here, where every body is
 * written, so no route can leave it out (a tester found an invalid name, a budget refusal, a 413 and a bad
 * {@code Ferry-Key} without it while validation 400s had it).
 *
 * <pre>{@code
 * Javalin app = Javalin.create(config -> HttpErrors.configure(config));
 * HttpErrors.register(app);
 * }</pre>
 */
public final class HttpErrors {

    public static final String JSON = "application/json";

    private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HttpErrors() {
    }

    /** The body {@code {"error": message, "code": code, "errors": [message]}}. */
    public static byte[] body(String message, String code) {
        return body(message, code, List.of());
    }

    /** The body {@code {"error": message, "code": code, "errors": [details...]}}; {@code [message]} when empty. */
    public static byte[] body(String message, String code, List<String> details) {
        return body(message, code, details, Map.of());
    }

    /**
     * The body with string fields of the answer's own beside {@code error} and {@code code} (the gateway's
     * {@code invocationId}), in the order given; a field may not be one of the shape's.
     */
    public static byte[] body(String message, String code, List<String> details, Map<String, String> fields) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("error", message);
        node.put("code", code);
        fields.forEach((name, value) -> {
            if (node.has(name) || "errors".equals(name)) {
                throw new IllegalArgumentException("An error's own field cannot replace '" + name + "'");
            }
            node.put(name, value);
        });
        (details.isEmpty() ? List.of(message) : details).forEach(node.putArray("errors")::add);
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A JSON tree of strings always serializes", e);
        }
    }

    /** Answers {@code error} on {@code ctx}: its status, the body, and {@code Retry-After} when it has one. */
    public static void write(Context ctx, HttpError error) {
        write(ctx, error, Map.of());
    }

    /** {@link #write(Context, HttpError)} with string fields of the answer's own in the body (see {@link #body}). */
    public static void write(Context ctx, HttpError error, Map<String, String> fields) {
        if (error.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Long.toString(error.retryAfterSeconds()));
        }
        ctx.status(error.status()).contentType(JSON)
                .result(body(error.getMessage(), error.code(), error.details(), fields));
    }

    /** The code of an error Ferry's own handlers did not name: the status in words, as a stable identifier. */
    public static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 409 -> "conflict";
            case 411 -> "length_required";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 429 -> "too_many_requests";
            case 431 -> "headers_too_large";
            case 500 -> "internal";
            case 501 -> "not_implemented";
            case 503 -> "not_ready";
            case 505 -> "http_version_not_supported";
            default -> "http_" + status;
        };
    }

    /**
     * The message of an error raised by Javalin or Jetty: the status in words, then the server's reason when it
     * adds something. A 5xx never shows its reason, which may hold an exception's text.
     */
    static String message(int status, String reason) {
        String words = HttpStatus.getMessage(status);
        if (status >= 500 || reason == null || reason.isBlank() || reason.equalsIgnoreCase(words)) {
            return words;
        }
        String clean = reason.length() > 200 ? reason.substring(0, 200) + "..." : reason;
        return words + ": " + clean;
    }

    /**
     * Server settings of the shape: Jetty's error handler (server and servlet context) writes JSON, and a known
     * path called with the wrong method answers 405 instead of 404. Call from {@code Javalin.create}.
     */
    public static void configure(JavalinConfig config) {
        config.http.prefer405over404 = true;
        config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
        config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JsonErrorHandler()));
    }

    /**
     * The exception mappers of the shape: {@link HttpError} as it says, Javalin's {@link HttpResponseException}s
     * with {@link #codeFor}, anything else 500 {@code internal} (logged with its stack, never shown). A service may
     * register more specific mappers after this one.
     */
    public static void register(Javalin app) {
        app.exception(HttpError.class, (e, ctx) -> write(ctx, e));
        app.exception(HttpResponseException.class, (e, ctx) -> {
            if (e.getStatus() == 405) {
                allow(ctx, e.getDetails());
            }
            int status = e.getStatus() >= 400 && e.getStatus() <= 599 ? e.getStatus() : 500;
            write(ctx, new HttpError(status, codeFor(status), message(status, e.getMessage())));
        });
        app.exception(Exception.class, (e, ctx) -> {
            log.error("Unexpected error on {} {}", ctx.method(), ctx.path(), e);
            write(ctx, new HttpError(500, "internal", "Internal error"));
        });
    }

    /** RFC 9110 (15.5.6): a 405 names the methods the resource supports. */
    private static void allow(Context ctx, Map<String, String> details) {
        String methods = details.get("availableMethods");
        if (methods != null && !methods.isBlank()) {
            ctx.header("Allow", methods.replace("[", "").replace("]", ""));
        }
    }
}
