package dev.ferry.embedded.internal.registry;

/**
 * A reference from one schema to a type registered elsewhere, as Confluent's API spells it: {@code name} is how
 * the schema names the type (for Avro the referenced record's full name), {@code subject} and {@code version} where
 * that type is registered. Stored with the version it belongs to, so it survives restarts.
 */
record SchemaReference(String name, String subject, int version) {

    /** The store key Confluent gives the referenced version, which its 42206 message names too. */
    String describeTarget() {
        return "{magic=1,keytype=SCHEMA,subject=" + subject + ",version=" + version + "}";
    }
}
