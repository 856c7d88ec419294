package dev.ferry.core.triggers;

import dev.ferry.core.FerryException;

/**
 * A source record whose value does not decode as its trigger's {@code format} says (not UTF-8, not JSON, not the
 * Confluent wire format, an unknown schema id...). The message names the record as {@code topic-partition@offset},
 * the format and why.
 *
 * <p>Usually the record itself is wrong and no retry cures it: the trigger runtime sends it to the trigger's
 * {@code onFailure} topic (DESIGN "Rules every module follows": bad input gets a clear error and loses nothing).
 * {@link #retriable()} is true when the record may be fine but the schema registry could not be asked (no answer,
 * a 5xx, refused credentials): sending such records to {@code onFailure} would empty a healthy topic into the
 * dead-letter topic during a registry outage, so the runtime should retry the record later instead.
 */
public class SourceDecodingException extends FerryException {
    private static final long serialVersionUID = 1L;

    private final boolean retriable;
    private final Integer schemaId;

    /** A record that is itself undecodable: not {@link #retriable()}. */
    public SourceDecodingException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public SourceDecodingException(String message, Throwable cause, boolean retriable) {
        this(message, cause, retriable, null);
    }

    /** @param schemaId the schema id of the record's value (AVRO), or null when it has none or it is not known */
    public SourceDecodingException(String message, Throwable cause, boolean retriable, Integer schemaId) {
        super(message, cause);
        this.retriable = retriable;
        this.schemaId = schemaId;
    }

    /** The schema id of the record's value when it is in the wire format (AVRO), whose fetch may be what failed. */
    public java.util.OptionalInt schemaId() {
        return schemaId == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(schemaId);
    }

    /** True when the registry, not the record, failed: decode the same record again later. */
    public boolean retriable() {
        return retriable;
    }
}
