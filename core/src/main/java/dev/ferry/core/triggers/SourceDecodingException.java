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

    /** A record that is itself undecodable: not {@link #retriable()}. */
    public SourceDecodingException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public SourceDecodingException(String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.retriable = retriable;
    }

    /** True when the registry, not the record, failed: decode the same record again later. */
    public boolean retriable() {
        return retriable;
    }
}
