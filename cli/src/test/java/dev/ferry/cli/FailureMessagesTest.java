package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FerryException;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What a command prints when it fails for a reason it did not foresee: the causes in words, once, without a stack
 * trace or a secret, and where Kafka was looked for when it did not answer. No broker: these fail before one is
 * needed, or are said from the exception alone.
 */
class FailureMessagesTest {

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void shouldSayWhySaslCannotStartWhenTheJaasConfigIsMissingOrBroken(@TempDir Path dir) throws IOException {
        // Tester: only "ferry: Failed to create new KafkaAdminClient", exit 1; the missing JAAS entry was not said.
        Path missing = Files.writeString(dir.resolve("missing.properties"),
                "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n");
        Path broken = Files.writeString(dir.resolve("broken.properties"), "security.protocol=SASL_SSL\n"
                + "sasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule "
                + "required username=\"ferry\" password=\"S3cr3tPassw0rd\"\n");
        String address = "localhost:" + freePort();
        // A service asks its schema registry before Kafka (session 12): one that answers GET /subjects, so the
        // command goes on to Kafka's client, which this test is about.
        HttpServer registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/subjects", exchange -> {
            byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        registry.start();
        String registryUrl = "http://127.0.0.1:" + registry.getAddress().getPort();
        try {
            for (Path file : new Path[] {missing, broken}) {
                saysWhySaslCannotStart(file, file == missing, address, registryUrl);
            }
        } finally {
            registry.stop(0);
        }
    }

    private static void saysWhySaslCannotStart(Path file, boolean missing, String address, String registryUrl) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Ferry.execute(new PrintWriter(out, true), new PrintWriter(err, true), "dispatcher",
                "--bootstrap-servers", address, "--schema-registry", registryUrl, "--kafka-config",
                file.toString(), "--set", "management.port=-1");

        assertThat(exit).isEqualTo(1);
        String said = err.toString();
        assertThat(said).as(file.getFileName().toString())
                .startsWith("ferry: Failed to create new KafkaAdminClient: ")
                .doesNotContain("S3cr3tPassw0rd").doesNotContain("\tat ").doesNotContain("Exception:");
        assertThat(said.split("ferry: ", -1)).as("said once").hasSize(2);
        if (missing) {
            assertThat(said).contains("Could not find a 'KafkaClient' entry in the JAAS configuration");
        }
    }

    @Test
    void shouldSayWhereKafkaWasLookedForWhenItDidNotAnswer() {
        // Tester: "ferry: Timed out after 30 s trying to describe the cluster" named neither the address nor a hint.
        CommandLine cli = Ferry.commandLine();
        CommandLine dispatcher = cli.parseArgs("dispatcher", "--bootstrap-servers", "localhost:29410").subcommand()
                .commandSpec().commandLine();
        FerryException timedOut = new FerryException("Timed out after 30 s trying to describe the cluster",
                new TimeoutException());

        assertThat(Ferry.explain(timedOut, dispatcher)).isEqualTo("Timed out after 30 s trying to describe the "
                + "cluster (is Kafka running and reachable at localhost:29410?)");
        CommandLine dev = Ferry.commandLine().parseArgs("dev", "--bootstrap-servers", "kafka-1:9092,kafka-2:9092")
                .subcommand().commandSpec().commandLine();
        assertThat(Ferry.explain(timedOut, dev))
                .endsWith("(is Kafka running and reachable at kafka-1:9092,kafka-2:9092?)");
        assertThat(Ferry.explain(new FerryException("Cannot create topic t: denied"), dispatcher))
                .as("no hint when Kafka answered").isEqualTo("Cannot create topic t: denied");
    }
}
