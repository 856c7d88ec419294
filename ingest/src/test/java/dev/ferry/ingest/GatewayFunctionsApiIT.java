package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * docs/design.md's HTTP API for functions, over real HTTP with the real pipeline behind ({@link GatewayApiFixture}):
 * deploying, describing, listing and removing them, and the 400s and 409s that refuse a spec or an update.
 */
class GatewayFunctionsApiIT extends GatewayApiTestBase {

    GatewayFunctionsApiIT(GatewayApiFixture shared) {
        super(shared);
    }

    @Test
    void shouldDeployDescribeListAndRemoveAFunctionWhenItIsTheCallersOwn() {
        HttpResponse<byte[]> created = api.put("/v1/functions/words", gamma,
                "{\"runtime\": \"JAVA\", \"handler\": \"wordcount\", \"memoryMb\": 256}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(json(created).get("memoryMb").asInt()).isEqualTo(256);

        // read-your-writes: the answer came after this gateway's directory had the function
        HttpResponse<byte[]> described = api.get("/v1/functions/words", gamma);
        assertThat(described.statusCode()).isEqualTo(200);
        JsonNode detail = json(described);
        assertThat(detail.get("handler").asText()).isEqualTo("wordcount");
        assertThat(detail.get("replicas").asInt()).isEqualTo(2);
        assertThat(detail.get("lag").asLong()).isEqualTo(7);

        HttpResponse<byte[]> updated = api.put("/v1/functions/words", gamma,
                "{\"runtime\": \"JAVA\", \"handler\": \"wordcount\", \"memoryMb\": 512}");
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(json(api.get("/v1/functions", gamma)).get("functions"))
                .extracting(f -> f.get("name").asText() + ":" + f.get("memoryMb").asInt() + ":"
                        + f.get("replicas").asInt() + ":" + f.get("lag").asLong())
                .containsExactly("words:512:2:7");

        assertThat(api.delete("/v1/functions/words", gamma).statusCode()).isEqualTo(204);
        assertThat(api.get("/v1/functions/words", gamma).statusCode()).isEqualTo(404);
        assertThat(api.delete("/v1/functions/words", gamma).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldShowUnknownReplicasAndLagWhenNoScalingSourceIsWired() {
        JsonNode detail = json(new HttpApi(bare.port()).get("/v1/functions/echo", acme));
        assertThat(detail.get("name").asText()).isEqualTo("echo");
        assertThat(detail.get("replicas").isNull()).isTrue();
        assertThat(detail.get("lag").isNull()).isTrue();
    }

    @Test
    void shouldAnswer400WithEveryErrorWhenTheSpecIsInvalid() {
        HttpResponse<byte[]> response = api.put("/v1/functions/bad", acme,
                "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"memoryMb\": 64, \"timeoutMs\": 0}");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = json(response);
        assertThat(body.get("code").asText()).isEqualTo("invalid_function");
        assertThat(body.get("errors")).extracting(JsonNode::asText).containsExactlyInAnyOrder(
                "memoryMb must be between 128 and 10240, got 64", "timeoutMs must be between 1 and 900000, got 0");

        HttpResponse<byte[]> process = api.put("/v1/functions/shell", acme,
                "{\"runtime\": \"PROCESS\", \"handler\": \"rm -rf /\"}");
        assertThat(process.statusCode()).isEqualTo(400);
        assertThat(text(process)).contains("PROCESS runtime is disabled");
        assertThat(api.put("/v1/functions/Bad_Name", acme, "{}").statusCode()).isEqualTo(400);
    }

    /** A non-loopback IPv4 address of one of this host's interfaces, if it has one. */
    private static java.util.Optional<String> ownAddress() {
        try {
            for (java.net.NetworkInterface nic : java.util.Collections.list(
                    java.net.NetworkInterface.getNetworkInterfaces())) {
                for (java.net.InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                    if (address instanceof java.net.Inet4Address && !address.isLoopbackAddress()
                            && !address.isLinkLocalAddress()) {
                        return java.util.Optional.of(address.getHostAddress());
                    }
                }
            }
        } catch (java.net.SocketException e) {
            // no interfaces to read: loopback is checked all the same
        }
        return java.util.Optional.empty();
    }

    /** Issue 12: an HTTP handler may not point at the platform's own services or the cloud's metadata. */
    @Test
    void shouldAnswer400WhenAnHttpHandlerPointsAtAnAddressTheWorkersRefuse() {
        List<String> urls = new java.util.ArrayList<>(List.of("http://127.0.0.1:9092/",
                "http://localhost:8081/subjects",
                "http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/v1/functions",
                "http://admin:SECRET@0.0.0.0:8082/v1/usage", "http://localhost.:9400/metrics"));
        // Tester 15A, finding 5: the host's own non-loopback address, where listeners bound to 0.0.0.0 answer.
        ownAddress().ifPresent(own -> urls.add("http://" + own + ":8080/readyz"));
        assertThat(platformConfig.platformPorts()).as("metering's default port, one URL above").contains(8082);
        for (String url : urls) {
            HttpResponse<byte[]> response = api.put("/v1/functions/inward", acme,
                    "{\"runtime\": \"HTTP\", \"handler\": \"" + url + "\"}");
            assertThat(response.statusCode()).as(url).isEqualTo(400);
            assertThat(json(response).get("code").asText()).isEqualTo("invalid_function");
            // A port this configuration gives Ferry itself (metering's 8082 here) no allowlist opens; every other
            // refusal names the setting that would.
            int port = java.net.URI.create(url).getPort();
            boolean platformPort = platformConfig.platformPorts().contains(port < 0 ? 80 : port);
            assertThat(json(response).get("error").asText()).as(url).contains("egress policy")
                    .contains(platformPort ? "where Ferry itself listens" : "worker.http.egress.allow")
                    .doesNotContain(platformPort ? "worker.http.egress.allow" : "where Ferry itself listens")
                    .doesNotContain("SECRET");
            // A tester: the spec's other 400s list each problem under errors, this one had none.
            assertThat(json(response).get("errors")).as(url).singleElement().extracting(JsonNode::asText)
                    .isEqualTo(json(response).get("error").asText());
        }
        // A tester: refused as "must be an http:// or https:// URL"; curl reads it as 169.254.169.254.
        HttpResponse<byte[]> octal = api.put("/v1/functions/inward", acme,
                "{\"runtime\": \"HTTP\", \"handler\": \"http://0251.0376.0251.0376/\"}");
        assertThat(octal.statusCode()).isEqualTo(400);
        assertThat(json(octal).get("errors")).singleElement().extracting(JsonNode::asText).asString()
                .contains("169.254.169.254").doesNotContain("http:// or https://");
        assertThat(api.get("/v1/functions/inward", acme).statusCode()).isEqualTo(404);
        assertThat(api.put("/v1/functions/outward", acme,
                "{\"runtime\": \"HTTP\", \"handler\": \"https://hooks.example.com/run\"}").statusCode())
                .isEqualTo(201);
    }

    /**
     * A tester: a spec with several problems listed only the field errors, the egress refusal showing up alone once
     * they were fixed; IPv6 literals with a zone id (which the JDK cannot parse), an IPv4-compatible loopback
     * address and a port past 65535 were accepted (201).
     */
    @Test
    void shouldListTheEgressRefusalWithTheSpecsOtherErrors() {
        HttpResponse<byte[]> both = api.put("/v1/functions/inward", acme,
                "{\"runtime\":\"HTTP\",\"handler\":\"http://169.254.169.254/x\",\"memoryMb\":1}");
        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(json(both).get("code").asText()).isEqualTo("invalid_function");
        assertThat(json(both).get("errors")).extracting(JsonNode::asText).hasSize(2)
                .anySatisfy(e -> assertThat(e).isEqualTo("memoryMb must be between 128 and 10240, got 1"))
                .anySatisfy(e -> assertThat(e).contains("egress policy").contains("cloud metadata"));
        assertThat(json(both).get("error").asText()).contains("memoryMb").contains("egress policy");

        for (String url : List.of("http://[::1%25lo]:18080/", "http://[fe80::fc:ff:fe00:1%25eth0]:18080/healthz",
                "http://[::ffff:127.0.0.1%lo]:19400/metrics", "http://[::ffff:7f00:1%1]:19400/metrics")) {
            HttpResponse<byte[]> zoned = api.put("/v1/functions/inward", acme,
                    "{\"runtime\": \"HTTP\", \"handler\": \"" + url + "\"}");
            assertThat(zoned.statusCode()).as(url).isEqualTo(400);
            assertThat(json(zoned).get("errors")).extracting(JsonNode::asText).as(url).hasSize(2)
                    .anySatisfy(e -> assertThat(e).contains("zone id"))
                    .anySatisfy(e -> assertThat(e).contains("egress policy"));
        }
        HttpResponse<byte[]> compatible = api.put("/v1/functions/inward", acme,
                "{\"runtime\": \"HTTP\", \"handler\": \"http://[::127.0.0.1]:18080/\"}");
        assertThat(compatible.statusCode()).isEqualTo(400);
        assertThat(json(compatible).get("errors")).singleElement().extracting(JsonNode::asText).asString()
                .contains("egress policy").contains("IPv4-compatible").contains("127.0.0.1");
        HttpResponse<byte[]> port = api.put("/v1/functions/inward", acme,
                "{\"runtime\": \"HTTP\", \"handler\": \"http://127.0.0.1:84936/\"}");
        assertThat(port.statusCode()).isEqualTo(400);
        assertThat(json(port).get("errors")).extracting(JsonNode::asText)
                .anySatisfy(e -> assertThat(e).contains("port 84936").contains("1 to 65535"));
        assertThat(api.get("/v1/functions/inward", acme).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldAnswer409WhenAnUpdateWouldShrinkPartitionsGrowAnOrderedFunctionsOrChangeDelivery() {
        shared.deploy(beta, "grow", "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 4}");

        HttpResponse<byte[]> shrink = api.put("/v1/functions/grow", beta,
                "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 2}");
        HttpResponse<byte[]> ordered = api.put("/v1/functions/grow", beta,
                "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 4, \"delivery\": \"ORDERED\"}");

        assertThat(shrink.statusCode()).isEqualTo(409);
        assertThat(json(shrink).get("code").asText()).isEqualTo("conflict");
        assertThat(ordered.statusCode()).isEqualTo(409);
        assertThat(json(api.get("/v1/functions/grow", beta)).get("partitions").asInt()).isEqualTo(4);

        // An ORDERED function's keys would run out of order after a raise (tester 13A); a QUEUE one's may grow.
        shared.deploy(beta, "keyed", "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 2, "
                + "\"delivery\": \"ORDERED\"}");
        HttpResponse<byte[]> raise = api.put("/v1/functions/keyed", beta,
                "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 8, \"delivery\": \"ORDERED\"}");
        assertThat(raise.statusCode()).isEqualTo(409);
        assertThat(json(raise).get("error").asText()).contains("ORDERED").contains("cannot grow from 2 to 8");
        assertThat(json(api.get("/v1/functions/keyed", beta)).get("partitions").asInt()).isEqualTo(2);
        assertThat(api.put("/v1/functions/grow", beta,
                "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 6}").statusCode()).isEqualTo(200);
        // Other tests list beta's functions.
        assertThat(api.delete("/v1/functions/grow", beta).statusCode()).isEqualTo(204);
        assertThat(api.delete("/v1/functions/keyed", beta).statusCode()).isEqualTo(204);
    }

    @Test
    void shouldCreateOnceAndCheckTheRestAgainstItWhenOneNameIsDeployedConcurrently() throws Exception {
        String queue = "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 2}";
        String ordered = "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 2, "
                + "\"delivery\": \"ORDERED\"}";
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<HttpResponse<byte[]>>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String body = i % 2 == 0 ? queue : ordered;
                answers.add(callers.submit(() -> api.put("/v1/functions/racy", beta, body)));
            }
            Map<String, List<Integer>> byDelivery = new java.util.TreeMap<>();
            for (int i = 0; i < answers.size(); i++) {
                HttpResponse<byte[]> answer = answers.get(i).get(60, TimeUnit.SECONDS);
                byDelivery.computeIfAbsent(i % 2 == 0 ? "QUEUE" : "ORDERED", d -> new java.util.ArrayList<>())
                        .add(answer.statusCode());
            }
            String kept = json(api.get("/v1/functions/racy", beta)).get("delivery").asText();
            String other = kept.equals("QUEUE") ? "ORDERED" : "QUEUE";
            assertThat(byDelivery.get(kept)).as("%s", byDelivery).containsOnly(200, 201).containsOnlyOnce(201);
            assertThat(byDelivery.get(other)).as("the other delivery conflicts with the function created: %s",
                    byDelivery).containsOnly(409);
        } finally {
            callers.shutdownNow();
        }
    }
}
