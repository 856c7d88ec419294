package dev.ferry.core.triggers;

import dev.ferry.core.FerryException;

/**
 * A source record whose value does not decode as its trigger's {@code format} says (not UTF-8, not JSON, not the
 * Confluent wire format, an unknown schema id...). The message names the record as {@code topic-partition@offset},
 * the format and why. No retry cures it: the trigger runtime sends the record to the trigger's {@code onFailure}
 * topic (DESIGN "Rules every module follows": bad input gets a clear error and loses nothing).
 */
public class SourceDecodingException extends FerryException {
    private static final long serialVersionUID = 1L;

    public SourceDecodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
