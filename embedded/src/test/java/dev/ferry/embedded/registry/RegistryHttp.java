package dev.ferry.embedded.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for the registry tests: what a Confluent client would send, without its library. */
final class RegistryHttp {

    static final String VND = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String baseUrl;

    RegistryHttp(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** An answer: HTTP status, the content type, and the body parsed as JSON. */
    record Response(int status, String contentType, JsonNode body) {
        int errorCode() {
            return body.path("error_code").asInt(-1);
        }
    }

    Response get(String path) {
        return send("GET", path, null, VND);
    }

    Response delete(String path) {
        return send("DELETE", path, null, VND);
    }

    Response post(String path, JsonNode body) {
        return send("POST", path, body.toString(), VND);
    }

    Response put(String path, JsonNode body) {
        return send("PUT", path, body.toString(), VND);
    }

    Response send(String method, String path, String body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
            return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    json);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** POST /subjects/{subject}/versions with an Avro schema; returns the response. */
    Response register(String subject, String schema) {
        return post("/subjects/" + subject + "/versions", JSON.createObjectNode().put("schema", schema));
    }

    /** Registers and returns the id, failing the test if the registry refuses. */
    int registerOk(String subject, String schema) {
        Response r = register(subject, schema);
        if (r.status() != 200) {
            throw new AssertionError("registration under " + subject + " refused: " + r);
        }
        return r.body().path("id").asInt();
    }

    static JsonNode schemaBody(String schema) {
        return JSON.createObjectNode().put("schema", schema);
    }

    static JsonNode object(String field, String value) {
        return JSON.createObjectNode().put(field, value);
    }

    /** An Avro record schema named {@code name} with the given field definitions (JSON fragments). */
    static String record(String name, String... fields) {
        return "{\"type\":\"record\",\"name\":\"" + name + "\",\"namespace\":\"dev.ferry.test\",\"fields\":["
                + String.join(",", fields) + "]}";
    }
}
