package dev.ferry.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format: byte {@code 0x00}, the schema id as a 4-byte big-endian int, then the
 * Avro binary encoding of the value. Exposed for tools that only need the id (DLQ inspection,
 * routing) without decoding the value.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0x0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** Writes the 5-byte header into {@code target} at offset 0. */
    public static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    /**
     * The schema id of a serialized record.
     *
     * @throws SerializationException naming {@code topic} when the bytes are not in the wire format
     */
    public static int schemaId(String topic, byte[] data) {
        if (data == null || data.length == 0) {
            throw new SerializationException("Empty record on topic " + topic
                    + ": 0 bytes where the Confluent wire format needs at least " + HEADER_SIZE
                    + " (a tombstone is null, not empty)");
        }
        if (data[0] != MAGIC_BYTE) {
            throw new SerializationException(String.format("Unknown magic byte 0x%02x%s in a record on topic %s:"
                    + " expected 0x00 of the Confluent wire format (was it written by another serializer?)",
                    data[0] & 0xff, printable(data[0]), topic));
        }
        if (data.length < HEADER_SIZE) {
            throw new SerializationException("Truncated record on topic " + topic + ": " + data.length
                    + " bytes, too short for the " + HEADER_SIZE + "-byte header");
        }
        return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? " ('" + (char) b + "')" : "";
    }
}
