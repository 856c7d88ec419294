package dev.ferry.core.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.FerryException;
import dev.ferry.core.config.ManagementConfig;
import dev.ferry.core.health.Readiness;
import dev.ferry.core.http.HttpErrors;
import dev.ferry.core.net.BearerTokens;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management listener of one process (issue 12): the operators' port, apart from the public gateway, serving
 * {@code GET /metrics} (Prometheus text; its labels name tenants and functions), {@code GET /healthz} (liveness: the
 * process answers) and {@code GET /readyz} (readiness: the checks of the services the process runs, by name; no
 * tenant data, no token, like {@code /healthz}). {@code /readyz} answers the process's {@link Readiness}, the very
 * answer of the gateway's public {@code /readyz} when the process runs one ({@link Readiness#report()}: 200
 * {@code {"checks":{name:"ok"},"status":"ready"}}, {@code degraded} listing failed advisory checks, or 503
 * {@code {"checks":{name:why or "ok"},"error":"not ready: name: why; ...","code":"not_ready"}}; session 12: a
 * dispatcher that could not route answered only {@code /healthz}, 200, so its probes saw nothing wrong; tester 13B:
 * a gateway's management {@code /readyz} left out the metering outage its public one reported). It binds to {@code management.host} (127.0.0.1 by
 * default) and, when {@code management.token} is set, answers {@code /metrics} only with {@code Authorization: Bearer <token>}; on any non-loopback address the token
 * is required and {@link #start} fails without it. Other paths answer 404, and a missing or wrong token 401, as
 * JSON {@code {"error", "code"}}.
 *
 * <p>Every service of the process shares one {@link FerryMetrics} registry, so one listener shows them all. The
 * JDK's server is enough for a scrape every few seconds.
 */
public final class ManagementServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;

    private ManagementServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts the listener {@code config} describes ({@code management.port} 0 picks a free port).
     *
     * @throws FerryException if the port cannot be bound, or the address is not loopback and no token is set
     */
    public static ManagementServer start(ManagementConfig config) {
        return start(config, new Readiness());
    }

    /**
     * As {@link #start(ManagementConfig)}, with {@code /readyz} answering {@code readiness}: the process's checks,
     * asked afresh at each probe (services add theirs as they start).
     */
    public static ManagementServer start(ManagementConfig config, Readiness readiness) {
        String token = config.token();
        BearerTokens.requireTokenOffLoopback("management listener", config.host(), token, ManagementConfig.TOKEN);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    String path = exchange.getRequestURI().getPath();
                    if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                        // RFC 9110, 15.5.6: a 405 says which methods the resource has.
                        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                        json(exchange, 405, error("Only GET is served here", "method_not_allowed"));
                    } else if ("/healthz".equals(path)) {
                        json(exchange, 200, "{\"status\":\"ok\"}");
                    } else if ("/readyz".equals(path)) {
                        ready(exchange, readiness.report());
                    } else if (!"/metrics".equals(path)) {
                        json(exchange, 404, error("Not found: the management listener serves /metrics, /healthz and "
                                + "/readyz", "not_found"));
                    } else if (!BearerTokens.accepts(token, exchange.getRequestHeaders().getFirst("Authorization"))) {
                        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                        json(exchange, 401, error("The operator token (management.token) is required",
                                "unauthorized"));
                    } else {
                        send(exchange, 200, PROMETHEUS_TEXT, FerryMetrics.scrape());
                    }
                }
            });
            server.start();
            log.info("Management listener (/metrics, /healthz, /readyz) on {}:{}{}", config.host(),
                    server.getAddress().getPort(), token.isEmpty() ? "" : ", operator token required");
            return new ManagementServer(server);
        } catch (IOException | IllegalArgumentException e) {
            throw new FerryException("Cannot open the management listener on " + config.host() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
    }

    private static void ready(HttpExchange exchange, Readiness.Report report) throws IOException {
        json(exchange, report.status(), JSON.writeValueAsString(report.body()));
    }

    /** The error shape every Ferry listener answers (core's {@link HttpErrors}), {@code errors} included. */
    private static String error(String message, String code) {
        return new String(HttpErrors.body(message, code), StandardCharsets.UTF_8);
    }

    private static void json(HttpExchange exchange, int status, String body) throws IOException {
        send(exchange, status, "application/json", body);
    }

    private static void send(HttpExchange exchange, int status, String type, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
