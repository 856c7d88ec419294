package dev.ferry.ingest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.http.HttpError;
import dev.ferry.core.http.HttpErrors;
import dev.ferry.schemas.FunctionSpec;
import io.javalin.http.Context;
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
     * The request body, refused with 413 when over {@code limit}; a declared length over the limit is refused
     * before the body is read.
     */
    public static byte[] payload(Context ctx, int limit) {
        long declared = ctx.contentLength();
        if (declared > limit) {
            throw tooLarge(declared, limit);
        }
        byte[] body = ctx.bodyAsBytes();
        if (body.length > limit) {
            throw tooLarge(body.length, limit);
        }
        return body;
    }

    private static ApiException tooLarge(long size, int limit) {
        return new ApiException(413, "payload_too_large", "Payload of " + size + " bytes exceeds this tenant's "
                + "limit of " + limit + " bytes");
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
