package dev.ferry.core.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Settings of the HTTP gateway. */
public final class GatewayConfig {

    public static final String PORT = "gateway.port";
    public static final String ID = "gateway.id";
    public static final String TENANTS_FILE = "gateway.tenants.file";
    public static final String SYNC_MAX_PAYLOAD_BYTES = "gateway.sync.max.payload.bytes";
    public static final String ASYNC_MAX_PAYLOAD_BYTES = "gateway.async.max.payload.bytes";
    public static final String RESULT_RETENTION_MS = "gateway.result.retention.ms";
    public static final String RESULT_STORE_MAX_ENTRIES = "gateway.result.store.max.entries";
    public static final String RESULT_STORE_MAX_BYTES = "gateway.result.store.max.bytes";
    public static final String SYNC_WAIT_MARGIN_MS = "gateway.sync.wait.margin.ms";
    public static final String DRAIN_TIMEOUT_MS = "gateway.drain.timeout.ms";
    public static final String QUOTA_REQUESTS_PER_SECOND = "gateway.quota.requests.per.second";
    public static final String QUOTA_BURST = "gateway.quota.burst";
    public static final String QUOTA_MAX_CONCURRENT = "gateway.quota.max.concurrent";
    public static final String QUOTA_REPORT_INTERVAL_MS = "gateway.quota.report.interval.ms";

    /**
     * The range of a tenant's sustained request rate, requests per second, the default's and every tenant's own
     * alike. Beyond it the numbers derived from a rate stop being numbers: a tenant created with 1e308 had every call
     * answered 500, its bucket's derived burst having overflowed to Infinity (a tester, session 9).
     */
    public static final double MIN_REQUESTS_PER_SECOND = 0.001;
    /** See {@link #MIN_REQUESTS_PER_SECOND}. */
    public static final double MAX_REQUESTS_PER_SECOND = 1e9;

    private final int port;
    private final String id;
    private final String tenantsFile;
    private final int syncMaxPayloadBytes;
    private final int asyncMaxPayloadBytes;
    private final long resultRetentionMs;
    private final int resultStoreMaxEntries;
    private final long resultStoreMaxBytes;
    private final long syncWaitMarginMs;
    private final long drainTimeoutMs;
    private final double quotaRequestsPerSecond;
    private final int quotaBurst;
    private final int quotaMaxConcurrent;
    private final long quotaReportIntervalMs;

    GatewayConfig(AbstractConfig config) {
        this.port = config.getInt(PORT);
        this.id = config.getString(ID);
        this.tenantsFile = config.getString(TENANTS_FILE);
        this.syncMaxPayloadBytes = config.getInt(SYNC_MAX_PAYLOAD_BYTES);
        this.asyncMaxPayloadBytes = config.getInt(ASYNC_MAX_PAYLOAD_BYTES);
        this.resultRetentionMs = config.getLong(RESULT_RETENTION_MS);
        this.resultStoreMaxEntries = config.getInt(RESULT_STORE_MAX_ENTRIES);
        this.resultStoreMaxBytes = config.getLong(RESULT_STORE_MAX_BYTES);
        this.syncWaitMarginMs = config.getLong(SYNC_WAIT_MARGIN_MS);
        this.drainTimeoutMs = config.getLong(DRAIN_TIMEOUT_MS);
        this.quotaRequestsPerSecond = config.getDouble(QUOTA_REQUESTS_PER_SECOND);
        this.quotaBurst = config.getInt(QUOTA_BURST);
        this.quotaMaxConcurrent = config.getInt(QUOTA_MAX_CONCURRENT);
        this.quotaReportIntervalMs = config.getLong(QUOTA_REPORT_INTERVAL_MS);
    }

    static void define(ConfigDef def) {
        def.define(PORT, Type.INT, 8080, Range.between(0, 65535), Importance.HIGH,
                        "HTTP port of the gateway and dashboard; 0 picks a free port.")
                .define(ID, Type.STRING, "", (name, value) -> {
                    String id = (String) value;
                    if (id != null && !id.isEmpty() && !id.matches("[a-z0-9_-]{1,100}")) {
                        throw new ConfigException(name, value, "1 to 100 of a-z, 0-9, '-', '_' (it names a topic)");
                    }
                }, Importance.MEDIUM,
                        "This gateway's id among the gateways of the cluster: it names its reply topic "
                                + "ferry.replies.<id> and its quota reports (issue 15). Empty: <host name>-<gateway.port> "
                                + "(<host name>-<random hex> when gateway.port is 0). "
                                + "Keep it stable across restarts, or reply topics of gone ids pile up (empty after "
                                + "an hour, until an operator deletes them). Unique per gateway: a gateway that finds "
                                + "another live one with its id in ferry.quotas refuses to start, and of two that run "
                                + "with one id the later steps out (ERROR, /readyz 503, calls 503).")
                .define(TENANTS_FILE, Type.STRING, "", Importance.HIGH,
                        "The tenants file: tenants, hashed API keys and quotas. A file named must exist and "
                                + "parse at start.")
                .define(SYNC_MAX_PAYLOAD_BYTES, Type.INT, 6 * 1024 * 1024, Range.atLeast(0), Importance.MEDIUM,
                        "Default payload limit of a synchronous invoke (as AWS Lambda: 6 MiB); tenants may override.")
                .define(ASYNC_MAX_PAYLOAD_BYTES, Type.INT, 256 * 1024, Range.atLeast(0), Importance.MEDIUM,
                        "Default payload limit of an asynchronous invoke (as AWS Lambda: 256 KiB); tenants may override.")
                .define(RESULT_RETENTION_MS, Type.LONG, 24L * 60 * 60 * 1000, Range.atLeast(0), Importance.MEDIUM,
                        "How long asynchronous results stay retrievable by id; a restarted gateway reads "
                                + "ferry.async-results and ferry.accepted back this far.")
                .define(RESULT_STORE_MAX_ENTRIES, Type.INT, 100_000, Range.atLeast(1), Importance.LOW,
                        "Most results a gateway keeps for GET /v1/invocations/{id}; the oldest go first.")
                .define(RESULT_STORE_MAX_BYTES, Type.LONG, 256L * 1024 * 1024, Range.atLeast(0), Importance.LOW,
                        "Most output bytes a gateway keeps for GET /v1/invocations/{id}; the oldest go first.")
                .define(SYNC_WAIT_MARGIN_MS, Type.LONG, 5_000L, Range.atLeast(0), Importance.LOW,
                        "A synchronous invoke waits the function's timeoutMs plus this margin (routing, retries, "
                                + "queueing) before it answers 504.")
                .define(DRAIN_TIMEOUT_MS, Type.LONG, 4_000L, Range.atLeast(0), Importance.LOW,
                        "On stop, how long the gateway answers the calls it holds (refusing new ones with 503) "
                                + "before it tells synchronous callers still waiting to fetch their result by id.")
                .define(QUOTA_REQUESTS_PER_SECOND, Type.DOUBLE, 100.0, Range.between(MIN_REQUESTS_PER_SECOND, MAX_REQUESTS_PER_SECOND), Importance.MEDIUM,
                        "Default sustained request rate per tenant (token bucket refill); tenants may override.")
                .define(QUOTA_BURST, Type.INT, 200, Range.atLeast(1), Importance.MEDIUM,
                        "Default burst per tenant (token bucket size); tenants may override.")
                .define(QUOTA_MAX_CONCURRENT, Type.INT, 100, Range.atLeast(1), Importance.MEDIUM,
                        "Default limit of a tenant's in-flight invocations across all gateways; tenants may override.")
                .define(QUOTA_REPORT_INTERVAL_MS, Type.LONG, 1_000L, Range.atLeast(0), Importance.LOW,
                        "How often each gateway reports its load per tenant to ferry.quotas, from which the gateways "
                                + "share every tenant's limits (issue 15); a gateway silent for 3 intervals drops out. "
                                + "0 turns sharing off: each gateway then enforces the whole limits alone.")
;
    }

    public int port() {
        return port;
    }

    /** The configured {@code gateway.id}; empty when it is to be derived. */
    public String id() {
        return id;
    }

    public String tenantsFile() {
        return tenantsFile;
    }

    public int syncMaxPayloadBytes() {
        return syncMaxPayloadBytes;
    }

    public int asyncMaxPayloadBytes() {
        return asyncMaxPayloadBytes;
    }

    public long resultRetentionMs() {
        return resultRetentionMs;
    }

    public int resultStoreMaxEntries() {
        return resultStoreMaxEntries;
    }

    public long resultStoreMaxBytes() {
        return resultStoreMaxBytes;
    }

    public long syncWaitMarginMs() {
        return syncWaitMarginMs;
    }

    public double quotaRequestsPerSecond() {
        return quotaRequestsPerSecond;
    }

    public int quotaBurst() {
        return quotaBurst;
    }

    public int quotaMaxConcurrent() {
        return quotaMaxConcurrent;
    }

    /** Milliseconds between two quota reports; 0: limits are enforced per gateway, unshared. */
    public long quotaReportIntervalMs() {
        return quotaReportIntervalMs;
    }

    /** The configured gateway id; empty when it is to be derived from the host name and HTTP port. */
    public long drainTimeoutMs() {
        return drainTimeoutMs;
    }
}
