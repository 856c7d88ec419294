package dev.ferry.core.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of the management listener: the operators' port, apart from the public gateway, that serves
 * {@code /metrics} (whose labels name every tenant and function), {@code /healthz} and {@code /readyz}. Issue 12:
 * the public port never shows tenant labels; this one binds to the loopback interface unless told otherwise, and a
 * listener on any other address must have {@value #TOKEN} set (it refuses to start without).
 */
public final class ManagementConfig {

    public static final String HOST = "management.host";
    public static final String PORT = "management.port";
    public static final String TOKEN = "management.token";

    /** {@value #PORT} value that runs no management listener. */
    public static final int DISABLED = -1;

    private final String host;
    private final int port;
    private final Password token;

    ManagementConfig(AbstractConfig config) {
        this.host = config.getString(HOST);
        this.port = config.getInt(PORT);
        this.token = config.getPassword(TOKEN);
    }

    static void define(ConfigDef def) {
        def.define(HOST, Type.STRING, "127.0.0.1", Importance.HIGH,
                        "Address the management listener (/metrics, /healthz, /readyz) binds to. The default serves "
                                + "this host only; any other address needs management.token.")
                .define(PORT, Type.INT, 9400, Range.between(DISABLED, 65535), Importance.MEDIUM,
                        "Port of the management listener; 0 picks a free port, -1 runs none.")
                .define(TOKEN, Type.PASSWORD, "", Importance.HIGH,
                        "Operator token: when set, /metrics answers only requests with 'Authorization: Bearer "
                                + "<token>' (Prometheus: authorization.credentials). Never logged.");
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public boolean enabled() {
        return port != DISABLED;
    }

    /** The operator token, or empty when none is set. Never log it. */
    public String token() {
        return token == null ? "" : token.value();
    }
}
