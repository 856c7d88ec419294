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
import dev.ferry.cli.service.ConnectionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * There is no Docker engine here, so docker-compose.yml cannot be started by the tests; this checks what can go
 * wrong without one: every Ferry service's command parses with the real command line, the ports it publishes are the
 * ones the service listens on, and secrets reach services as Compose secrets, never on a command line.
 */
class ComposeFileTest {

    private static final Path ROOT = Path.of("..");
    private static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
    private static final String SECRETS = "/run/secrets/";
    private final JsonNode compose = read(COMPOSE);

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

    /**
     * Issue 12: metering's usage API answers any tenant's usage, so it is reachable only with its token, which the
     * gateway sends. Both read it from the Compose secret the file's own recipe writes: the recipe's file, mounted,
     * read by the real command line, gives both the same token.
     */
    @Test
    void shouldKeepMeteringsUsageApiOffTheHostAndBehindATokenTheGatewaySends(@TempDir Path dir) throws IOException {
        assertThat(publishedPorts("metering")).isEmpty();
        assertThat(setting("metering", "metering.http.bind.address")).isEqualTo("0.0.0.0");

        Matcher recipe = Pattern.compile("printf '([^']*)' \"[^\"]*\" > (\\S+)").matcher(Files.readString(COMPOSE));
        assertThat(recipe.find()).as("the header says how to write the secret file").isTrue();
        String token = "compose-test-token";
        Path made = dir.resolve("secret.properties");
        Files.writeString(made, recipe.group(1).replace("%s", token).replace("\\n", "\n"));
        for (String service : List.of("gateway", "metering")) {
            String file = secretFile(service);
            assertThat(compose.path("secrets").path(file.substring(SECRETS.length())).path("file").asText())
                    .as(service + "'s secret is the file the recipe writes").isEqualTo("./" + recipe.group(2));
            List<String> command = strings(service(service).path("command"));
            command.set(command.indexOf(file), made.toString());
            ParseResult parsed = Ferry.commandLine().parseArgs(command.toArray(String[]::new));
            ConnectionOptions options = (ConnectionOptions) parsed.subcommand().commandSpec().mixins()
                    .get("connection").userObject();
            assertThat(options.toConfig(Map.of()).metering().httpToken()).as(service).isEqualTo(token);
        }
    }

    /**
     * A command line is readable by every user of the host ({@code ps}), so no secret is given with {@code --set} or
     * interpolated into a command; a service reads its secrets with {@code --config-file} from a Compose secret it is
     * given. The worker gets none: JAVA functions run in its process and could read them.
     */
    @Test
    void shouldGiveSecretsThroughComposeSecretsNeverOnTheCommandLine() {
        Pattern secretish = Pattern.compile("(?i).*(token|password|secret|jaas|api.?key).*");
        compose.path("services").fields().forEachRemaining(entry -> {
            String service = entry.getKey();
            List<String> command = strings(entry.getValue().path("command"));
            for (int i = 0; i < command.size() - 1; i++) {
                if (command.get(i).equals("--set")) {
                    assertThat(command.get(i + 1).split("=", 2)[0]).as(service + " --set")
                            .doesNotMatch(secretish);
                }
            }
            assertThat(command).as(service + " interpolates nothing into its command").noneMatch(a -> a.contains("${"));
        });
        for (String service : List.of("gateway", "metering")) {
            assertThat(secretFile(service)).isNotNull();
        }
        assertThat(service("worker").path("secrets").isMissingNode()).as("the worker runs user code").isTrue();
        assertThat(strings(service("worker").path("command"))).doesNotContain("--config-file");
    }

    /** The {@code --config-file} of a service: a Compose secret the service lists, mounted under /run/secrets. */
    private String secretFile(String service) {
        List<String> command = strings(service(service).path("command"));
        int at = command.indexOf("--config-file");
        assertThat(at).as(service + " reads a --config-file").isNotNegative();
        String file = command.get(at + 1);
        assertThat(file).as(service).startsWith(SECRETS);
        String secret = file.substring(SECRETS.length());
        assertThat(strings(service(service).path("secrets"))).as(service + " is given the secret").contains(secret);
        assertThat(compose.path("secrets").path(secret).path("file").asText()).as("secret " + secret).isNotEmpty();
        return file;
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
