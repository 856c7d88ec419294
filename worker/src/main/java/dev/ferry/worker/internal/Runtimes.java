package dev.ferry.worker.internal;

import dev.ferry.schemas.FunctionSpec;
import dev.ferry.worker.Function;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * Chooses the runtime of a spec. A handler that cannot be created yields a function that fails every call with
 * the reason, so each invocation still gets a result and a dead letter instead of stalling the pool.
 */
public final class Runtimes {

    private final boolean processRuntimeEnabled;
    private final HttpClient http;

    public Runtimes(boolean processRuntimeEnabled) {
        this.processRuntimeEnabled = processRuntimeEnabled;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    public FunctionRuntime forSpec(FunctionSpec spec) {
        return switch (spec.getRuntime()) {
            case JAVA -> new JavaRuntime();
            case HTTP -> new HttpRuntime(http);
            case PROCESS -> new ProcessRuntime(processRuntimeEnabled);
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
