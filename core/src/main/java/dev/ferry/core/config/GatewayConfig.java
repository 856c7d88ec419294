package dev.ferry.core.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the HTTP gateway. */
public final class GatewayConfig {

    public static final String PORT = "gateway.port";
    public static final String TENANTS_FILE = "gateway.tenants.file";
    public static final String SYNC_MAX_PAYLOAD_BYTES = "gateway.sync.max.payload.bytes";
    public static final String ASYNC_MAX_PAYLOAD_BYTES = "gateway.async.max.payload.bytes";
    public static final String RESULT_RETENTION_MS = "gateway.result.retention.ms";

    private final int port;
    private final String tenantsFile;
    private final int syncMaxPayloadBytes;
    private final int asyncMaxPayloadBytes;
    private final long resultRetentionMs;

    GatewayConfig(AbstractConfig config) {
        this.port = config.getInt(PORT);
        this.tenantsFile = config.getString(TENANTS_FILE);
        this.syncMaxPayloadBytes = config.getInt(SYNC_MAX_PAYLOAD_BYTES);
        this.asyncMaxPayloadBytes = config.getInt(ASYNC_MAX_PAYLOAD_BYTES);
        this.resultRetentionMs = config.getLong(RESULT_RETENTION_MS);
    }

    static void define(ConfigDef def) {
        def.define(PORT, Type.INT, 8080, Range.between(0, 65535), Importance.HIGH,
                        "HTTP port of the gateway and dashboard; 0 picks a free port.")
                .define(TENANTS_FILE, Type.STRING, "", Importance.HIGH,
                        "The tenants file: tenants, hashed API keys and quotas.")
                .define(SYNC_MAX_PAYLOAD_BYTES, Type.INT, 6 * 1024 * 1024, Range.atLeast(0), Importance.MEDIUM,
                        "Default payload limit of a synchronous invoke (as AWS Lambda: 6 MiB); tenants may override.")
                .define(ASYNC_MAX_PAYLOAD_BYTES, Type.INT, 256 * 1024, Range.atLeast(0), Importance.MEDIUM,
                        "Default payload limit of an asynchronous invoke (as AWS Lambda: 256 KiB); tenants may override.")
                .define(RESULT_RETENTION_MS, Type.LONG, 24L * 60 * 60 * 1000, Range.atLeast(0), Importance.MEDIUM,
                        "How long asynchronous results stay retrievable by id.");
    }

    public int port() {
        return port;
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
}
