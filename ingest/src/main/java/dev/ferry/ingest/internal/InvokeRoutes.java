package dev.ferry.ingest.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.http.HttpErrors;
import dev.ferry.core.http.Timestamps;
import dev.ferry.core.invocation.BilledTime;
import dev.ferry.core.invocation.HeaderText;
import dev.ferry.core.invocation.ReasonCode;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code POST .../invoke} (synchronous), {@code POST .../invocations} (asynchronous), {@code GET /v1/invocations/{id}}. */
public final class InvokeRoutes {

    private static final Logger log = LoggerFactory.getLogger(InvokeRoutes.class);

    public static final String INVOCATION_ID = "Ferry-Invocation-Id";
    public static final String STATUS = "Ferry-Status";
    public static final String BILLED_MS = "Ferry-Billed-Ms";
    public static final String KEY = "Ferry-Key";
    public static final String DEADLINE = "Ferry-Deadline";
    public static final String TRACEPARENT = HeaderText.TRACEPARENT;
    /** W3C Trace Context: vendors' trace state, which travels with {@code traceparent} (at most 512 characters). */
    public static final String TRACESTATE = HeaderText.TRACESTATE;
    /** The same limit a trigger applies to a source record's {@code tracestate} ({@link HeaderText}). */
    private static final int MAX_TRACESTATE_LENGTH = HeaderText.MAX_TRACESTATE_LENGTH;
    private static final int MAX_KEY_LENGTH = 1024;
    private static final String HEADER_RULE = "it travels as an HTTP header value";
    private static final String ARRIVES_RULE = "HTTP header values arrive as ISO-8859-1, so any other character is "
            + "not the text that was sent";
    /** Why a key must be ASCII: the same key must be the same bytes whichever way it came in. */
    private static final String KEY_RULE = "HTTP header values arrive as ISO-8859-1, so any other character would not "
            + "be the same key as on the Kafka path, breaking per-key order";

    /**
     * How long an asynchronous call waits for Kafka's acknowledgement of its request before it answers 504
     * {@code unconfirmed} (docs/design.md section 6). Above the producer's {@code max.block.ms} (5 s, Gateway), so a
     * send refused for want of metadata answers 503 before it.
     */
    public static final Duration ACK_WAIT = Duration.ofSeconds(10);

    private final GatewayContext g;

    public InvokeRoutes(GatewayContext g) {
        this.g = g;
    }

    public void register(Javalin app) {
        app.post("/v1/functions/{name}/invoke", this::invoke);
        app.post("/v1/functions/{name}/invocations", this::submit);
        app.get("/v1/invocations/{id}", this::status);
    }

    private void invoke(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        FunctionSpec spec = Http.function(g, caller, ctx.pathParam("name"));
        byte[] payload = Http.payload(ctx, caller.limits().syncMaxPayloadBytes());
        // The result comes back on this gateway's own reply topic (issue 15, part 5).
        InvocationRequest request = request(ctx, caller, spec, payload, g.replies().replyTopic());
        Runnable release = g.quotas().acquireSlot(caller.tenant(), caller.limits());
        String id = request.getInvocationId();
        Timer.Sample sample = Timer.start(g.metrics());
        Duration wait = Duration.ofMillis(spec.getTimeoutMs() + g.config().gateway().syncWaitMarginMs());
        CompletableFuture<InvocationResult> result = g.router().expect(caller.tenant(), id, spec.getMaxAttempts(),
                wait);
        ctx.header(INVOCATION_ID, id);
        // The answer comes at the wait's end at the latest, whether or not Kafka has acknowledged the request by
        // then: the wait runs from now, not from the acknowledgement (a tester froze the broker and a call was held
        // unanswered past 60 s, then ran). Only a send that certainly wrote nothing answers before with 503; one that
        // may still be written waits on for its result, and at the deadline is the 504 that names the id.
        CompletableFuture<InvocationResult> outcome = new CompletableFuture<>();
        result.whenComplete((r, error) -> {
            if (error != null) {
                outcome.completeExceptionally(error);
            } else {
                outcome.complete(r);
            }
        });
        send(request).whenComplete((sent, error) -> {
            Throwable cause = unwrap(error);
            if (cause instanceof Produced.NotWritten) {
                outcome.completeExceptionally(cause);
            } else if (cause != null) {
                log.warn("Kafka did not acknowledge synchronous invocation {}, which may still be written: {}", id,
                        cause.toString());
            }
        });
        ctx.future(() -> outcome.handleAsync((r, error) -> {
            release.run();
            if (error != null) {
                g.router().forget(caller.tenant(), id);
                answerFailure(ctx, caller, spec, request, unwrap(error));
            } else {
                answer(ctx, r);
            }
            sample.stop(g.metrics().timer("ferry.gateway.invoke.latency", "mode", "sync"));
            return null;
        }, g.responses()));
    }

    private void submit(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        FunctionSpec spec = Http.function(g, caller, ctx.pathParam("name"));
        byte[] payload = Http.payload(ctx, caller.limits().asyncMaxPayloadBytes());
        // Any gateway may be asked for the id: its result goes to the topic they all read.
        InvocationRequest request = request(ctx, caller, spec, payload, g.replies().asyncTopic());
        Runnable release = g.quotas().acquireSlot(caller.tenant(), caller.limits());
        String id = request.getInvocationId();
        g.store().pending(caller.tenant(), id, spec.getName());
        // The in-flight slot is held until the final result, or until every attempt could have run.
        Duration wait = Duration.ofMillis((long) spec.getTimeoutMs() * spec.getMaxAttempts()
                + g.config().gateway().syncWaitMarginMs());
        g.router().expect(caller.tenant(), id, spec.getMaxAttempts(), wait).whenComplete((r, e) -> release.run());
        // The request and the ownership marker (issue 15, part 4) go out together, and 202 waits for both, so a
        // restarted or another gateway then knows the id is this tenant's and pending. Only the request decides
        // between 202 and 503: a lost marker leaves ownership in this gateway's memory, as before issue 15; a marker
        // whose request failed names an id no caller heard of (the 503 carries none).
        CompletableFuture<Void> marked = g.replies().accept(g.producer(), request, g.responses())
                .exceptionally(error -> {
                    log.warn("The ownership marker of invocation {} was not written: {}", id, error.toString());
                    return null;
                });
        CompletableFuture<Void> sent = send(request);
        // Bounded (session 15: a frozen broker held an asynchronous call over 60 s, which then ran, its caller never
        // told): at ACK_WAIT the caller hears what is known, never a plain failure for a call that may still run.
        CompletableFuture<Void> acked = sent.thenCombine(marked, (s, m) -> s);
        ctx.future(() -> acked.copy().orTimeout(ACK_WAIT.toMillis(), TimeUnit.MILLISECONDS).handle((ok, error) -> {
            Throwable cause = unwrap(error);
            boolean requestAcked = sent.isDone() && !sent.isCompletedExceptionally();
            if (cause == null || requestAcked) {
                accepted(ctx, caller, id);
            } else if (cause instanceof Produced.NotWritten notWritten) {
                g.router().forget(caller.tenant(), id);
                g.store().forget(caller.tenant(), id);
                release.run();
                Http.error(g.mapper(), ctx, unavailable(notWritten.getCause()));
            } else {
                unconfirmed(ctx, caller, id, sent, release);
            }
            return null;
        }));
    }

    private void accepted(Context ctx, Tenants.Caller caller, String id) {
        g.metrics().counter("ferry.gateway.invocations", "mode", "async", "tenant", caller.tenant(),
                "status", "ACCEPTED").increment();
        ObjectNode body = g.mapper().createObjectNode().put("invocationId", id);
        ctx.header("Location", location(id)).header(INVOCATION_ID, id);
        Http.json(g, ctx, 202, body);
    }

    /**
     * 504 {@code unconfirmed} naming the id: Kafka has not acknowledged the request within {@link #ACK_WAIT} (or its
     * send failed in a way that may still have written it). It stays pending here ({@code GET} answers 202) and may
     * still run: a caller checks the id before it submits again, or runs the function twice. Should the send later
     * turn out certainly unwritten, the id is forgotten ({@code GET} answers 404).
     */
    private void unconfirmed(Context ctx, Tenants.Caller caller, String id, CompletableFuture<Void> sent,
            Runnable release) {
        g.metrics().counter("ferry.gateway.invocations", "mode", "async", "tenant", caller.tenant(),
                "status", "UNCONFIRMED").increment();
        log.warn("Kafka did not acknowledge asynchronous invocation {} within {} ms; answered 504 unconfirmed",
                id, ACK_WAIT.toMillis());
        sent.whenComplete((ok, late) -> {
            Throwable cause = unwrap(late);
            if (cause == null) {
                log.info("Kafka acknowledged invocation {} after its caller was told it is unconfirmed", id);
            } else if (cause instanceof Produced.NotWritten) {
                log.warn("Invocation {}, answered unconfirmed, was not written: {}", id, cause.getCause().toString());
                g.router().forget(caller.tenant(), id);
                g.store().forget(caller.tenant(), id);
                release.run();
            } else {
                log.warn("Invocation {}, answered unconfirmed, may or may not have been written (it stays pending): "
                        + "{}", id, cause.toString());
            }
        });
        ctx.header("Location", location(id)).header(INVOCATION_ID, id);
        naming(ctx, id, new ApiException(504, "unconfirmed", "Kafka did not acknowledge the invocation within "
                + ACK_WAIT.toMillis() + " ms; it may still be written and run: check GET " + location(id)
                + " (202 while pending) before submitting it again"));
    }

    private void status(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        String id = ctx.pathParam("id");
        ResultStore.Entry entry = g.store().get(caller.tenant(), id)
                .orElseThrow(() -> ApiException.notFound("No invocation '" + Http.abbreviate(id) + "'"));
        InvocationResult result = entry.result();
        ctx.header(INVOCATION_ID, id);
        if (result != null && Finality.isFinal(result, maxAttempts(caller.tenant(), entry.function()))) {
            ctx.header(STATUS, result.getStatus().name());
            Http.json(g, ctx, 200, ResultJson.toJson(g.mapper(), result));
            return;
        }
        ObjectNode body = g.mapper().createObjectNode().put("invocationId", id)
                .put("status", result == null ? "PENDING" : "RETRYING");
        if (result != null) {
            body.put("attempt", result.getAttempt()).put("lastError", result.getError());
        }
        Http.json(g, ctx, 202, body);
    }

    /**
     * The fallback of {@link Finality} for results that do not say whether they are final. A function deleted
     * since has no spec: its latest result is then all there will be.
     */
    private int maxAttempts(String tenant, String function) {
        return g.directory().get(new FunctionRef(tenant, function)).map(FunctionSpec::getMaxAttempts).orElse(1);
    }

    private InvocationRequest request(Context ctx, Tenants.Caller caller, FunctionSpec spec, byte[] payload,
            String replyTo) {
        InvocationRequest.Builder builder = Requests.newRequest(caller.tenant(), spec.getName(), payload)
                .setReplyTo(replyTo);
        String contentType = ctx.contentType();
        if (contentType != null && !contentType.isBlank()) {
            userHeader("Content-Type", contentType, HeaderText.MAX_LENGTH, HEADER_RULE);
            builder.setContentType(contentType);
        }
        String key = ctx.header(KEY);
        if (key != null) {
            if (key.isBlank() || key.length() > MAX_KEY_LENGTH) {
                throw ApiException.badRequest(KEY + " must be 1 to " + MAX_KEY_LENGTH + " characters");
            }
            userHeader(KEY, key, MAX_KEY_LENGTH, KEY_RULE);
            builder.setKey(key);
        }
        String deadline = ctx.header(DEADLINE);
        if (deadline != null) {
            Instant at = Timestamps.parse(DEADLINE, deadline);
            if (!at.isAfter(Instant.now())) {
                throw ApiException.badRequest(DEADLINE + " " + at + " has already passed");
            }
            builder.setDeadline(at);
        }
        Map<String, String> headers = new HashMap<>();
        String traceparent = ctx.header(TRACEPARENT);
        if (traceparent != null) {
            userHeader(TRACEPARENT, traceparent, HeaderText.MAX_LENGTH, ARRIVES_RULE);
            headers.put(TRACEPARENT, traceparent);
            // W3C Trace Context propagates tracestate with traceparent, never alone (a tester, session 13: the
            // gateway dropped it, so no HTTP caller's function saw TRACESTATE).
            String tracestate = ctx.header(TRACESTATE);
            if (tracestate != null && !tracestate.isBlank()) {
                userHeader(TRACESTATE, tracestate, MAX_TRACESTATE_LENGTH, ARRIVES_RULE);
                headers.put(TRACESTATE, tracestate);
            }
        }
        builder.setHeaders(headers);
        return builder.build();
    }

    /**
     * Refuses (400) a header value a caller gave that is not printable ASCII or too long: one rule for every header
     * Ferry reads from a caller and keeps ({@code Content-Type}, {@code Ferry-Key}, {@code traceparent},
     * {@code tracestate}; core's
     * {@link HeaderText}). {@code Ferry-Deadline} is parsed, and {@code Authorization} only compared.
     */
    private static void userHeader(String name, String value, int maxLength, String why) {
        HeaderText.problem(name, value, maxLength, why).ifPresent(problem -> {
            throw ApiException.badRequest(problem);
        });
    }

    /**
     * Produces {@code request} from a thread of the gateway's executor, never the request's. Fails with
     * {@link Produced.NotWritten} when nothing was certainly written.
     */
    private CompletableFuture<Void> send(InvocationRequest request) {
        return Produced.send(g.producer(), new ProducerRecord<>(g.invocationsTopic(), Requests.recordKey(request),
                request), g.responses()).thenApply(metadata -> {
                    // The arrival rate of the throughput model (issue 17): what this gateway admitted.
                    g.stats().admitted(new FunctionRef(request.getTenant(), request.getFunction()));
                    return null;
                });
    }

    private void answer(Context ctx, InvocationResult result) {
        InvocationStatus status = result.getStatus();
        ctx.header(STATUS, status.name());
        ctx.header(BILLED_MS, Long.toString(BilledTime.billedMillis(result)));
        g.metrics().counter("ferry.gateway.invocations", "mode", "sync", "tenant", result.getTenant(),
                "status", status.name()).increment();
        switch (status) {
            case SUCCEEDED -> {
                byte[] output = ResultJson.bytes(result.getOutput());
                ctx.status(200).contentType(result.getContentType()).result(output == null ? new byte[0] : output);
            }
            case FAILED -> answerRun(ctx, result, failed(result));
            case TIMED_OUT -> answerRun(ctx, result, new ApiException(504, "function_timed_out",
                    "The function timed out: " + result.getError()));
            case THROTTLED -> naming(ctx, result.getInvocationId(), new ApiException(429, "throttled",
                    "The platform throttled the invocation: " + result.getError(), 1));
            case REJECTED -> naming(ctx, result.getInvocationId(), rejected(result));
            default -> throw new IllegalStateException("unknown status " + status);
        }
    }

    /**
     * A 502 or 504 whose final result is the outcome of a run (FAILED, TIMED_OUT): as docs/design.md section 6 says
     * of every 504, with {@code Location: /v1/invocations/{id}} and the id in the body, so its result (error, attempt,
     * billed time) can be fetched later. That result came to this gateway's reply topic only: it is passed on to
     * {@code ferry.async-results} too, so the {@code Location} works on any gateway, as for a 504 still pending. A
     * final TIMED_OUT answered only the {@code Ferry-Invocation-Id} header before (a tester, session 9).
     */
    private void answerRun(Context ctx, InvocationResult result, ApiException error) {
        g.responses().execute(() -> g.replies().passOn(result)); // the answer never waits on the producer
        ctx.header("Location", location(result.getInvocationId()));
        naming(ctx, result.getInvocationId(), error);
    }

    /** An error answer about an invocation that was produced: its id in the body as in the header. */
    private static void naming(Context ctx, String invocationId, ApiException error) {
        HttpErrors.write(ctx, error, Map.of("invocationId", invocationId));
    }

    private static String location(String invocationId) {
        return "/v1/invocations/" + invocationId;
    }

    /**
     * 502, whose code is the result's {@code reasonCode} wherever that says more than "it failed", so the answer and
     * the invocation's result (GET /v1/invocations/{id}) name the same reason: an output too large for a result (the
     * function itself did not fail, issue 11); a function that refused its input ({@code not_retriable}: the
     * caller's payload is wrong, and sending it again cannot help); a function that cannot run at all
     * ({@code function_unavailable}: its class is missing, its runtime disabled, its URL refused by the egress policy
     * at call time; a tester saw 502 {@code function_failed} beside a result saying {@code function_unavailable});
     * a record that kept killing its workers ({@code delivery_limit}). The last attempt's failure
     * ({@code attempts_exhausted}) or no code at all (an older writer, a newer code) is {@code function_failed}.
     */
    static ApiException failed(InvocationResult result) {
        ReasonCode reason = ReasonCode.parse(result.getReasonCode()).orElse(ReasonCode.ATTEMPTS_EXHAUSTED);
        return switch (reason) {
            case OUTPUT_TOO_LARGE -> new ApiException(502, reason.code(), result.getError());
            case NOT_RETRIABLE -> new ApiException(502, reason.code(),
                    "The function refused the input, and sending it again will not help: " + result.getError());
            case FUNCTION_UNAVAILABLE -> new ApiException(502, reason.code(),
                    "The function cannot run: " + result.getError());
            case DELIVERY_LIMIT -> new ApiException(502, reason.code(),
                    "The invocation was delivered too many times without an answer: " + result.getError());
            default -> new ApiException(502, "function_failed", "The function failed: " + result.getError());
        };
    }

    /**
     * The result's {@code reasonCode} decides the status (docs/design.md, "HTTP API"): the function is unknown (404),
     * the invocation too large, payload or envelope (413), anything else, or no code from an older writer, 400. The
     * error text is only shown, never read (issue 13 part 1).
     */
    static ApiException rejected(InvocationResult result) {
        String message = "Rejected: " + result.getError();
        return switch (ReasonCode.parse(result.getReasonCode()).orElse(ReasonCode.INVALID_REQUEST)) {
            case UNKNOWN_FUNCTION -> new ApiException(404, "not_found", message);
            case PAYLOAD_TOO_LARGE -> new ApiException(413, "payload_too_large", message);
            default -> new ApiException(400, "rejected", message);
        };
    }

    private void answerFailure(Context ctx, Tenants.Caller caller, FunctionSpec spec, InvocationRequest request,
            Throwable error) {
        if (error instanceof TimeoutException) {
            // No final result in time (none at all, or only a retried attempt's: the router never hands over one
            // that is not final), so the invocation is pending and may still finish: let the caller fetch it by id
            // later, from any gateway (issue 15): the ownership marker makes it pending everywhere, and its late
            // result, which comes to this gateway's reply topic only, is passed on to the shared asynchronous one.
            g.store().pending(caller.tenant(), request.getInvocationId(), request.getFunction());
            g.replies().accept(g.producer(), request, g.responses()).exceptionally(e -> {
                log.warn("The ownership marker of timed-out invocation {} was not written: {}",
                        request.getInvocationId(), e.toString());
                return null;
            });
            // Results read from now on are passed on by the marker (GatewayReplies); one that came between the
            // wait's end and the marker is in the store already.
            g.store().get(caller.tenant(), request.getInvocationId()).map(ResultStore.Entry::result)
                    .filter(r -> Finality.isFinal(r, spec.getMaxAttempts())).ifPresent(r -> {
                        g.router().forget(caller.tenant(), request.getInvocationId());
                        g.responses().execute(() -> g.replies().passOn(r));
                    });
            ctx.header("Location", location(request.getInvocationId()));
            naming(ctx, request.getInvocationId(), new ApiException(504, "timeout", error.getMessage()
                    + "; the invocation is still pending: fetch its result later with GET "
                    + location(request.getInvocationId())));
            return;
        }
        Http.error(g.mapper(), ctx, unavailable(error instanceof Produced.NotWritten ? error.getCause() : error));
    }

    private static ApiException unavailable(Throwable error) {
        if (error instanceof RecordTooLargeException) {
            // Payload and envelope over what ferry.invocations takes: the caller's to fix, not an outage (issue 11).
            return new ApiException(413, "payload_too_large", "The invocation is too large for the platform's "
                    + "topics (topic.max.message.bytes): " + error.getMessage());
        }
        log.warn("Cannot submit an invocation: {}", error.toString());
        return new ApiException(503, "unavailable", "Cannot submit the invocation to Kafka: "
                + error.getClass().getSimpleName());
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
