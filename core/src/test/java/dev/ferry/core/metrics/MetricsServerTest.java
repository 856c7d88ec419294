package dev.ferry.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

    @Test
    void shouldServeTheProcessRegistryInPrometheusTextFormat() throws Exception {
        Counter.builder("ferry.test.served").tag("function", "echo").register(FerryMetrics.registry()).increment(3);

        try (MetricsServer server = MetricsServer.start(FerryMetrics.registry(), 0)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            assertThat(response.body()).contains("ferry_test_served_total{function=\"echo\"} 3.0")
                    .contains("jvm_memory_used_bytes");
        }
    }
}
