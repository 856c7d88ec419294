package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.config.ManagementConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.ingest.TenantAdmin;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, "done when": every HTTP endpoint of every listener of a whole platform (the gateway's {@code /v1/*},
 * {@code /}, {@code /metrics}, {@code /healthz}, {@code /readyz}; the management listener; metering's usage API),
 * called as another tenant and as no one, answers nothing of the first tenant's function names, invocation ids,
 * usage, trigger names or topics. Where the path names acme's function or invocation, the answer must be the one for a name that never
 * existed, word for word.
 */
@FerryKafkaTest
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TenantIsolationIT {

    private static final String FUNCTION = "acme-ledger-7f3";
    private static final String NEVER = "zz-nothing-x9q";
    private static final String TRIGGER = "acme-feed-4k2";
    private static final String OPERATOR_TOKEN = "operator-token-1";
    private static final String METERING_TOKEN = "metering-token-1";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    record Answer(int status, String body) {
    }

    @Test
    void shouldShowNothingOfOneTenantToAnotherOrToNoOneOnAnyListener(KafkaFixture kafka) throws Exception {
        TenantAdmin admin = new TenantAdmin(dir.resolve("tenants.json"));
        String acme = admin.createTenant("acme");
        String globex = admin.createTenant("globex");
        Map<String, Object> settings = new HashMap<>();
        settings.put(FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl());
        settings.put(FerryConfig.TOPIC_PREFIX, "iso" + Long.toHexString(System.nanoTime()) + ".");
        settings.put("topic.partitions", 2);
        settings.put(GatewayConfig.PORT, 0);
        settings.put(GatewayConfig.TENANTS_FILE, dir.resolve("tenants.json").toString());
        settings.put(MeteringConfig.HTTP_PORT, 0);
        settings.put(MeteringConfig.HTTP_TOKEN, METERING_TOKEN);
        settings.put(MeteringConfig.WINDOW_MS, 2000L);
        settings.put(MeteringConfig.GRACE_MS, 1000L);
        settings.put(MeteringConfig.STATE_DIR, dir.resolve("metering").toString());
        settings.put(ManagementConfig.PORT, 0);
        settings.put(ManagementConfig.TOKEN, OPERATOR_TOKEN);
        FerryConfig config = new FerryConfig(settings);

        try (Platform platform = Platform.start(config, EnumSet.allOf(Platform.Role.class), null,
                new PrintWriter(new StringWriter()))) {
            String gateway = "http://127.0.0.1:" + platform.gatewayPort();
            String management = "http://127.0.0.1:" + platform.managementPort();
            String metering = platform.meteringUrl().toString();

            // acme's data: a function, a synchronous and an asynchronous invocation, billed usage.
            assertThat(call("PUT", gateway + "/v1/functions/" + FUNCTION, acme,
                    "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}").status()).isEqualTo(201);
            Answer sync = await().atMost(Duration.ofSeconds(60)).until(
                    () -> call("POST", gateway + "/v1/functions/" + FUNCTION + "/invoke", acme, "acme-sync"),
                    a -> a.status() == 200);
            assertThat(sync.body()).isEqualTo("acme-sync");
            String syncId = lastInvocationId;
            Answer accepted = call("POST", gateway + "/v1/functions/" + FUNCTION + "/invocations", acme, "acme-async");
            assertThat(accepted.status()).isEqualTo(202);
            String asyncId = lastInvocationId;
            await().atMost(Duration.ofSeconds(60)).until(
                    () -> call("GET", gateway + "/v1/invocations/" + asyncId, acme, null).status() == 200);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(
                    () -> call("GET", gateway + "/v1/usage?from=0", acme, null).body().contains(FUNCTION));
            // and a trigger on a topic of its own (issue 14)
            String topic = "acme-orders-" + Long.toHexString(System.nanoTime());
            admin.setTopics("acme", List.of("acme-*"));
            kafka.createTopic(topic, 1);
            Answer trigger = await().atMost(Duration.ofSeconds(10)).until(() -> call("PUT",
                    gateway + "/v1/triggers/" + TRIGGER, acme, "{\"function\": \"" + FUNCTION + "\", \"topics\": [\""
                            + topic + "\"]}"), a -> a.status() != 403); // the gateway rereads the file within 1 s
            assertThat(trigger.status()).as(trigger.body()).isEqualTo(201);
            List<String> secrets = List.of(FUNCTION, syncId, asyncId, "acme", TRIGGER, topic);

            // Controls: the owner and the operator do see the data, so the checks below can fail.
            assertThat(call("GET", gateway + "/v1/functions", acme, null).body()).contains(FUNCTION);
            assertThat(call("GET", gateway + "/v1/triggers", acme, null).body()).contains(TRIGGER).contains(topic);
            assertThat(call("GET", management + "/metrics", OPERATOR_TOKEN, null).body()).contains(FUNCTION);
            assertThat(call("GET", metering + "/v1/usage?tenant=acme", METERING_TOKEN, null).body())
                    .contains(FUNCTION);

            List<String> callers = Arrays.asList(globex, null, "ferry_not-a-key", OPERATOR_TOKEN);
            List<String> plain = List.of("/v1/functions", "/v1/usage", "/v1/usage?from=0", "/v1/scaling",
                    "/v1/stats", "/v1/triggers", "/v1/invocations", "/metrics", "/healthz", "/readyz", "/", "/dashboard/index.html",
                    "/dashboard/dashboard.js", "/dashboard/dashboard.css");
            List<String[]> named = List.of(
                    new String[] {"GET", "/v1/functions/%s", FUNCTION},
                    new String[] {"PUT", "/v1/functions/%s", FUNCTION},
                    new String[] {"DELETE", "/v1/functions/%s", FUNCTION},
                    new String[] {"POST", "/v1/functions/%s/invoke", FUNCTION},
                    new String[] {"POST", "/v1/functions/%s/invocations", FUNCTION},
                    new String[] {"GET", "/v1/usage?from=0&function=%s", FUNCTION},
                    new String[] {"GET", "/v1/triggers/%s", TRIGGER},
                    new String[] {"PUT", "/v1/triggers/%s", TRIGGER},
                    new String[] {"DELETE", "/v1/triggers/%s", TRIGGER},
                    new String[] {"GET", "/v1/invocations/%s", syncId},
                    new String[] {"GET", "/v1/invocations/%s", asyncId});
            for (String caller : callers) {
                for (String path : plain) {
                    assertCarriesNothing(call("GET", gateway + path, caller, null), secrets, "gateway " + path);
                }
                for (String[] request : named) {
                    // A body a deploy refuses, so a caller's PUT cannot create a function of its own by that name.
                    String body = request[0].equals("PUT") ? "{\"runtime\": \"NOPE\"}" : "probe";
                    Answer theirs = call(request[0], gateway + request[1].formatted(request[2]), caller, body);
                    Answer nobodys = call(request[0], gateway + request[1].formatted(NEVER), caller, body);
                    assertThat(theirs.status()).as(request[0] + " " + request[1] + " as " + caller)
                            .isEqualTo(nobodys.status());
                    assertThat(normalized(theirs.body(), request[2]))
                            .as(request[0] + " " + request[1] + " as " + caller)
                            .isEqualTo(normalized(nobodys.body(), NEVER));
                }
                for (String path : List.of("/metrics", "/healthz", "/other")) {
                    if (!OPERATOR_TOKEN.equals(caller)) {
                        assertCarriesNothing(call("GET", management + path, caller, null), secrets,
                                "management " + path);
                    }
                }
                for (String path : List.of("/v1/usage?tenant=acme", "/v1/usage?tenant=acme&function=" + FUNCTION,
                        "/v1/usage/totals?tenant=acme", "/v1/usage?tenant=acme&scope=local", "/healthz",
                        "/readyz")) {
                    assertCarriesNothing(call("GET", metering + path, caller, null), secrets, "metering " + path);
                }
            }
            assertThat(call("GET", management + "/metrics", null, null).status()).isEqualTo(401);
            assertThat(call("GET", metering + "/v1/usage?tenant=acme", globex, null).status()).isEqualTo(401);

            // Nothing the others did touched acme's function or results.
            assertThat(call("GET", gateway + "/v1/functions/" + FUNCTION, acme, null).status()).isEqualTo(200);
            assertThat(call("GET", gateway + "/v1/triggers/" + TRIGGER, acme, null).status()).isEqualTo(200);
            assertThat(call("GET", gateway + "/v1/invocations/" + asyncId, acme, null).body()).contains("acme-async");

            // Ids are chosen by clients on the Kafka path: globex's result with acme's id stays globex's, on the
            // topic every gateway reads.
            publishResult(config, "globex", asyncId, "globex-output");
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> call("GET", gateway + "/v1/invocations/" + asyncId, globex, null).body()
                            .contains("globex-output"));
            Answer acmes = call("GET", gateway + "/v1/invocations/" + asyncId, acme, null);
            assertThat(acmes.body()).contains("acme-async").doesNotContain("globex-output");
        }
    }

    private static void assertCarriesNothing(Answer answer, List<String> secrets, String what) {
        for (String secret : secrets) {
            assertThat(answer.body()).as(what + " (status " + answer.status() + ")").doesNotContain(secret);
        }
    }

    /** The body with the name the caller put in the path replaced, and instants (now) blanked. */
    private static String normalized(String body, String named) {
        return body.replace(named, "<named>").replaceAll("\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z", "<instant>");
    }

    private volatile String lastInvocationId;

    private Answer call(String method, String url, String bearer, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            request.header("Content-Type", method.equals("PUT") ? "application/json" : "text/plain");
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            response.headers().firstValue("Ferry-Invocation-Id").ifPresent(id -> lastInvocationId = id);
            return new Answer(response.statusCode(), response.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void publishResult(FerryConfig config, String tenant, String id, String output) throws Exception {
        Instant now = Instant.now();
        InvocationResult result = InvocationResult.newBuilder().setInvocationId(id).setTenant(tenant)
                .setFunction("ledger").setAttempt(1).setStatus(InvocationStatus.SUCCEEDED)
                .setOutput(ByteBuffer.wrap(output.getBytes(StandardCharsets.UTF_8))).setContentType("text/plain")
                .setError(null).setMemoryMb(128).setSubmittedAt(now).setStartedAt(now).setFinishedAt(now)
                .setDurationMicros(1000).setColdStart(false).setWorker(null).build();
        try (KafkaProducer<String, InvocationResult> producer = new KafkaClients(config).producer("iso-results",
                new StringSerializer(), new AvroSerdes(config).serializer(InvocationResult.class), Map.of())) {
            // Where gateways read results of asynchronous calls (issue 15): what any writer with access may put
            // there must still stay its own tenant's.
            producer.send(new ProducerRecord<>(new TopicCatalog(config).asyncResults(), id, result)).get();
        }
    }
}
