package dev.ferry.embedded.internal.registry;

import java.util.Arrays;
import java.util.List;

/**
 * A refusal with a Confluent error code; the HTTP status is the code's first three digits (40401 → 404, and a
 * bare 409 stays 409), as Confluent clients expect. The messages are worded as Confluent's registry words them,
 * endpoint by endpoint, because clients compare them (issue 12).
 */
public final class RegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int errorCode;

    RegistryException(int errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    public int errorCode() {
        return errorCode;
    }

    public int httpStatus() {
        return httpStatus(errorCode);
    }

    /** The HTTP status of an error code: its first three digits. */
    static int httpStatus(int errorCode) {
        int status = errorCode;
        while (status >= 1000) {
            status /= 10;
        }
        return status;
    }

    static RegistryException subjectNotFound(String subject) {
        return new RegistryException(40401, "Subject '" + subject + "' not found.");
    }

    /** {@code version} as requested; Confluent writes {@code latest} as -1. */
    static RegistryException versionNotFound(int version) {
        return new RegistryException(40402, "Version " + version + " not found.");
    }

    /** A lookup by content (POST /subjects/{s}) found no version with this schema. */
    static RegistryException schemaNotFound() {
        return new RegistryException(40403, "Schema not found");
    }

    /** No schema has this id (GET /schemas/ids/{id} and its sub-resources). */
    static RegistryException schemaNotFound(Object id) {
        return new RegistryException(40403, "Schema " + id + " not found");
    }

    /** Another schema (even a soft-deleted one) references the version; delete the referencing schemas first. */
    static RegistryException referenceExists(SchemaReference target) {
        return new RegistryException(42206, "One or more references exist to the schema " + target.describeTarget()
                + ".");
    }

    static RegistryException referenceNotFound(SchemaReference reference) {
        return invalidSchema("No schema reference found for subject \"" + reference.subject() + "\" and version "
                + reference.version() + " (reference '" + reference.name() + "')");
    }

    static RegistryException subjectSoftDeleted(String subject) {
        return new RegistryException(40404, "Subject '" + subject
                + "' was soft deleted. Set permanent=true to delete permanently");
    }

    static RegistryException subjectNotSoftDeleted(String subject) {
        return new RegistryException(40405, "Subject '" + subject
                + "' was not deleted first before being permanently deleted");
    }

    static RegistryException versionSoftDeleted(String subject, int version) {
        return new RegistryException(40406, "Subject '" + subject + "' Version " + version
                + " was soft deleted. Set permanent=true to delete permanently");
    }

    static RegistryException versionNotSoftDeleted(String subject, int version) {
        return new RegistryException(40407, "Subject '" + subject + "' Version " + version
                + " was not deleted first before being permanently deleted");
    }

    static RegistryException subjectConfigNotFound(String subject) {
        return new RegistryException(40408, "Subject '" + subject
                + "' does not have subject-level compatibility configured");
    }

    /** Worded as Confluent's (409 with error_code 409); the details are this registry's own findings. */
    static RegistryException incompatible(String subject, CompatibilityLevel level, List<String> problems) {
        return new RegistryException(409, "Schema being registered is incompatible with an earlier schema for"
                + " subject \"" + subject + "\", details: [" + String.join(", ", problems) + ", {compatibility: "
                + level + "}]");
    }

    static RegistryException invalidSchema(String detail) {
        return new RegistryException(42201, "Invalid schema: " + detail);
    }

    static RegistryException invalidVersion(String version) {
        return new RegistryException(42202, "The specified version '" + version
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    static RegistryException invalidCompatibility(String level) {
        return new RegistryException(42203, "Invalid compatibility level '" + level + "'. Valid values are "
                + Arrays.toString(CompatibilityLevel.values()));
    }

    static RegistryException badRequest(String detail) {
        return new RegistryException(400, detail);
    }

    static RegistryException storeError(String detail, Throwable cause) {
        RegistryException e = new RegistryException(50001, "Error in the backend data store: " + detail);
        e.initCause(cause);
        return e;
    }
}
