package dev.ferry.ingest.internal;

import dev.ferry.core.config.GatewayConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/**
 * A gateway's id among the gateways of a cluster: {@code gateway.id}, else {@code <host name>:<gateway.port>},
 * stable across restarts and distinct for gateways sharing a host. A gateway on a port chosen at start
 * ({@code gateway.port} 0) has no stable port, and takes {@code <host name>:<8 random hex digits>}.
 */
public final class GatewayId {

    private GatewayId() {
    }

    /** The id of the gateway configured by {@code config}. */
    public static String of(GatewayConfig config) {
        if (!config.id().isBlank()) {
            return config.id();
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + (config.port() != 0 ? Integer.toString(config.port())
                : UUID.randomUUID().toString().substring(0, 8));
    }
}
