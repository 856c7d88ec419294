package dev.ferry.cli.client;

import dev.ferry.cli.CliException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the gateway is and which API key to use: {@code --url}, {@code --api-key} or {@code FERRY_API_KEY}. */
public final class GatewayOptions {

    public static final String DEFAULT_URL = "http://localhost:8080";
    static final String API_KEY_ENV = "FERRY_API_KEY";

    @Option(names = "--url", defaultValue = DEFAULT_URL, description = "Gateway URL (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--api-key", description = "API key; default: $" + API_KEY_ENV
            + ", or on localhost the key that `ferry dev` wrote to <data-dir>/api-key.")
    String apiKey;

    @Option(names = "--data-dir", defaultValue = ".ferry-data",
            description = "Where `ferry dev` keeps its data, to find the dev API key (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    public GatewayClient client() {
        // The key travels as the Authorization header: a character the JDK's client cannot send as given would
        // reach the gateway as another key (see InvokeCommand.headerValue).
        String key = InvokeCommand.headerValue("the API key (--api-key or $" + API_KEY_ENV + ")", resolveApiKey(),
                dev.ferry.core.invocation.HeaderText.MAX_LENGTH);
        return new GatewayClient(URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url), key);
    }

    private String resolveApiKey() {
        if (apiKey != null && !apiKey.isBlank()) {
            return apiKey.trim();
        }
        String fromEnv = System.getenv(API_KEY_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        String host = URI.create(url).getHost();
        Path devKey = dataDir.resolve("api-key");
        if (("localhost".equals(host) || "127.0.0.1".equals(host)) && Files.isReadable(devKey)) {
            try {
                return Files.readString(devKey).trim();
            } catch (IOException e) {
                throw new CliException("cannot read the dev API key from " + devKey + ": " + e.getMessage());
            }
        }
        throw new CliException("no API key: pass --api-key or set " + API_KEY_ENV
                + " (on localhost, `ferry dev` writes one to " + devKey + ")", 2);
    }
}
