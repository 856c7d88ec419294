package dev.ferry.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.ManagementConfig;
import dev.ferry.core.health.Readiness;
import dev.ferry.core.health.ReadinessCheck;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ManagementServerTest {

    private static ManagementConfig config(Map<String, Object> more) {
        return FerryConfig.defaults().with(ManagementConfig.PORT, 0).with(more).management();
    }

    private static HttpResponse<String> get(ManagementServer server, String path, String authorization)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeTheProcessRegistryInPrometheusTextFormatWhenNoTokenIsSetOnLoopback() throws Exception {
        Counter.builder("ferry.test.served").tag("function", "echo").register(FerryMetrics.registry()).increment(3);

        try (ManagementServer server = ManagementServer.start(config(Map.of()))) {
            HttpResponse<String> response = get(server, "/metrics", null);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            assertThat(response.body()).contains("ferry_test_served_total{function=\"echo\"} 3.0")
                    .contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void shouldAnswer401WithoutTheOperatorTokenAndServeMetricsWithIt() throws Exception {
        Counter.builder("ferry.test.secret").tag("tenant", "acme").register(FerryMetrics.registry()).increment();

        try (ManagementServer server = ManagementServer.start(config(Map.of(ManagementConfig.TOKEN, "op-token")))) {
            for (String wrong : new String[] {null, "Bearer nope", "Bearer op-token-longer", "Basic op-token"}) {
                HttpResponse<String> refused = get(server, "/metrics", wrong);
                assertThat(refused.statusCode()).as(String.valueOf(wrong)).isEqualTo(401);
                assertThat(refused.body()).contains("\"code\":\"unauthorized\"").doesNotContain("acme");
            }
            HttpResponse<String> scraped = get(server, "/metrics", "Bearer op-token");
            assertThat(scraped.statusCode()).isEqualTo(200);
            assertThat(scraped.body()).contains("ferry_test_secret_total{tenant=\"acme\"}");
            assertThat(get(server, "/healthz", null).body()).isEqualTo("{\"status\":\"ok\"}");
            HttpResponse<String> unknown = get(server, "/other", "Bearer op-token");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("\"code\":\"not_found\"").contains("\"errors\":[\"Not found: ");
        }
    }

    @Test
    void shouldRunScrapeHooksUntilTheyAreClosed() throws Exception {
        int[] runs = new int[1];
        try (ManagementServer server = ManagementServer.start(config(Map.of()))) {
            try (AutoCloseable hook = FerryMetrics.beforeScrape(() -> runs[0]++)) {
                get(server, "/metrics", null);
            }
            get(server, "/metrics", null);
        }
        assertThat(runs[0]).isEqualTo(1);
    }

    /** Session 12: a process whose service cannot work says so on /readyz, as the gateway does, without a token. */
    @Test
    void shouldAnswerReadyzWithEveryCheckAnd503NamingTheOnesNotReady() throws Exception {
        Readiness checks = new Readiness().add("workers", ReadinessCheck.READY);
        try (ManagementServer server = ManagementServer.start(config(Map.of(ManagementConfig.TOKEN, "op-token")),
                checks)) {
            HttpResponse<String> ready = get(server, "/readyz", null);
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"checks\":{\"workers\":\"ok\"},\"status\":\"ready\"}");

            checks.add("dispatcher", () -> Optional.of("stepped out: \"registry\" unavailable"));
            HttpResponse<String> notReady = get(server, "/readyz", null);
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("\"code\":\"not_ready\"")
                    .contains("\"error\":\"not ready: dispatcher: stepped out: \\\"registry\\\" unavailable\"")
                    .contains("\"workers\":\"ok\"")
                    .contains("\"errors\":[\"dispatcher: stepped out: \\\"registry\\\" unavailable\"]");
        }
    }

    @Test
    void shouldRefuseToListenBeyondLoopbackWithoutAToken() {
        assertThatThrownBy(() -> ManagementServer.start(config(Map.of(ManagementConfig.HOST, "0.0.0.0"))))
                .isInstanceOf(FerryException.class).hasMessageContaining(ManagementConfig.TOKEN);
    }

    @Test
    void shouldSayWhichMethodsItServesWhenRefusingAnother() throws Exception {
        try (ManagementServer server = ManagementServer.start(config(Map.of()))) {
            HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(refused.statusCode()).isEqualTo(405);
            assertThat(refused.headers().firstValue("Allow")).hasValue("GET, HEAD");
            assertThat(refused.body()).contains("\"code\":\"method_not_allowed\"");
        }
    }
}
