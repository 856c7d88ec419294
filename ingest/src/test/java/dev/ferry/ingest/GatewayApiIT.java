package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.invocation.UsageGranularity;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.UsageRecord;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint and error status of docs/design.md's HTTP API, over real HTTP, with the real pipeline behind. */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GatewayApiIT {

    @TempDir
    static Path dir;

    private static Platform platform;
    private static Gateway gateway;
    private static Gateway bare;
    private static HttpApi api;
    private static FerryConfig platformConfig;
    private static String acme;
    private static String beta;
    private static String tiny;
    private static String slow;
    private static String narrow;
    private static final List<String> usageAskedFor = new CopyOnWriteArrayList<>();
    private static final List<UsageGranularity> granularitiesAskedFor = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start(KafkaFixture kafka) {
        TenantAdmin admin = new TenantAdmin(dir.resolve("tenants.json"));
        acme = admin.createTenant("acme");
        beta = admin.createTenant("beta");
        tiny = admin.createTenant("tiny", new Quota(null, null, null, 1024, 512));
        slow = admin.createTenant("slow", new Quota(0.1, 2, null, null, null));
        narrow = admin.createTenant("narrow", new Quota(null, null, 1, null, null));
        // The dispatcher's own payload limit below the gateway's lets a test see a REJECTED result answer.
        FerryConfig config = Platform.config(kafka, dir.resolve("tenants.json"))
                .with("dispatcher.max.payload.bytes", 4096);
        platformConfig = config;
        platform = Platform.start(config);
        UsageSource usage = (tenant, from, to, function, granularity) -> {
            usageAskedFor.add(tenant);
            granularitiesAskedFor.add(granularity);
            return List.of(usageRecord(tenant, "echo"), usageRecord("someone-else", "echo"));
        };
        ScalingSource scaling = new ScalingSource() {
            @Override
            public Optional<FunctionScaling> function(FunctionRef ref) {
                return Optional.of(new FunctionScaling(ref.function(), 2, 3, 7L));
            }

            @Override
            public List<FunctionScaling> tenant(String tenant) {
                return List.of(new FunctionScaling("echo", 2, 3, 7L));
            }
        };
        gateway = new Gateway(config).usageSource(usage).scalingSource(scaling).start();
        // Not sharing quotas, so the tests of the tenants' limits meet them whole on the main gateway, whichever of
        // the two gateways' ids sorts first (ClusterQuotasIT tests sharing).
        bare = new Gateway(config.with("gateway.quota.report.interval.ms", 0)).start();
        api = new HttpApi(gateway.port());
        deploy(acme, "echo", "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
        deploy(tiny, "echo", "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
        deploy(acme, "fail", "{\"runtime\": \"JAVA\", \"handler\": \"fail\", \"maxAttempts\": 2}");
        deploy(acme, "sleep", "{\"runtime\": \"JAVA\", \"handler\": \"sleep\", \"timeoutMs\": 300, \"maxAttempts\": 1}");
        deploy(acme, "picky", "{\"runtime\": \"JAVA\", \"handler\": \"sleep\", \"maxAttempts\": 3}");
        deploy(narrow, "sleep", "{\"runtime\": \"JAVA\", \"handler\": \"sleep\", \"concurrency\": 2}");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (bare != null) {
            bare.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    private static void deploy(String key, String name, String body) {
        HttpResponse<byte[]> response = api.put("/v1/functions/" + name, key, body);
        assertThat(response.statusCode()).as(text(response)).isIn(200, 201);
    }

    private static UsageRecord usageRecord(String tenant, String function) {
        return UsageRecord.newBuilder().setTenant(tenant).setFunction(function)
                .setWindowStart(Instant.parse("2026-01-01T00:00:00Z")).setWindowEnd(Instant.parse("2026-01-01T00:01:00Z"))
                .setInvocations(3).setFailures(1).setBilledMillis(12).setMbMillis(1536)
                .setCost(new BigDecimal("0.0000012345")).setAvailability(0.66).build();
    }

    @Test
    void shouldAnswer401WhenTheKeyIsMissingOrUnknown() {
        for (HttpResponse<byte[]> response : List.of(api.get("/v1/functions", null),
                api.get("/v1/functions", "ferry_not-a-key"),
                api.post("/v1/functions/echo/invoke", "ferry_not-a-key", "hi", "text/plain"))) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(json(response).get("code").asText()).isEqualTo("unauthorized");
            assertThat(text(response)).doesNotContain("ferry_not-a-key");
        }
    }

    @Test
    void shouldDeployDescribeListAndRemoveAFunctionWhenItIsTheCallersOwn() {
        HttpResponse<byte[]> created = api.put("/v1/functions/words", beta,
                "{\"runtime\": \"JAVA\", \"handler\": \"wordcount\", \"memoryMb\": 256}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(json(created).get("memoryMb").asInt()).isEqualTo(256);

        // read-your-writes: the answer came after this gateway's directory had the function
        HttpResponse<byte[]> described = api.get("/v1/functions/words", beta);
        assertThat(described.statusCode()).isEqualTo(200);
        JsonNode detail = json(described);
        assertThat(detail.get("handler").asText()).isEqualTo("wordcount");
        assertThat(detail.get("replicas").asInt()).isEqualTo(2);
        assertThat(detail.get("lag").asLong()).isEqualTo(7);

        HttpResponse<byte[]> updated = api.put("/v1/functions/words", beta,
                "{\"runtime\": \"JAVA\", \"handler\": \"wordcount\", \"memoryMb\": 512}");
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(json(api.get("/v1/functions", beta)).get("functions"))
                .extracting(f -> f.get("name").asText() + ":" + f.get("memoryMb").asInt() + ":"
                        + f.get("replicas").asInt() + ":" + f.get("lag").asLong())
                .containsExactly("words:512:2:7");

        assertThat(api.delete("/v1/functions/words", beta).statusCode()).isEqualTo(204);
        assertThat(api.get("/v1/functions/words", beta).statusCode()).isEqualTo(404);
        assertThat(api.delete("/v1/functions/words", beta).statusCode()).isEqualTo(404);
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
        for (String url : urls) {
            HttpResponse<byte[]> response = api.put("/v1/functions/inward", acme,
                    "{\"runtime\": \"HTTP\", \"handler\": \"" + url + "\"}");
            assertThat(response.statusCode()).as(url).isEqualTo(400);
            assertThat(json(response).get("code").asText()).isEqualTo("invalid_function");
            assertThat(json(response).get("error").asText()).contains("egress policy")
                    .contains("worker.http.egress.allow").doesNotContain("SECRET");
        }
        assertThat(api.get("/v1/functions/inward", acme).statusCode()).isEqualTo(404);
        assertThat(api.put("/v1/functions/outward", acme,
                "{\"runtime\": \"HTTP\", \"handler\": \"https://hooks.example.com/run\"}").statusCode())
                .isEqualTo(201);
    }

    @Test
    void shouldAnswer409WhenAnUpdateWouldShrinkPartitionsGrowAnOrderedFunctionsOrChangeDelivery() {
        deploy(beta, "grow", "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 4}");

        HttpResponse<byte[]> shrink = api.put("/v1/functions/grow", beta,
                "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 2}");
        HttpResponse<byte[]> ordered = api.put("/v1/functions/grow", beta,
                "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 4, \"delivery\": \"ORDERED\"}");

        assertThat(shrink.statusCode()).isEqualTo(409);
        assertThat(json(shrink).get("code").asText()).isEqualTo("conflict");
        assertThat(ordered.statusCode()).isEqualTo(409);
        assertThat(json(api.get("/v1/functions/grow", beta)).get("partitions").asInt()).isEqualTo(4);

        // An ORDERED function's keys would run out of order after a raise (tester 13A); a QUEUE one's may grow.
        deploy(beta, "keyed", "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 2, "
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
    void shouldRefuseMinReplicasThatWouldPinMoreThanTheReplicaBudgetLetsMinimumsHold() {
        HttpResponse<byte[]> huge = api.put("/v1/functions/v12", beta,
                "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"minReplicas\": 1000, \"maxReplicas\": 1000}");
        assertThat(huge.statusCode()).as(text(huge)).isEqualTo(400);
        assertThat(json(huge).get("code").asText()).isEqualTo("invalid_function");
        assertThat(json(huge).get("error").asText()).contains("autoscaler.max.total.replicas=100").contains("90");
        assertThat(api.get("/v1/functions/v12", beta).statusCode()).isEqualTo(404);

        // A small budget (3: minimums may hold 2), so the pools this starts stay small.
        try (Gateway small = new Gateway(platformConfig.with("autoscaler.max.total.replicas", 3)
                .with("gateway.quota.report.interval.ms", 0)).start()) {
            HttpApi smallApi = new HttpApi(small.port());
            String pinned = "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"minReplicas\": %d}";
            assertThat(smallApi.put("/v1/functions/pinned", beta, pinned.formatted(2)).statusCode()).isEqualTo(201);
            HttpResponse<byte[]> more = smallApi.put("/v1/functions/pinned-too", beta, pinned.formatted(1));
            assertThat(more.statusCode()).as("the tenant's minimums add up: %s", text(more)).isEqualTo(400);
            assertThat(json(more).get("error").asText()).contains("this tenant's other functions pin 2")
                    .contains("0 of the 2");
            assertThat(smallApi.put("/v1/functions/pinned", beta, pinned.formatted(2)).statusCode())
                    .as("an update counts the function once").isEqualTo(200);
            assertThat(smallApi.delete("/v1/functions/pinned", beta).statusCode()).isEqualTo(204);
        }
    }

    /**
     * Session 9: minimums were capped per tenant, so one tenant's idle pinned pools could hold what minimums may
     * hold of the platform's budget and another tenant's later minReplicas was accepted (201) and silently held
     * fewer. The budget is the platform's: the second tenant is refused, told how many are left, and never told
     * whose functions hold the rest.
     */
    @Test
    void shouldRefuseMinReplicasBeyondWhatThePlatformHasLeftWhenAnotherTenantPinsTheRest() {
        // A budget of 5: minimums may hold 4.
        try (Gateway small = new Gateway(platformConfig.with("autoscaler.max.total.replicas", 5)
                .with("gateway.quota.report.interval.ms", 0)).start()) {
            HttpApi smallApi = new HttpApi(small.port());
            String pinned = "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"minReplicas\": %d}";
            assertThat(smallApi.put("/v1/functions/hoard", beta, pinned.formatted(3)).statusCode()).isEqualTo(201);
            try {
                HttpResponse<byte[]> refused = smallApi.put("/v1/functions/later", acme, pinned.formatted(2));
                assertThat(refused.statusCode()).as("another tenant pins 3 of 4: %s", text(refused)).isEqualTo(400);
                assertThat(json(refused).get("code").asText()).isEqualTo("invalid_function");
                assertThat(json(refused).get("error").asText()).contains("1 of the 4")
                        .doesNotContain("beta").doesNotContain("hoard").doesNotContain("this tenant's");
                assertThat(smallApi.get("/v1/functions/later", acme).statusCode()).isEqualTo(404);
                assertThat(smallApi.put("/v1/functions/later", acme, pinned.formatted(1)).statusCode())
                        .as("what is left can be reserved").isEqualTo(201);
                assertThat(smallApi.delete("/v1/functions/later", acme).statusCode()).isEqualTo(204);
            } finally {
                assertThat(smallApi.delete("/v1/functions/hoard", beta).statusCode()).isEqualTo(204);
            }
        }
    }

    /**
     * Session 10: parallel deploys through one gateway were each checked against a directory that did not yet show
     * the others: 8 PUTs of minReplicas 2 with 8 left all answered 201. Writes that pin replicas now wait for each
     * other within a gateway.
     */
    @Test
    void shouldNotOvercommitMinReplicasWhenDeploysThroughOneGatewayComeAtOnce() throws Exception {
        // A budget of 10: minimums may hold 9, so four functions of minReplicas 2 fit and a fifth does not.
        try (Gateway small = new Gateway(platformConfig.with("autoscaler.max.total.replicas", 10)
                .with("gateway.quota.report.interval.ms", 0)).start()) {
            HttpApi smallApi = new HttpApi(small.port());
            String pinned = "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"minReplicas\": 2}";
            java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<String> created = new java.util.ArrayList<>();
            try {
                List<java.util.concurrent.Future<HttpResponse<byte[]>>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String path = "/v1/functions/rush-" + i;
                    answers.add(callers.submit(() -> smallApi.put(path, beta, pinned)));
                }
                List<Integer> codes = new java.util.ArrayList<>();
                for (int i = 0; i < answers.size(); i++) {
                    int code = answers.get(i).get(60, TimeUnit.SECONDS).statusCode();
                    codes.add(code);
                    if (code == 201) {
                        created.add("/v1/functions/rush-" + i);
                    }
                }
                assertThat(codes).as("2 x 201s may not pin more than 9").containsOnly(201, 400);
                assertThat(created).as("%s", codes).hasSize(4);
            } finally {
                callers.shutdownNow();
                for (String path : created) {
                    smallApi.delete(path, beta);
                }
            }
        }
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

    @Test
    void shouldAnswerWithTheOutputWhenInvokedSynchronously() {
        HttpResponse<byte[]> response = api.call("POST", "/v1/functions/echo/invoke", acme,
                HttpApi.bytes("{\"hello\": 1}"), Map.of("Content-Type", "application/json", "Ferry-Key", "k1"));

        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        assertThat(text(response)).isEqualTo("{\"hello\": 1}");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        assertThat(response.headers().firstValue("Ferry-Status")).contains("SUCCEEDED");
        assertThat(response.headers().firstValue("Ferry-Invocation-Id")).isPresent();
        assertThat(Long.parseLong(response.headers().firstValue("Ferry-Billed-Ms").orElseThrow())).isPositive();
    }

    /** The demo's '{not json' to sleep was retried and billed 3 times and answered with Jackson's parse error. */
    @Test
    void shouldAnswerAtOnceInPlainWordsWhenABuiltInRefusesAMalformedPayload() {
        HttpResponse<byte[]> response = api.post("/v1/functions/picky/invoke", acme, "{not json", "application/json");

        assertThat(response.statusCode()).as(text(response)).isEqualTo(502);
        assertThat(json(response).get("code").asText()).isEqualTo("not_retriable");
        assertThat(json(response).get("error").asText()).contains("not valid JSON").contains("{\"ms\": 100}")
                .doesNotContain("Exception").doesNotContain("Source");
        String id = response.headers().firstValue("Ferry-Invocation-Id").orElseThrow();
        JsonNode result = json(api.get("/v1/invocations/" + id, acme));
        assertThat(result.get("attempt").asInt()).as("maxAttempts 3, yet no retry: " + result).isEqualTo(1);
    }

    @Test
    void shouldAnswer502WithTheLastAttemptWhenTheFunctionKeepsFailing() {
        HttpResponse<byte[]> response = api.post("/v1/functions/fail/invoke", acme, "x", "text/plain");

        assertThat(response.statusCode()).as(text(response)).isEqualTo(502);
        assertThat(response.headers().firstValue("Ferry-Status")).contains("FAILED");
        assertThat(json(response).get("code").asText()).isEqualTo("function_failed");
        String id = response.headers().firstValue("Ferry-Invocation-Id").orElseThrow();
        assertThat(json(response).get("invocationId").asText()).isEqualTo(id);
        assertThat(response.headers().firstValue("Location")).contains("/v1/invocations/" + id);
        // only the final attempt answers: the result on record is attempt 2 of 2, on any gateway
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(json(api.get("/v1/invocations/" + id, acme)).get("attempt").asInt()).isEqualTo(2);
            assertThat(json(new HttpApi(bare.port()).get("/v1/invocations/" + id, acme)).get("attempt").asInt())
                    .isEqualTo(2);
        });
    }

    /**
     * docs/design.md section 6: a 504 comes "with the invocation id and Location". A final TIMED_OUT answered only
     * the Ferry-Invocation-Id header (a tester, session 9); its Location now answers on any gateway.
     */
    @Test
    void shouldAnswer504WithTheIdAndALocationAnyGatewayAnswersWhenTheFunctionTimesOut() {
        HttpResponse<byte[]> response = api.post("/v1/functions/sleep/invoke", acme, "{\"ms\": 5000}",
                "application/json");

        assertThat(response.statusCode()).as(text(response)).isEqualTo(504);
        assertThat(response.headers().firstValue("Ferry-Status")).contains("TIMED_OUT");
        assertThat(json(response).get("code").asText()).isEqualTo("function_timed_out");
        String id = response.headers().firstValue("Ferry-Invocation-Id").orElseThrow();
        assertThat(json(response).get("invocationId").asText()).isEqualTo(id);
        String location = response.headers().firstValue("Location").orElseThrow();
        assertThat(location).isEqualTo("/v1/invocations/" + id);
        for (HttpApi any : List.of(api, new HttpApi(bare.port()))) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                HttpResponse<byte[]> fetched = any.get(location, acme);
                assertThat(fetched.statusCode()).as(text(fetched)).isEqualTo(200);
                assertThat(json(fetched).get("status").asText()).isEqualTo("TIMED_OUT");
            });
        }
    }

    @Test
    void shouldAnswer404WhenTheFunctionDoesNotExist() {
        HttpResponse<byte[]> response = api.post("/v1/functions/nothing/invoke", acme, "x", "text/plain");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("code").asText()).isEqualTo("not_found");
        assertThat(api.get("/v1/no/such/route", acme).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldAnswer413WhenThePayloadIsOverTheTenantsLimit() {
        String justRight = "a".repeat(1024);
        String tooBig = "a".repeat(1025);

        assertThat(api.post("/v1/functions/echo/invoke", tiny, justRight, "text/plain").statusCode()).isEqualTo(200);
        HttpResponse<byte[]> sync = api.post("/v1/functions/echo/invoke", tiny, tooBig, "text/plain");
        HttpResponse<byte[]> async = api.post("/v1/functions/echo/invocations", tiny, "a".repeat(513), "text/plain");

        assertThat(sync.statusCode()).isEqualTo(413);
        assertThat(json(sync).get("code").asText()).isEqualTo("payload_too_large");
        assertThat(async.statusCode()).isEqualTo(413);
    }

    @Test
    void shouldAnswerWithTheFittingStatusWhenThePipelineRejectsTheInvocation() {
        HttpResponse<byte[]> response = api.post("/v1/functions/echo/invoke", acme, "a".repeat(5000), "text/plain");

        assertThat(response.statusCode()).as(text(response)).isEqualTo(413);
        assertThat(response.headers().firstValue("Ferry-Status")).contains("REJECTED");
        assertThat(json(response).get("error").asText()).contains("exceeds the limit");
        assertThat(json(response).get("invocationId").asText())
                .isEqualTo(response.headers().firstValue("Ferry-Invocation-Id").orElseThrow());
    }

    @Test
    void shouldAnswer429WithRetryAfterWhenOverTheRequestRate() {
        assertThat(api.get("/v1/functions", slow).statusCode()).isEqualTo(200);
        assertThat(api.get("/v1/functions", slow).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> third = api.get("/v1/functions", slow);

        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(json(third).get("code").asText()).isEqualTo("rate_limited");
        assertThat(Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 10L);
    }

    @Test
    void shouldAnswer429WhenTheTenantHasTooManyInvocationsInFlight() {
        CompletableFuture<HttpResponse<byte[]>> first = CompletableFuture.supplyAsync(() ->
                api.post("/v1/functions/sleep/invoke", narrow, "{\"ms\": 3000}", "application/json"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<byte[]> second = api.post("/v1/functions/sleep/invoke", narrow, "{\"ms\": 1}",
                    "application/json");
            assertThat(second.statusCode()).isEqualTo(429);
            assertThat(json(second).get("code").asText()).isEqualTo("concurrency_limited");
            assertThat(second.headers().firstValue("Retry-After")).isPresent();
        });
        assertThat(first.join().statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAcceptAnAsynchronousInvocationThenServeItsResult() {
        HttpResponse<byte[]> accepted = api.post("/v1/functions/echo/invocations", acme, "later", "text/plain");

        assertThat(accepted.statusCode()).isEqualTo(202);
        String id = json(accepted).get("invocationId").asText();
        assertThat(accepted.headers().firstValue("Location")).contains("/v1/invocations/" + id);

        HttpResponse<byte[]> first = api.get("/v1/invocations/" + id, acme);
        assertThat(first.statusCode()).isIn(200, 202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<byte[]> done = api.get("/v1/invocations/" + id, acme);
            assertThat(done.statusCode()).isEqualTo(200);
            assertThat(json(done).get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(json(done).get("output").asText()).isEqualTo("later");
        });
        assertThat(api.get("/v1/invocations/not-an-id", acme).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldHideEverythingOfATenantFromAnother() {
        HttpResponse<byte[]> accepted = api.post("/v1/functions/echo/invocations", acme, "private", "text/plain");
        String id = json(accepted).get("invocationId").asText();

        assertThat(json(api.get("/v1/functions", beta)).get("functions"))
                .noneMatch(f -> f.get("name").asText().equals("echo"));
        assertThat(api.get("/v1/functions/echo", beta).statusCode()).isEqualTo(404);
        assertThat(api.post("/v1/functions/echo/invoke", beta, "x", "text/plain").statusCode()).isEqualTo(404);
        assertThat(api.post("/v1/functions/echo/invocations", beta, "x", "text/plain").statusCode()).isEqualTo(404);
        assertThat(api.delete("/v1/functions/echo", beta).statusCode()).isEqualTo(404);
        assertThat(api.get("/v1/invocations/" + id, beta).statusCode()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(api.get("/v1/invocations/" + id, acme).statusCode()).isEqualTo(200));
        assertThat(api.get("/v1/invocations/" + id, beta).statusCode()).isEqualTo(404);
        assertThat(api.get("/v1/functions/echo", acme).statusCode()).isEqualTo(200);

        HttpResponse<byte[]> usage = api.get("/v1/usage?function=echo", beta);
        assertThat(usage.statusCode()).isEqualTo(200);
        assertThat(json(usage).get("tenant").asText()).isEqualTo("beta");
        assertThat(json(usage).get("records")).allMatch(r -> !r.toString().contains("someone-else"));
        assertThat(usageAskedFor).contains("beta").doesNotContain("someone-else");
    }

    @Test
    void shouldServeTheTenantsUsageAndScalingWhenSourcesAreWired() {
        HttpResponse<byte[]> usage = api.get("/v1/usage?from=2026-01-01T00:00:00Z&to=1767312000000", acme);

        assertThat(usage.statusCode()).isEqualTo(200);
        JsonNode record = json(usage).get("records").get(0);
        assertThat(record.get("function").asText()).isEqualTo("echo");
        assertThat(record.get("cost").asText()).isEqualTo("0.0000012345");
        assertThat(json(usage).get("records")).hasSize(1);
        // One layout for usage rows, the gateway's as metering's own (issue 13, part 5).
        assertThat(record.fieldNames()).toIterable().containsExactly("tenant", "function", "windowStart", "windowEnd",
                "invocations", "failures", "billedMillis", "mbMillis", "gbSeconds", "cost", "availability",
                "successRatio");
        assertThat(json(usage).get("granularity").asText()).isEqualTo("window");
        assertThat(api.get("/v1/usage?from=yesterday", acme).statusCode()).isEqualTo(400);

        HttpResponse<byte[]> daily = api.get("/v1/usage?granularity=DAY", acme);
        assertThat(daily.statusCode()).isEqualTo(200);
        assertThat(json(daily).get("granularity").asText()).isEqualTo("day");
        assertThat(granularitiesAskedFor).contains(UsageGranularity.DAY);
        HttpResponse<byte[]> weekly = api.get("/v1/usage?granularity=week", acme);
        assertThat(weekly.statusCode()).isEqualTo(400);
        assertThat(json(weekly).get("error").asText()).contains("granularity must be one of window, hour, day");

        HttpResponse<byte[]> scaling = api.get("/v1/scaling", acme);
        assertThat(scaling.statusCode()).isEqualTo(200);
        assertThat(json(scaling).get("functions").get(0).get("desiredReplicas").asInt()).isEqualTo(3);
    }

    @Test
    void shouldAnswer503NotReadyWhenUsageAndScalingAreNotWired() {
        HttpApi unwired = new HttpApi(bare.port());
        for (HttpResponse<byte[]> response : List.of(unwired.get("/v1/usage", acme), unwired.get("/v1/scaling", acme))) {
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(json(response).get("code").asText()).isEqualTo("not_ready");
        }
    }

    @Test
    void shouldServeHealthReadinessMetricsAndTheFrontPage() {
        assertThat(api.get("/healthz", null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/readyz", null).statusCode() == 200);
        assertThat(json(api.get("/readyz", null)).get("status").asText()).isEqualTo("ready");
        api.post("/v1/functions/echo/invoke", acme, "count me", "text/plain");

        // Issue 12: metrics name every tenant, so they are served on the management listener only.
        assertThat(api.get("/metrics", null).statusCode()).isEqualTo(404);
        assertThat(api.get("/metrics", acme).statusCode()).isEqualTo(404);
        assertThat(platform.management().get("/metrics", null).statusCode()).isEqualTo(401);
        HttpResponse<byte[]> metrics = platform.management().get("/metrics", Platform.OPERATOR_TOKEN);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(text(metrics)).contains("ferry_gateway_requests_total").contains("ferry_gateway_invocations_total");
        HttpResponse<byte[]> page = api.get("/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(text(page)).contains("Ferry");
    }
}
