package dev.ferry.ingest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.http.HttpError;
import dev.ferry.core.http.HttpErrors;
import dev.ferry.schemas.FunctionSpec;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Small helpers every handler uses: who is calling, which function they mean, and JSON answers. */
public final class Http {

    public static final String JSON = "application/json";

    private Http() {
    }

    /** Authenticates the caller and counts the request against its rate. */
    public static Tenants.Caller caller(GatewayContext g, Context ctx) {
        Tenants.Caller caller = g.tenants().authenticate(ctx.header("Authorization"));
        g.quotas().admitRequest(caller.tenant(), caller.limits());
        return caller;
    }

    /**
     * The caller's function of that name. Another tenant's function of the same name is simply not looked at:
     * the answer is the same 404 as for a function that does not exist.
     */
    public static FunctionSpec function(GatewayContext g, Tenants.Caller caller, String name) {
        FunctionRef ref = ref(caller, name);
        return g.directory().get(ref)
                .orElseThrow(() -> ApiException.notFound("No function '" + name + "'"));
    }

    public static FunctionRef ref(Tenants.Caller caller, String name) {
        if (!FunctionRef.isValidName(name)) {
            throw ApiException.notFound("No function '" + abbreviate(name) + "'");
        }
        return new FunctionRef(caller.tenant(), name);
    }

    public static void json(GatewayContext g, Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType(JSON).result(write(g.mapper(), body));
    }

    /** Answers {@code e} in docs/design.md's error shape (core's {@link HttpErrors}). */
    public static void error(ObjectMapper mapper, Context ctx, HttpError e) {
        HttpErrors.write(ctx, e);
    }

    /** Answers {@code e} with every single problem listed under {@code errors}. */
    public static void error(ObjectMapper mapper, Context ctx, ApiException e, List<String> details) {
        HttpErrors.write(ctx, new HttpError(e.status(), e.code(), e.getMessage(), e.retryAfterSeconds(), details));
    }

    /**
     * The largest function or trigger spec accepted, in bytes (1 MiB): a spec is a few KiB of JSON; the limit only
     * keeps one caller from making the gateway hold an unbounded body.
     */
    public static final int MAX_SPEC_BYTES = 1024 * 1024;

    /** An invocation's payload: {@link #body} under the caller's payload limit, 413 {@code payload_too_large}. */
    public static byte[] payload(Context ctx, int limit) {
        return body(ctx, limit, "this tenant's limit");
    }

    /** A deployment's JSON (function or trigger spec): {@link #body} under {@link #MAX_SPEC_BYTES}. */
    public static byte[] spec(Context ctx) {
        return body(ctx, MAX_SPEC_BYTES, "the limit for a spec");
    }

    /**
     * The request body, never read past {@code limit} + 1 bytes: every route that reads a body reads it here. A
     * declared {@code Content-Length} over the limit is refused before any of it is read; a body without one
     * (chunked) is read from the input stream until it ends or passes the limit, and then refused with 413
     * {@code payload_too_large} without reading the rest (the connection is closed rather than drained).
     *
     * <p>Javalin's {@code http.maxRequestSize} is not enough: Javalin 6 compares it with the declared
     * {@code Content-Length} only, which a chunked request does not have (-1), and then {@code bodyAsBytes()}
     * reads the whole stream into memory, so {@code Transfer-Encoding: chunked} made the gateway hold 400 MB.
     *
     * @param what names the limit in the error message, e.g. "this tenant's limit"
     */
    static byte[] body(Context ctx, int limit, String what) {
        long declared = ctx.contentLength();
        if (declared > limit) {
            throw tooLarge(ctx, "of " + declared, limit, what);
        }
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes(limit == Integer.MAX_VALUE ? limit : limit + 1);
        } catch (IOException e) {
            throw new ApiException(400, "bad_request", "Cannot read the request body: " + e.getMessage());
        }
        if (body.length > limit) {
            throw tooLarge(ctx, "over " + limit, limit, what);
        }
        return body;
    }

    private static ApiException tooLarge(Context ctx, String size, int limit, String what) {
        // The rest of the body stays unread: the connection cannot carry another request after it.
        ctx.header("Connection", "close");
        return new ApiException(413, "payload_too_large", "Payload " + size + " bytes exceeds " + what + " of "
                + limit + " bytes");
    }

    /**
     * What went wrong, in words, for an error answer: the exception's message and, where it adds something, its root
     * cause's (e.g. "Cannot create topic ferry.work.t.f: ...: Too many open files"), at most 500 characters; the
     * class's simple name only when neither has a message. A 503 once said only "FerryException" (session 11).
     */
    static String inWords(Throwable e) {
        String text = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                : e.getMessage();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null && !root.getMessage().isBlank()
                && !text.contains(root.getMessage())) {
            text = text + ": " + root.getMessage();
        }
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }

    static String abbreviate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }

    private static byte[] write(ObjectMapper mapper, JsonNode body) {
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A JSON tree always serializes", e);
        }
    }
}
