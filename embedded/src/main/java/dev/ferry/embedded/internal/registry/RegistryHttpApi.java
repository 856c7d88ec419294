package dev.ferry.embedded.internal.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of Confluent Schema Registry's REST API that serializers, deserializers and operators use, over
 * a {@link RegistryService}. Answers in {@code application/vnd.schemaregistry.v1+json}; accepts request bodies
 * with that type, plain JSON or no content type at all.
 */
public final class RegistryHttpApi implements AutoCloseable {

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaLog log;
    private final RegistryService service;
    /** The largest request body served: Javalin's default, named so the error can say it. */
    static final long MAX_BODY_BYTES = 1_000_000L;

    private final Javalin app;

    private RegistryHttpApi(SchemaLog log, RegistryService service, Javalin app) {
        this.log = log;
        this.service = service;
        this.app = app;
    }

    /** Replays {@code topic} on the cluster, then serves on {@code port} of localhost (0: any free port). */
    public static RegistryHttpApi start(String bootstrapServers, int port, String topic) {
        SchemaLog log = SchemaLog.open(bootstrapServers, topic);
        RegistryService service = RegistryService.create(log::append);
        Javalin app = null;
        try {
            log.replay(service::replay);
            app = Javalin.create(config -> {
                config.showJavalinBanner = false;
                config.startupWatcherEnabled = false;
                config.http.defaultContentType = CONTENT_TYPE;
                config.http.maxRequestSize = MAX_BODY_BYTES;
            });
            RegistryHttpApi api = new RegistryHttpApi(log, service, app);
            api.routes();
            app.start("localhost", port);
            return api;
        } catch (RuntimeException e) {
            if (app != null) {
                app.stop();
            }
            log.close();
            throw new IllegalStateException("Schema registry failed to start on port " + port + ": "
                    + e.getMessage(), e);
        }
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
        log.close();
    }

    private void routes() {
        app.exception(RegistryException.class, (e, ctx) -> error(ctx, e.errorCode(), e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("Schema registry failed on {} {}", ctx.method(), ctx.path(), e);
            error(ctx, 50001, "Internal error: " + e);
        });
        // Unknown routes get a registry-style error too; a 404 we answered ourselves already has a JSON body.
        app.error(404, ctx -> {
            String result = ctx.result();
            if (result == null || !result.startsWith("{")) {
                error(ctx, 404, "HTTP 404 Not Found");
            }
        });
        // Javalin refuses a body over its maxRequestSize (1 MB) in plain text; a Confluent client parses the
        // registry's JSON error shape (a tester, session 14). A schema that large would not fit the schemas topic's
        // records either.
        app.error(413, ctx -> error(ctx, 413, "Request body larger than the registry accepts ("
                + MAX_BODY_BYTES + " bytes)"));

        app.get("/", ctx -> ok(ctx, JSON.createObjectNode()));
        app.get("/schemas/types", ctx -> ok(ctx, strings(SchemaContent.TYPES)));
        app.get("/schemas/ids/{id}", ctx -> ok(ctx, content(JSON.createObjectNode(), service.schema(id(ctx)))));
        app.get("/schemas/ids/{id}/schema", ctx -> raw(ctx, service.schema(id(ctx)).schema()));
        app.get("/schemas/ids/{id}/versions", ctx -> {
            ArrayNode out = JSON.createArrayNode();
            service.versionsWithId(id(ctx), deleted(ctx)).forEach(v -> out.addObject()
                    .put("subject", v.subject()).put("version", v.version()));
            ok(ctx, out);
        });
        app.get("/schemas/ids/{id}/subjects", ctx -> ok(ctx, strings(service.subjectsWithId(id(ctx),
                deleted(ctx)))));
        app.get("/schemas/ids/{id}/referencedby", ctx -> ok(ctx, ints(service.referencedBy(id(ctx)))));

        app.get("/subjects", ctx -> ok(ctx, strings(service.subjects(deleted(ctx)))));
        app.post("/subjects/{subject}", ctx -> {
            JsonNode body = body(ctx);
            SchemaVersion v = service.lookup(subject(ctx), text(body, "schema"), text(body, "schemaType"),
                    references(body), deleted(ctx));
            ok(ctx, version(v));
        });
        app.delete("/subjects/{subject}", ctx -> ok(ctx, ints(service.deleteSubject(subject(ctx),
                permanent(ctx)))));
        app.get("/subjects/{subject}/versions", ctx -> ok(ctx, ints(service.versions(subject(ctx),
                deleted(ctx)))));
        app.post("/subjects/{subject}/versions", ctx -> {
            JsonNode body = body(ctx);
            int id = service.register(subject(ctx), text(body, "schema"), text(body, "schemaType"),
                    references(body));
            ok(ctx, JSON.createObjectNode().put("id", id));
        });
        app.get("/subjects/{subject}/versions/{version}", ctx -> ok(ctx, version(service.version(subject(ctx),
                ctx.pathParam("version"), deleted(ctx)))));
        app.get("/subjects/{subject}/versions/{version}/schema", ctx -> raw(ctx, service.version(subject(ctx),
                ctx.pathParam("version"), deleted(ctx)).schema()));
        app.get("/subjects/{subject}/versions/{version}/referencedby", ctx -> ok(ctx, ints(service.referencedBy(
                subject(ctx), ctx.pathParam("version")))));
        app.delete("/subjects/{subject}/versions/{version}", ctx -> ok(ctx, JSON.getNodeFactory().numberNode(
                service.deleteVersion(subject(ctx), ctx.pathParam("version"), permanent(ctx)))));

        app.get("/config", ctx -> ok(ctx, level("compatibilityLevel", service.globalLevel())));
        app.put("/config", ctx -> ok(ctx, level("compatibility",
                service.setGlobalLevel(levelIn(body(ctx))))));
        app.get("/config/{subject}", ctx -> ok(ctx, level("compatibilityLevel",
                service.subjectLevel(subject(ctx), "true".equalsIgnoreCase(ctx.queryParam("defaultToGlobal"))))));
        app.put("/config/{subject}", ctx -> ok(ctx, level("compatibility",
                service.setSubjectLevel(subject(ctx), levelIn(body(ctx))))));
        app.delete("/config/{subject}", ctx -> ok(ctx, level("compatibilityLevel",
                service.deleteSubjectLevel(subject(ctx)))));

        app.post("/compatibility/subjects/{subject}/versions/{version}", ctx -> compatibility(ctx,
                ctx.pathParam("version")));
        app.post("/compatibility/subjects/{subject}/versions", ctx -> compatibility(ctx, null));
    }

    private void compatibility(Context ctx, String versionSpec) {
        JsonNode body = body(ctx);
        List<String> problems = service.compatibilityProblems(subject(ctx), versionSpec, text(body, "schema"),
                text(body, "schemaType"), references(body));
        ObjectNode out = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
        if ("true".equalsIgnoreCase(ctx.queryParam("verbose"))) {
            out.set("messages", strings(problems));
        }
        ok(ctx, out);
    }

    private static ObjectNode version(SchemaVersion v) {
        return content(JSON.createObjectNode().put("subject", v.subject()).put("version", v.version())
                .put("id", v.id()), v.content());
    }

    /**
     * Adds {@code schemaType}, {@code schema} and {@code references} as Confluent writes them: the type is left out
     * for AVRO (clients read a missing type as AVRO), the references when there are none.
     */
    private static ObjectNode content(ObjectNode out, SchemaContent content) {
        if (!content.isAvro()) {
            out.put("schemaType", content.schemaType());
        }
        out.put("schema", content.schema());
        if (!content.references().isEmpty()) {
            ArrayNode references = out.putArray("references");
            content.references().forEach(r -> references.addObject().put("name", r.name())
                    .put("subject", r.subject()).put("version", r.version()));
        }
        return out;
    }

    /** The {@code references} of a register, lookup or compatibility body; each needs a name, subject and version. */
    private static List<SchemaReference> references(JsonNode body) {
        JsonNode references = body.get("references");
        if (references == null || references.isNull()) {
            return List.of();
        }
        if (!references.isArray()) {
            throw RegistryException.invalidSchema("references must be an array of {name, subject, version}");
        }
        List<SchemaReference> out = new ArrayList<>();
        for (JsonNode r : references) {
            String name = text(r, "name");
            String subject = text(r, "subject");
            JsonNode version = r.get("version");
            if (name == null || name.isBlank() || subject == null || subject.isBlank() || version == null
                    || !version.canConvertToInt()) {
                throw RegistryException.invalidSchema("reference " + r + " needs a name, a subject and a version");
            }
            out.add(new SchemaReference(name, subject, version.asInt()));
        }
        return out;
    }

    private static ObjectNode level(String field, CompatibilityLevel level) {
        return JSON.createObjectNode().put(field, level.name());
    }

    /** Confluent's PUT /config body names the level {@code compatibility}; newer clients may send the GET name. */
    private static String levelIn(JsonNode body) {
        String level = text(body, "compatibility");
        return level != null ? level : text(body, "compatibilityLevel");
    }

    private static String subject(Context ctx) {
        return ctx.pathParam("subject");
    }

    private static int id(Context ctx) {
        String raw = ctx.pathParam("id");
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw RegistryException.schemaNotFound(raw);
        }
    }

    private static boolean deleted(Context ctx) {
        return "true".equalsIgnoreCase(ctx.queryParam("deleted"));
    }

    private static boolean permanent(Context ctx) {
        return "true".equalsIgnoreCase(ctx.queryParam("permanent"));
    }

    private static JsonNode body(Context ctx) {
        String body = ctx.body();
        if (body.isBlank()) {
            throw RegistryException.badRequest("Request body is empty; expected a JSON object");
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (!node.isObject()) {
                throw RegistryException.badRequest("Request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw RegistryException.badRequest("Request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode out = JSON.createArrayNode();
        values.forEach(out::add);
        return out;
    }

    private static ArrayNode ints(List<Integer> values) {
        ArrayNode out = JSON.createArrayNode();
        values.forEach(out::add);
        return out;
    }

    private static void ok(Context ctx, JsonNode body) {
        ctx.status(200).contentType(CONTENT_TYPE).result(body.toString());
    }

    private static void raw(Context ctx, String schema) {
        ctx.status(200).contentType(CONTENT_TYPE).result(schema);
    }

    private static void error(Context ctx, int code, String message) {
        ObjectNode body = JSON.createObjectNode().put("error_code", code).put("message", message);
        ctx.status(RegistryException.httpStatus(code)).contentType(CONTENT_TYPE).result(body.toString());
    }
}
