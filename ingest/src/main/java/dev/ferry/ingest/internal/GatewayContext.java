package dev.ferry.ingest.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.functions.FunctionPublisher;
import dev.ferry.core.health.Readiness;
import dev.ferry.core.net.EgressPolicy;
import dev.ferry.ingest.ScalingSource;
import dev.ferry.ingest.UsageSource;
import dev.ferry.schemas.InvocationRequest;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.producer.Producer;

/**
 * Everything the gateway's HTTP handlers share, built once by {@code Gateway.start()}. {@code usage} and
 * {@code scaling} are null until wired. {@code responses} writes answers that a result completes, so the result
 * reader never blocks on a slow HTTP client. {@code triggers} serves {@code /v1/triggers} (issue 14). {@code replies} names where results come back and
 * writes the ownership markers of asynchronous calls (issue 15). {@code pinning} serializes the writes that pin
 * replicas, functions' and triggers' alike. {@code leftovers} finds the work topics deleted functions left, which the
 * partition budget counts. {@code egress} is the workers' egress policy, which a deploy checks an HTTP handler against.
 */
public record GatewayContext(
        FerryConfig config,
        ObjectMapper mapper,
        Tenants tenants,
        TenantQuotas quotas,
        FunctionDirectory directory,
        DirectoryWatch watch,
        FunctionPublisher publisher,
        ResultStore store,
        ResultRouter router,
        FunctionStats stats,
        Producer<String, InvocationRequest> producer,
        String invocationsTopic,
        PrometheusMeterRegistry metrics,
        UsageSource usage,
        ScalingSource scaling,
        Readiness readiness,
        Executor responses,
        GatewayTriggers triggers,
        GatewayReplies replies,
        PinningWrites pinning,
        LeftoverWorkTopics leftovers,
        EgressPolicy egress) {
}
