package dev.ferry.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RestSchemaRegistryClientTest {

    private static final Schema SCHEMA = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("name").endRecord();
    private static final String SCHEMA_JSON = SCHEMA.toString().replace("\"", "\\\"");

    private final StubRegistry stub = new StubRegistry();
    private final StubRegistry second = new StubRegistry();

    @AfterEach
    void stop() {
        stub.close();
        second.close();
    }

    @Test
    void shouldPostSchemaWithRegistryContentTypeWhenRegistering() {
        stub.answer("POST /subjects/orders-value/versions", 200, "{\"id\":7}");

        int id = client(stub.url()).register("orders-value", SCHEMA);

        assertThat(id).isEqualTo(7);
        StubRegistry.Request request = stub.requests().get(0);
        assertThat(request.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(request.body()).isEqualTo("{\"schema\":\"" + SCHEMA_JSON + "\"}");
    }

    @Test
    void shouldNotCallRegistryAgainWhenSchemaIsCached() {
        stub.answer("POST /subjects/orders-value/versions", 200, "{\"id\":7}");
        RestSchemaRegistryClient client = client(stub.url());

        client.register("orders-value", SCHEMA);
        client.register("orders-value", SCHEMA);
        Schema byId = client.getById(7);

        assertThat(byId).isEqualTo(SCHEMA);
        assertThat(stub.requests()).hasSize(1);
    }

    @Test
    void shouldSendHttpBasicWhenUserInfoIsConfigured() {
        stub.answer("GET /subjects", 200, "[\"a\"]");
        SchemaRegistryClientConfig config = SchemaRegistryClientConfig.from(Map.of(
                "schema.registry.url", stub.url(),
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "alice:s3cret"));

        new RestSchemaRegistryClient(config).subjects();

        assertThat(stub.requests().get(0).header("Authorization")).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)));
        assertThat(config.toString()).contains("alice").doesNotContain("s3cret");
    }

    @Test
    void shouldTakeCredentialsFromUrlAndKeepThemOutOfItWhenSourceIsUrl() {
        stub.answer("GET /subjects", 200, "[]");
        String url = stub.url().replace("http://", "http://bob:pw@");
        SchemaRegistryClientConfig config = SchemaRegistryClientConfig.from(Map.of(
                "schema.registry.url", url, "basic.auth.credentials.source", "URL"));

        new RestSchemaRegistryClient(config).subjects();

        assertThat(config.urls()).containsExactly(URI.create(stub.url()));
        assertThat(stub.requests().get(0).header("Authorization"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(ints = {409, 40901})
    void shouldThrowIncompatibleWhenRegistryAnswersEitherConflictCode(int errorCode) {
        stub.answer("POST /subjects/orders-value/versions", 409,
                "{\"error_code\":" + errorCode + ",\"message\":\"Schema being registered is incompatible\"}");

        assertThatThrownBy(() -> client(stub.url()).register("orders-value", SCHEMA))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(errorCode);
                    assertThat(e.getMessage()).contains("incompatible");
                });
    }

    @Test
    void shouldCarryStatusCodeAndMessageWhenSubjectIsMissing() {
        stub.answer("GET /subjects/nope/versions", 404, "{\"error_code\":40401,\"message\":\"Subject 'nope' not found.\"}");

        assertThatThrownBy(() -> client(stub.url()).versions("nope"))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e).isNotInstanceOf(IncompatibleSchemaException.class);
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND);
                    assertThat(e.getMessage()).contains("Subject 'nope' not found.").contains("GET /subjects/nope/versions");
                });
    }

    @Test
    void shouldReadAvroWhenSchemaTypeIsMissingAndIgnoreUnknownFields() {
        stub.answer("GET /subjects/orders-value/versions/latest", 200, "{\"subject\":\"orders-value\",\"version\":3,"
                + "\"id\":12,\"guid\":\"x\",\"ruleSet\":null,\"metadata\":{\"a\":1},\"schema\":\"" + SCHEMA_JSON + "\"}");

        RegisteredSchema latest = client(stub.url()).getLatest("orders-value");

        assertThat(latest).isEqualTo(new RegisteredSchema("orders-value", 3, 12, SCHEMA));
    }

    @Test
    void shouldResolveReferencesOfReferencesOnceEachWhenParsingSchemasById() {
        // A (ids 10 and 11) references C version 1, which references D version 2.
        String d = quoted("{'type':'enum','name':'D','namespace':'r','symbols':['X']}");
        String c = quoted("{'type':'record','name':'C','namespace':'r','fields':[{'name':'d','type':'D'}]}");
        String a = quoted("{'type':'record','name':'A','namespace':'r','fields':[{'name':'c','type':'C'}]}");
        String refC = json("'references':[{'name':'r.C','subject':'c','version':1}]");
        stub.answer("GET /subjects/d/versions/2?deleted=true", 200,
                json("{'subject':'d','version':2,'id':1,'schema':") + d + "}");
        stub.answer("GET /subjects/c/versions/1?deleted=true", 200, json("{'subject':'c','version':1,'id':2,'schema':")
                + c + json(",'references':[{'name':'r.D','subject':'d','version':2}]}"));
        stub.answer("GET /schemas/ids/10", 200, json("{'schema':") + a + "," + refC + "}");
        stub.answer("GET /schemas/ids/11", 200, json("{'schema':") + a + "," + refC + "}");
        RestSchemaRegistryClient client = client(stub.url());

        Schema first = client.getById(10);
        Schema second = client.getById(11);

        assertThat(first.getField("c").schema().getField("d").schema().getEnumSymbols()).containsExactly("X");
        assertThat(second).isEqualTo(first);
        assertThat(stub.requests()).extracting(StubRegistry.Request::path).containsExactly(
                "/schemas/ids/10", "/subjects/c/versions/1?deleted=true", "/subjects/d/versions/2?deleted=true",
                "/schemas/ids/11");
    }

    @Test
    void shouldSendTheReferencedTypeByNameWhenRegisteringWithReferences() {
        String c = json("{'type':'record','name':'C','namespace':'r','fields':[{'name':'x','type':'int'}]}");
        stub.answer("GET /subjects/c/versions/1?deleted=true", 200,
                json("{'subject':'c','version':1,'id':2,'schema':") + quoted(c) + "}");
        stub.answer("POST /subjects/a/versions", 200, "{\"id\":9}");
        Schema.Parser parser = new Schema.Parser();
        parser.parse(c);
        Schema a = parser.parse(json("{'type':'record','name':'A','namespace':'r','fields':["
                + "{'name':'c','type':'C'}]}"));

        int id = client(stub.url()).register("a", a, List.of(new SchemaReference("r.C", "c", 1)));

        assertThat(id).isEqualTo(9);
        String body = stub.requests().get(stub.requests().size() - 1).body();
        assertThat(body).contains(json("'references':[{'name':'r.C','subject':'c','version':1}]"))
                .as("C is named, not inlined").doesNotContain("\\\"x\\\"");
    }

    /** JSON written with single quotes, for readability. */
    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    /** {@code singleQuoted} as JSON, as a JSON string literal (for a schema inside an answer). */
    private static String quoted(String singleQuoted) {
        return "\"" + json(singleQuoted).replace("\"", "\\\"") + "\"";
    }

    @Test
    void shouldRefuseSchemaWhenTypeIsNotAvro() {
        stub.answer("GET /schemas/ids/5", 200, "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}");

        assertThatThrownBy(() -> client(stub.url()).getById(5))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.unavailable())
                        .as("the registry answered: its schema is the record's fault, not an outage").isFalse())
                .hasMessageContaining("PROTOBUF");
    }

    @Test
    void shouldTakeAnInvalidAvroSchemaForTheSchemasFaultNotAnOutage() {
        stub.answer("GET /schemas/ids/6", 200, "{\"schema\":\"{\\\"type\\\":\\\"nonsense\\\"}\"}");

        assertThatThrownBy(() -> client(stub.url()).getById(6))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.unavailable()).isFalse())
                .hasMessageContaining("not valid Avro");
    }

    @Test
    void shouldFailOverAndRememberWorkingUrlWhenFirstUrlRefusesConnections() {
        stub.answer("GET /subjects", 200, "[\"a\",\"b\"]");
        RestSchemaRegistryClient client = client(StubRegistry.closedPortUrl() + "," + stub.url());

        assertThat(client.subjects()).containsExactly("a", "b");
        assertThat(client.currentUrl()).isEqualTo(URI.create(stub.url()));
        assertThat(client.subjects()).containsExactly("a", "b");
        assertThat(stub.requests()).hasSize(2);
    }

    @Test
    void shouldFailOverWhenFirstRegistryAnswersServerError() {
        stub.answer("GET /subjects", 503, "{\"error_code\":50003,\"message\":\"forwarding failed\"}");
        second.answer("GET /subjects", 200, "[\"a\"]");
        RestSchemaRegistryClient client = client(stub.url() + "," + second.url());

        client.subjects();
        client.subjects();

        assertThat(stub.requests()).hasSize(1);
        assertThat(second.requests()).hasSize(2);
    }

    @Test
    void shouldNotFailOverWhenRegistryAnswersClientError() {
        stub.answer("GET /subjects/x/versions", 404, "{\"error_code\":40401,\"message\":\"Subject 'x' not found.\"}");
        RestSchemaRegistryClient client = client(stub.url() + "," + second.url());

        assertThatThrownBy(() -> client.versions("x")).isInstanceOf(SchemaRegistryException.class);
        assertThat(second.requests()).isEmpty();
    }

    @Test
    void shouldReportNoResponseWhenNoUrlAnswers() {
        RestSchemaRegistryClient client = client(StubRegistry.closedPortUrl() + "," + StubRegistry.closedPortUrl());

        assertThatThrownBy(client::subjects)
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.status()).isEqualTo(SchemaRegistryException.NO_RESPONSE))
                .hasMessageContaining("unreachable");
    }

    @Test
    void shouldWarnOnceThatARegistryIsUnreachableAndOnceThatItAnswersAgain() {
        // A tester, session 13: a worker waiting out a lost registry logged the same WARN every second.
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        ch.qos.logback.classic.Logger transport = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                "dev.ferry.schemas.registry.internal.RegistryTransport");
        transport.addAppender(logs);
        try {
            stub.answer("GET /subjects", 503, "{\"error_code\":50003,\"message\":\"forwarding failed\"}");
            RestSchemaRegistryClient client = client(stub.url());
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(client::subjects).isInstanceOf(SchemaRegistryException.class);
            }
            stub.answer("GET /subjects", 200, "[\"a\"]");
            client.subjects();
            client.subjects();

            assertThat(logs.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .satisfiesExactly(lost -> assertThat(lost).contains("answered 503"),
                            back -> assertThat(back).contains("answers again"));
        } finally {
            transport.detachAppender(logs);
        }
    }

    @Test
    void shouldKeepLastServerErrorWhenEveryUrlFails() {
        stub.answer("GET /subjects", 502, "<html>Bad Gateway</html>");
        RestSchemaRegistryClient client = client(stub.url());

        assertThatThrownBy(client::subjects)
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(502))
                .hasMessageContaining("<html>Bad Gateway</html>");
    }

    @Test
    void shouldSpeakBothFieldNamesWhenReadingAndWritingCompatibility() {
        stub.answer("GET /config", 200, "{\"compatibilityLevel\":\"FULL\"}");
        stub.answer("GET /config/orders-value?defaultToGlobal=true", 200, "{\"compatibilityLevel\":\"backward\"}");
        stub.answer("PUT /config/orders-value", 200, "{\"compatibility\":\"NONE\"}");
        RestSchemaRegistryClient client = client(stub.url());

        assertThat(client.getCompatibility(null)).isEqualTo(CompatibilityLevel.FULL);
        assertThat(client.getCompatibility("orders-value")).isEqualTo(CompatibilityLevel.BACKWARD);
        client.setCompatibility("orders-value", CompatibilityLevel.NONE);

        assertThat(stub.requests().get(2).body()).isEqualTo("{\"compatibility\":\"NONE\"}");
    }

    @Test
    void shouldTellASubjectsOwnLevelFromNoneOfItsOwnAndAnOutage() {
        stub.answer("GET /config/set-value", 200, "{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}");
        stub.answer("GET /config/unset-value", 404, "{\"error_code\":40408,\"message\":\"Subject 'unset-value' does "
                + "not have subject-level compatibility configured\"}");
        stub.answer("GET /config/old-value", 404, "{\"error_code\":40401,\"message\":\"Subject not found.\"}");
        stub.answer("GET /config/down-value", 500, "{\"error_code\":50001,\"message\":\"store failure\"}");
        RestSchemaRegistryClient client = client(stub.url());

        assertThat(client.getSubjectCompatibility("set-value")).contains(CompatibilityLevel.FULL_TRANSITIVE);
        assertThat(client.getSubjectCompatibility("unset-value")).isEmpty();
        assertThat(client.getSubjectCompatibility("old-value")).isEmpty();
        assertThatThrownBy(() -> client.getSubjectCompatibility("down-value"))
                .isInstanceOf(SchemaRegistryException.class);
    }

    @Test
    void shouldEncodeSubjectWhenItHasReservedCharacters() {
        stub.answer("GET /subjects/a%2Fb%20c/versions", 200, "[1]");

        assertThat(client(stub.url()).versions("a/b c")).containsExactly(1);
    }

    @Test
    void shouldNameKeyWhenUrlIsMissingOrInvalid() {
        assertThatThrownBy(() -> SchemaRegistryClientConfig.from(Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> SchemaRegistryClientConfig.forUrls("localhost:8081"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema.registry.url");
    }

    private static RestSchemaRegistryClient client(String urls) {
        return new RestSchemaRegistryClient(SchemaRegistryClientConfig.forUrls(urls)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)));
    }
}
