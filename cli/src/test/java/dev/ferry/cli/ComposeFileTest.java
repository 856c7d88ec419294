package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * There is no Docker engine here, so docker-compose.yml cannot be started by the tests; this checks what can go
 * wrong without one: every Ferry service's command parses with the real command line, and the ports it publishes
 * are the ones the service listens on.
 */
class ComposeFileTest {

    private static final Path ROOT = Path.of("..");
    private final JsonNode compose = read(ROOT.resolve("docker-compose.yml"));

    /** SnakeYAML (under Jackson's YAML module) applies merge keys ({@code <<: *ferry}) as docker compose does. */
    private static JsonNode read(Path file) {
        try (var reader = Files.newBufferedReader(file)) {
            Object tree = new org.yaml.snakeyaml.Yaml().load(reader);
            return new ObjectMapper().valueToTree(tree);
        } catch (IOException e) {
            throw new AssertionError("cannot parse " + file, e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    @Test
    void shouldRunEveryFerryServiceWithACommandTheCliAccepts() {
        for (String service : List.of("gateway", "dispatcher", "worker", "metering")) {
            JsonNode node = service(service);
            assertThat(node.path("image").asText()).as(service).isEqualTo("ferry:dev");
            List<String> command = strings(node.path("command"));
            assertThat(command).as(service + " runs the subcommand of its name").first().isEqualTo(service);

            ParseResult parsed = Ferry.commandLine().parseArgs(command.toArray(String[]::new));
            assertThat(parsed.subcommand().commandSpec().name()).isEqualTo(service);
            assertThat(parsed.subcommand().matchedOptionValue("--bootstrap-servers", "")).isEqualTo("kafka:29092");
            assertThat(parsed.subcommand().matchedOptionValue("--schema-registry", ""))
                    .isEqualTo("http://schema-registry:8081");
        }
    }

    @Test
    void shouldRejectAServiceCommandTheCliDoesNotKnowSoTheCheckAboveCanFail() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() ->
                Ferry.commandLine().parseArgs("gateway", "--no-such-option")))
                .isInstanceOf(CommandLine.UnmatchedArgumentException.class);
    }

    @Test
    void shouldPublishThePortsTheServicesListenOn() {
        assertThat(publishedPorts("gateway")).containsExactly(setting("gateway", "gateway.port"));
        assertThat(strings(compose.path("services").path("gateway").path("command")))
                .containsSequence("--metering-url", "http://metering:" + setting("metering", "metering.http.port"));
        assertThat(publishedPorts("schema-registry")).containsExactly("8081");
        assertThat(publishedPorts("kafka")).containsExactly("9092");
    }

    /** Issue 12: metering's usage API answers any tenant's usage, so it is reachable only with its token. */
    @Test
    void shouldKeepMeteringsUsageApiOffTheHostAndBehindATokenTheGatewaySends() {
        assertThat(publishedPorts("metering")).isEmpty();
        assertThat(setting("metering", "metering.http.bind.address")).isEqualTo("0.0.0.0");
        String token = setting("metering", "metering.http.token");
        assertThat(token).startsWith("${FERRY_METERING_TOKEN:?");
        assertThat(setting("gateway", "metering.http.token")).isEqualTo(token);
    }

    @Test
    void shouldRunKafkaInKraftModeFromTheOfficialImage() {
        JsonNode kafka = compose.path("services").path("kafka");
        assertThat(kafka.path("image").asText()).startsWith("apache/kafka:");
        JsonNode env = kafka.path("environment");
        assertThat(env.path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(env.path("KAFKA_ADVERTISED_LISTENERS").asText()).contains("INTERNAL://kafka:29092");
        assertThat(env.path("KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText()).isEqualTo("false");
        assertThat(compose.path("services").path("schema-registry").path("environment")
                .path("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS").asText()).isEqualTo("kafka:29092");
    }

    @Test
    void shouldBuildTheImageFromTheJarTheCliModuleProduces() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).contains("-pl cli -am package").contains("/src/cli/target/ferry.jar");
        assertThat(Files.readString(Path.of("pom.xml"))).contains("<finalName>ferry</finalName>");
    }

    private JsonNode service(String name) {
        return compose.path("services").path(name);
    }

    private List<String> publishedPorts(String service) {
        List<String> ports = new ArrayList<>();
        for (JsonNode mapping : compose.path("services").path(service).path("ports")) {
            String[] parts = mapping.asText().split(":");
            assertThat(parts[0]).as("host and container port match").isEqualTo(parts[1]);
            ports.add(parts[1]);
        }
        return ports;
    }

    /** The value a service's command sets with {@code --set key=value}. */
    private String setting(String service, String key) {
        List<String> command = strings(compose.path("services").path(service).path("command"));
        for (int i = 0; i < command.size() - 1; i++) {
            Matcher m = Pattern.compile(Pattern.quote(key) + "=(.*)").matcher(command.get(i + 1));
            if (command.get(i).equals("--set") && m.matches()) {
                return m.group(1);
            }
        }
        throw new AssertionError(service + " sets no " + key + " in " + Map.of(service, command));
    }
}
