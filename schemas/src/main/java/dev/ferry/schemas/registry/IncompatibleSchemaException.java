package dev.ferry.schemas.registry;

/**
 * The schema breaks the subject's compatibility rule. Registries before Confluent 7 answer with
 * error code 409, later ones with 40901; both end here.
 */
public class IncompatibleSchemaException extends SchemaRegistryException {

    public IncompatibleSchemaException(int status, int errorCode, String message) {
        super(status, errorCode, message);
    }
}
