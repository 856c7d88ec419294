package dev.ferry.schemas.registry;

/**
 * The registry answered with an error, or could not be reached.
 *
 * <p>{@link #status()} is the HTTP status and {@link #errorCode()} the registry's {@code error_code}
 * (for example 40401 subject not found, 40403 schema not found); both are {@link #NO_RESPONSE} when
 * no registry answered at all.
 */
public class SchemaRegistryException extends RuntimeException {

    /** Status and error code of a call that got no HTTP answer (connection refused, timeout). */
    public static final int NO_RESPONSE = -1;
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;

    private final int status;
    private final int errorCode;

    public SchemaRegistryException(int status, int errorCode, String message) {
        this(status, errorCode, message, null);
    }

    public SchemaRegistryException(int status, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** The HTTP status of the answer, or {@link #NO_RESPONSE}. */
    public int status() {
        return status;
    }

    /** The registry's {@code error_code} (the HTTP status when the body had none), or {@link #NO_RESPONSE}. */
    public int errorCode() {
        return errorCode;
    }

    /** True for 404 answers: the subject, version or schema does not exist. */
    public boolean isNotFound() {
        return status == 404;
    }

    /**
     * Whether the registry could not serve the call, which is then no fault of the record or schema asked about.
     * Only the registry's own verdict on the thing asked about is: a {@code 404} (no such subject, version or schema
     * id), {@code 409} (incompatible) or {@code 422} (invalid) carrying a registry {@code error_code} of its own (a
     * Confluent registry gives five digits, {@code 40403} for an unknown schema id). Everything else is the registry
     * unavailable to this process: no answer, a server error, a refused credential, an error answer without a
     * registry code (a proxy's or another server's {@code 404}, as from a mistyped URL), and a success or redirect
     * whose body is not the registry's answer (a login or maintenance page behind an ingress answering {@code 200}).
     * Such a failure is retried, never taken for a bad record (testers, session 12: a URL answering 404 made every
     * schema "unknown"; session 13: one answering 200 with an HTML page dead-lettered every work record).
     */
    public boolean unavailable() {
        boolean registrysVerdict = errorCode != status && (status == 404 || status == 409 || status == 422);
        return !registrysVerdict;
    }

    /** Whether {@code failure} or one of its causes is a {@code SchemaRegistryException} that is {@link #unavailable}. */
    public static boolean unavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SchemaRegistryException registry) {
                return registry.unavailable();
            }
        }
        return false;
    }
}
