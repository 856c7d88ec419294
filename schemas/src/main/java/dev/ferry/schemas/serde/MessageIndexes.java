package dev.ferry.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The message indexes of Confluent's Protobuf wire format: after the 5-byte {@link WireFormat} header comes the
 * path of the message type within its {@code .proto} file (index of the top-level message, then of each nested
 * one), as a zig-zag varint count followed by that many zig-zag varint indexes, and then the Protobuf bytes. The
 * common case, the first top-level message ({@code [0]}), is written as the single byte {@code 0x00}.
 *
 * <p>Ferry does not decode Protobuf itself; this lets a tool find the message type and where its bytes start.
 */
public final class MessageIndexes {

    /** More nesting than this is not a real schema but a corrupt record. */
    private static final int MAX_DEPTH = 100;

    private MessageIndexes() {
    }

    /**
     * What follows the header of a Protobuf record.
     *
     * @param indexes the path of the message type, never empty ({@code [0]}: the first top-level message)
     * @param payloadOffset where the Protobuf bytes of the message start in the record
     */
    public record Read(List<Integer> indexes, int payloadOffset) {
        public Read {
            indexes = List.copyOf(indexes);
        }
    }

    /**
     * Reads the indexes of a record in the Protobuf wire format (header included in {@code data}).
     *
     * @throws SerializationException naming {@code topic} when the header or the indexes are cut short or malformed
     */
    public static Read read(String topic, byte[] data) {
        WireFormat.schemaId(topic, data);
        int[] position = {WireFormat.HEADER_SIZE};
        int count = zigZagVarint(topic, data, position);
        if (count < 0 || count > MAX_DEPTH) {
            throw new SerializationException("Malformed Protobuf message indexes on topic " + topic + ": count "
                    + count + " (expected 0 to " + MAX_DEPTH + ")");
        }
        if (count == 0) {
            return new Read(List.of(0), position[0]);
        }
        List<Integer> indexes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = zigZagVarint(topic, data, position);
            if (index < 0) {
                throw new SerializationException("Malformed Protobuf message indexes on topic " + topic
                        + ": negative index " + index);
            }
            indexes.add(index);
        }
        return new Read(indexes, position[0]);
    }

    /** The bytes that go between the header and the Protobuf bytes for {@code indexes}. */
    public static byte[] write(List<Integer> indexes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (indexes.equals(List.of(0))) {
            out.write(0);
            return out.toByteArray();
        }
        writeZigZag(out, indexes.size());
        indexes.forEach(i -> writeZigZag(out, i));
        return out.toByteArray();
    }

    private static int zigZagVarint(String topic, byte[] data, int[] position) {
        int raw = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (position[0] >= data.length) {
                throw new SerializationException("Truncated record on topic " + topic
                        + ": it ends inside the Protobuf message indexes, after " + data.length + " bytes");
            }
            byte b = data[position[0]++];
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new SerializationException("Malformed Protobuf message indexes on topic " + topic
                + ": a varint longer than 5 bytes");
    }

    private static void writeZigZag(ByteArrayOutputStream out, int value) {
        int raw = (value << 1) ^ (value >> 31);
        while ((raw & ~0x7f) != 0) {
            out.write((raw & 0x7f) | 0x80);
            raw >>>= 7;
        }
        out.write(raw);
    }
}
