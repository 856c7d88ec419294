package dev.ferry.ingest.internal;

import dev.ferry.core.config.GatewayConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Locale;
import java.util.UUID;

/**
 * A gateway's id among the gateways of a cluster (issue 15): it names the gateway's reply topic
 * {@code ferry.replies.<id>} and keys its quota reports on {@code ferry.quotas}. {@code gateway.id} when set; else
 * the host name and the HTTP port ({@code web-1-8080}), lower case, anything but {@code a-z0-9-} turned into
 * {@code -}, so it is stable across restarts and distinct for gateways sharing a host; with port 0 (chosen at start)
 * a random suffix instead of the port. Derive it once per gateway: a random suffix differs on every call.
 */
public final class GatewayId {

    private GatewayId() {
    }

    /** The id of the gateway configured by {@code config}. */
    public static String of(GatewayConfig config) {
        if (!config.id().isEmpty()) {
            return config.id();
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "gateway";
        }
        host = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        if (host.length() > 80) {
            host = host.substring(0, 80);
        }
        String suffix = config.port() != 0 ? Integer.toString(config.port())
                : UUID.randomUUID().toString().substring(0, 8);
        return host + "-" + suffix;
    }
}
