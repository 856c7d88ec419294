package dev.ferry.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.CliException;
import dev.ferry.core.invocation.HeaderText;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry invoke NAME --data ...}: a synchronous call prints the function's output; {@code --async} prints the
 * invocation id. A failed or timed-out invocation exits non-zero with the error on stderr. A call the gateway answered
 * 504 without a {@code Ferry-Status} has no outcome yet (no final result within the wait, maybe only a retried
 * attempt's; a final TIMED_OUT has {@code Ferry-Status} and, since session 9, a {@code Location} too):
 * it exits non-zero too, but says that the invocation is still pending and names its id, so nobody takes it for a
 * failure and invokes again (docs/design.md, "HTTP API").
 */
@Command(name = "invoke", mixinStandardHelpOptions = true, description = "Invoke a function and print its output.")
public final class InvokeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", description = "Function name.")
    String name;

    @ArgGroup(exclusive = true)
    Payload payload = new Payload();

    static final class Payload {
        @Option(names = {"-d", "--data"}, description = "The payload, as text.")
        String data;

        @Option(names = {"-f", "--file"}, description = "Read the payload from a file ('-' for stdin).")
        Path file;
    }

    /** The gateway's limit on {@code Ferry-Key}. */
    static final int MAX_KEY_LENGTH = 1024;

    @Option(names = "--key", description = "Ordering/affinity key: same key, same partition. Printable ASCII, at "
            + "most 1024 characters (it travels as an HTTP header).")
    String key;

    @Option(names = "--content-type", defaultValue = "text/plain", description = "Payload content type (default: "
            + "${DEFAULT-VALUE}); printable ASCII, at most 256 characters.")
    String contentType;

    @Option(names = "--async", description = "Do not wait: print the invocation id (fetch it later with GET /v1/invocations/{id}).")
    boolean async;

    @Option(names = {"-v", "--verbose"}, description = "Print the invocation id, status and billed time to stderr.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", headerValue("--content-type", contentType, HeaderText.MAX_LENGTH));
        if (key != null) {
            headers.put("Ferry-Key", headerValue("--key", key, MAX_KEY_LENGTH));
        }
        byte[] body = payloadBytes();
        GatewayClient client = gateway.client();
        String fn = GatewayClient.encode(name);
        PrintWriter out = spec.commandLine().getOut();
        if (async) {
            HttpResponse<byte[]> response = client.send("POST", "/v1/functions/" + fn + "/invocations", body, headers);
            GatewayClient.requireSuccess(response);
            JsonNode accepted = GatewayClient.parse(response.body());
            out.println(accepted.path("invocationId").asText());
            return 0;
        }
        HttpResponse<byte[]> response = client.send("POST", "/v1/functions/" + fn + "/invoke", body, headers);
        if (verbose) {
            PrintWriter err = spec.commandLine().getErr();
            err.printf("invocation %s: %s, billed %s ms%n", header(response, "Ferry-Invocation-Id"),
                    header(response, "Ferry-Status"), header(response, "Ferry-Billed-Ms"));
        }
        Optional<String> location = response.headers().firstValue("Location");
        if (response.statusCode() == 504 && location.isPresent()
                && response.headers().firstValue("Ferry-Status").isEmpty()) {
            throw new CliException("still pending: invocation " + header(response, "Ferry-Invocation-Id")
                    + " has no final result yet and may still run, so do not invoke it again; fetch its result later"
                    + " with GET " + location.get() + " (" + GatewayClient.errorOf(response) + ")");
        }
        if (response.statusCode() != 200) {
            String status = header(response, "Ferry-Status");
            throw new CliException((status.equals("-") ? "" : status + ": ") + GatewayClient.errorOf(response));
        }
        String output = new String(response.body(), StandardCharsets.UTF_8);
        out.print(output);
        if (!output.endsWith("\n")) {
            out.println();
        }
        out.flush();
        return 0;
    }

    /**
     * {@code value} when it may travel as an HTTP header value as given: printable ASCII within {@code maxLength}
     * (core's {@link HeaderText}, the gateway's own rule). The JDK's client sends anything else as other bytes (a
     * tester's {@code --key 'ké'} reached the gateway as {@code k?}: another key, without a word), so it is refused
     * here, exit 2, naming the option and the rule.
     */
    static String headerValue(String option, String value, int maxLength) {
        HeaderText.problem(option, value, maxLength, "it travels as an HTTP header value, which carries only "
                + "ASCII as sent").ifPresent(problem -> {
                    throw new CliException(problem, 2);
                });
        return value;
    }

    private byte[] payloadBytes() throws IOException {
        if (payload.data != null) {
            return payload.data.getBytes(StandardCharsets.UTF_8);
        }
        if (payload.file != null) {
            if (payload.file.toString().equals("-")) {
                return System.in.readAllBytes();
            }
            if (!Files.isReadable(payload.file)) {
                throw new CliException("cannot read payload file " + payload.file, 2);
            }
            return Files.readAllBytes(payload.file);
        }
        return new byte[0];
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse("-");
    }
}
