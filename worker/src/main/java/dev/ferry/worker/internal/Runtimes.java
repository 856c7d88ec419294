package dev.ferry.worker.internal;

import dev.ferry.core.config.TopicConfig;
import dev.ferry.core.net.EgressPolicy;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.worker.Function;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;

/**
 * Chooses the runtime of a spec. A handler that cannot be created yields a function that fails every call with
 * the reason, so each invocation still gets a result and a dead letter instead of stalling the pool.
 */
public final class Runtimes {

    private final boolean processRuntimeEnabled;
    private final HttpClient http;
    private final EgressPolicy httpEgress;
    private final int maxOutputBytes;

    /**
     * With the default egress policy of the HTTP runtime (no allowlist) and outputs read up to the default
     * {@code topic.max.message.bytes}.
     */
    public Runtimes(boolean processRuntimeEnabled) {
        this(processRuntimeEnabled, EgressPolicy.allowing(List.of()), TopicConfig.DEFAULT_MAX_MESSAGE_BYTES);
    }

    /**
     * @param maxOutputBytes the largest output a result can carry ({@link WorkerResources#maxResultBytes()}): the
     *                       HTTP and PROCESS runtimes read a handler's output no further than this + 1 bytes
     */
    public Runtimes(boolean processRuntimeEnabled, EgressPolicy httpEgress, int maxOutputBytes) {
        this.processRuntimeEnabled = processRuntimeEnabled;
        this.maxOutputBytes = maxOutputBytes;
        this.httpEgress = httpEgress;
        // Redirects are not followed: each would be a call to an address the egress policy has not checked.
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public FunctionRuntime forSpec(FunctionSpec spec) {
        return switch (spec.getRuntime()) {
            case JAVA -> new JavaRuntime();
            case HTTP -> new HttpRuntime(http, httpEgress, maxOutputBytes);
            case PROCESS -> new ProcessRuntime(processRuntimeEnabled, maxOutputBytes);
        };
    }

    /** The function of a replica: the runtime's, or one that explains why there is none. */
    public Function create(FunctionSpec spec) {
        try {
            return forSpec(spec).create(spec);
        } catch (FunctionUnavailableException e) {
            return in -> {
                throw e;
            };
        }
    }
}
