package dev.ferry.core.triggers;

import dev.ferry.core.FerryException;

/** STUB until the filter helper's version lands: a source record that cannot be decoded per the trigger's format. */
public class SourceDecodingException extends FerryException {
    private static final long serialVersionUID = 1L;

    public SourceDecodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
