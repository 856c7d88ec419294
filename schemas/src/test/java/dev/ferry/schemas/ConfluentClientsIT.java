package dev.ferry.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.registry.RestSchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaReference;
import dev.ferry.schemas.serde.FerryAvroDeserializer;
import dev.ferry.schemas.serde.FerryAvroSerializer;
import dev.ferry.schemas.serde.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Confluent's own clients against Ferry's registry and serde (issue 12): Debian's {@code python3-confluent-kafka}
 * (its {@code SchemaRegistryClient}) and npm's {@code @confluentinc/schemaregistry} (its registry client and Avro
 * serde, which resolve schema references). The scripts in {@code src/test/clients} make the calls and print what
 * they got; this class judges it. {@code .ci/run} installs both clients, so CI runs these; a machine without them
 * skips each test with a message saying what to install.
 */
@FerryKafkaTest
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConfluentClientsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CLIENTS = Path.of("src", "test", "clients");
    private static final Path JS_PACKAGE = CLIENTS.resolve("js/node_modules/@confluentinc/schemaregistry");

    private final String run = UUID.randomUUID().toString();

    @Test
    void shouldAnswerConfluentsPythonClientAsConfluentsRegistryDoes(KafkaFixture kafka)
            throws Exception {
        String python = pythonWithConfluentClient().orElse(null);
        Assumptions.assumeTrue(python != null, "Confluent's Python client is not installed here: apt-get install"
                + " python3-confluent-kafka python3-requests (.ci/run does); skipping the Python cross-client check");

        JsonNode out = runScript(List.of(python, CLIENTS.resolve("python/check.py").toString(),
                kafka.schemaRegistryUrl(), run));

        String cSubject = "py-c-" + run;
        String ref = "[{\"name\":\"pyref.C\",\"subject\":\"" + cSubject + "\",\"version\":1}]";
        assertThat(out.path("undefinedWithoutReference").path("code").asInt()).isEqualTo(42201);
        assertThat(out.path("byIdReferences").toString()).isEqualTo(ref);
        assertThat(out.path("lookup").path("id").asInt()).isEqualTo(out.path("aId").asInt());
        assertThat(out.path("lookup").path("version").asInt()).isEqualTo(1);
        assertThat(out.path("lookup").path("references").toString()).isEqualTo(ref);
        assertThat(out.path("latestReferences").toString()).isEqualTo(ref);
        assertThat(out.path("compatibleEvolution").asBoolean()).isTrue();
        assertThat(out.path("compatibleWithNewSubject").asBoolean()).isTrue();
        assertError(out.path("deleteReferenced"), 422, 42206,
                "One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=" + cSubject
                        + ",version=1}.");
        assertError(out.path("missingSubject"), 404, 40401, "Subject 'py-missing-" + run + "' not found.");
        assertError(out.path("missingVersion"), 404, 40402, "Version 9 not found.");
        assertError(out.path("missingSchema"), 404, 40403, "Schema " + Integer.MAX_VALUE + " not found");
        assertError(out.path("missingLookup"), 404, 40403, "Schema not found");
        assertThat(out.path("unknownReference").path("code").asInt()).isEqualTo(42201);
        assertThat(out.path("json").path("type").asText()).isEqualTo("JSON");
        assertThat(out.path("json").path("sameIdAgain").asBoolean()).as("whitespace makes no new id").isTrue();
        assertThat(out.path("protobuf").path("type").asText()).isEqualTo("PROTOBUF");
        assertThat(out.path("protobuf").path("latestType").asText()).isEqualTo("PROTOBUF");
        assertThat(out.path("protobuf").path("references").toString())
                .isEqualTo("[{\"name\":\"address.proto\",\"subject\":\"py-address-" + run + "\",\"version\":1}]");
    }

    @Test
    void shouldExchangeRecordsWithConfluentsJsSerdeWhenTheSchemaUsesReferences(KafkaFixture kafka) throws Exception {
        Assumptions.assumeTrue(works(List.of("node", "--version")) && Files.isDirectory(JS_PACKAGE),
                "Confluent's JS client is not installed here: node and `npm ci` in " + CLIENTS.resolve("js")
                        + " (.ci/run does); skipping the JS cross-client check");
        Schema.Parser parser = new Schema.Parser();
        Schema c = parser.parse("{\"type\":\"record\",\"name\":\"C\",\"namespace\":\"jsref\",\"fields\":["
                + "{\"name\":\"c\",\"type\":\"string\"}]}");
        Schema a = parser.parse("{\"type\":\"record\",\"name\":\"A\",\"namespace\":\"jsref\",\"fields\":["
                + "{\"name\":\"a\",\"type\":\"jsref.C\"},{\"name\":\"n\",\"type\":\"int\"}]}");
        String topic = "js-" + run;
        String cSubject = "js-c-" + run;
        RestSchemaRegistryClient registry = RestSchemaRegistryClient.fromConfig(
                Map.of("schema.registry.url", kafka.schemaRegistryUrl()));
        registry.register(cSubject, c);
        int aId = registry.register(topic + "-value", a, List.of(new SchemaReference("jsref.C", cSubject, 1)));
        FerryAvroSerializer<GenericRecord> serializer = new FerryAvroSerializer<>(registry,
                Map.of("use.latest.version", true, "auto.register.schemas", false), false);
        byte[] fromFerry = serializer.serialize(topic, record(a, c, "from-ferry", 7));
        assertThat(WireFormat.schemaId(topic, fromFerry)).isEqualTo(aId);

        JsonNode out = runScript(List.of("node", CLIENTS.resolve("js/check.js").toString(),
                kafka.schemaRegistryUrl(), topic, cSubject, HexFormat.of().formatHex(fromFerry)));

        assertThat(out.path("readFerry").toString()).isEqualTo("{\"a\":{\"c\":\"from-ferry\"},\"n\":7}");
        byte[] fromJs = HexFormat.of().parseHex(out.path("written").asText());
        assertThat(WireFormat.schemaId(topic, fromJs)).isEqualTo(aId);
        RestSchemaRegistryClient fresh = RestSchemaRegistryClient.fromConfig(
                Map.of("schema.registry.url", kafka.schemaRegistryUrl()));
        try (FerryAvroDeserializer<GenericRecord> deserializer = new FerryAvroDeserializer<>(fresh)) {
            GenericRecord read = deserializer.deserialize(topic, fromJs);
            assertThat(((GenericRecord) read.get("a")).get("c").toString()).isEqualTo("from-js");
            assertThat(read.get("n")).isEqualTo(42);
        }
        assertThat(out.path("references").toString())
                .isEqualTo("[{\"name\":\"jsref.C\",\"subject\":\"" + cSubject + "\",\"version\":1}]");
        assertThat(out.path("lookupId").asInt()).isEqualTo(aId);
        assertThat(out.path("latestId").asInt()).isEqualTo(aId);
        assertThat(out.path("compatibleWithNewSubject").asBoolean()).isTrue();
        assertThat(out.path("deleteReferenced").path("code").asInt()).isEqualTo(42206);
        assertThat(out.path("deleteReferenced").path("status").asInt()).isEqualTo(422);
        assertThat(out.path("missingSubject").path("code").asInt()).isEqualTo(40401);
        assertThat(out.path("missingVersion").path("code").asInt()).isEqualTo(40402);
    }

    private static GenericRecord record(Schema a, Schema c, String text, int n) {
        GenericRecord inner = new GenericData.Record(c);
        inner.put("c", text);
        GenericRecord outer = new GenericData.Record(a);
        outer.put("a", inner);
        outer.put("n", n);
        return outer;
    }

    private static void assertError(JsonNode error, int status, int code, String message) {
        assertThat(error.path("status").asInt()).as("status of %s", error).isEqualTo(status);
        assertThat(error.path("code").asInt()).as("code of %s", error).isEqualTo(code);
        assertThat(error.path("message").asText()).isEqualTo(message);
    }

    /** Debian's interpreter first: the pyenv one on PATH does not see Debian's packages. */
    private static Optional<String> pythonWithConfluentClient() {
        for (String python : List.of("/usr/bin/python3", "python3")) {
            if (works(List.of(python, "-c", "import confluent_kafka.schema_registry, requests"))) {
                return Optional.of(python);
            }
        }
        return Optional.empty();
    }

    private static boolean works(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs a client script; it must exit 0 and print its answers as JSON on its last line. */
    private static JsonNode runScript(List<String> command) throws Exception {
        Path stderr = Files.createTempFile("confluent-client", ".err");
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).redirectError(stderr.toFile()).start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command.get(1)).isTrue();
            String errors = Files.readString(stderr);
            assertThat(p.exitValue()).as("exit of %s; stdout: %s; stderr: %s", command.get(1), stdout, errors)
                    .isZero();
            String[] lines = stdout.strip().split("\n");
            return JSON.readTree(lines[lines.length - 1]);
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
