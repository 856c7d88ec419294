package dev.ferry.schemas.registry;

/**
 * The registry gave the schema asked about, and Ferry cannot read it: not Avro (a JSON Schema or Protobuf schema,
 * whose records Confluent's JSON Schema and Protobuf serializers write in the same wire format), not valid Avro, or
 * with references that are not. A verdict on that schema, and so on every record that names its id, never an
 * outage: {@link #unavailable()} is false, and such a record is the record's fault (dead-lettered, or a trigger's
 * {@code onFailure}). A tester, session 14: a single record with a JSON Schema's id on {@code ferry.invocations}
 * stopped the dispatcher's partition for good and made the process report its registry down.
 */
public final class UnreadableSchemaException extends SchemaRegistryException {

    public UnreadableSchemaException(String message) {
        this(message, null);
    }

    public UnreadableSchemaException(String message, Throwable cause) {
        super(200, 200, message, cause);
    }

    /** False: the registry answered; what it gave cannot be read, and asking again gives the same. */
    @Override
    public boolean unavailable() {
        return false;
    }
}
