package dev.ferry.core.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Turns a generic Avro datum, read with its writer schema, into the natural JSON a function expects (issue 14:
 * "AVRO ... hands the function JSON"), not Avro's own JSON encoding: records are objects (fields in schema order);
 * maps are objects (keys sorted, so one record always gives the same bytes); unions are unwrapped (the branch's
 * value, never {@code {"string": ...}}); enums and strings are strings; arrays are arrays; {@code bytes} and
 * {@code fixed} are standard base64 strings; {@code float} and {@code double} are numbers, NaN and infinities the
 * strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}. Logical types keep their underlying value
 * ({@code timestamp-millis} the long of milliseconds, {@code date} the int of days, {@code uuid} the string),
 * except {@code decimal}, which becomes an exact JSON number with the schema's scale ({@code 12.50}), never a
 * double.
 */
final class AvroJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroJson() {
    }

    static JsonNode toJson(Object datum, Schema schema) {
        return switch (schema.getType()) {
            case NULL -> NODES.nullNode();
            case BOOLEAN -> NODES.booleanNode((Boolean) datum);
            case INT -> NODES.numberNode((Integer) datum);
            case LONG -> NODES.numberNode((Long) datum);
            case FLOAT -> floating(((Float) datum).doubleValue(), NODES.numberNode((Float) datum));
            case DOUBLE -> floating((Double) datum, NODES.numberNode((Double) datum));
            case STRING, ENUM -> NODES.textNode(datum.toString());
            case BYTES -> bytes(bytesOf((ByteBuffer) datum), schema);
            case FIXED -> bytes(((GenericFixed) datum).bytes(), schema);
            case UNION -> toJson(datum, schema.getTypes().get(GenericData.get().resolveUnion(schema, datum)));
            case ARRAY -> array((Iterable<?>) datum, schema.getElementType());
            case MAP -> map((Map<?, ?>) datum, schema.getValueType());
            case RECORD -> record((IndexedRecord) datum, schema);
        };
    }

    private static JsonNode floating(double value, JsonNode number) {
        if (Double.isNaN(value)) {
            return NODES.textNode("NaN");
        }
        if (Double.isInfinite(value)) {
            return NODES.textNode(value > 0 ? "Infinity" : "-Infinity");
        }
        return number;
    }

    private static JsonNode bytes(byte[] bytes, Schema schema) {
        LogicalType logical = schema.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal decimal) {
            // DecimalNode as it is: the scale stays (12.50, not 12.5), whatever the node factory would do.
            return DecimalNode.valueOf(new BigDecimal(new BigInteger(bytes), decimal.getScale()));
        }
        // A text node, not a BinaryNode: the same base64 text whatever writes the tree out.
        return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    private static ArrayNode array(Iterable<?> elements, Schema elementSchema) {
        ArrayNode array = NODES.arrayNode();
        for (Object element : elements) {
            array.add(toJson(element, elementSchema));
        }
        return array;
    }

    private static ObjectNode map(Map<?, ?> entries, Schema valueSchema) {
        // Sorted by key: Avro reads maps into a HashMap, whose order is no one's; sorted, one record always gives
        // the same payload bytes.
        TreeMap<String, Object> sorted = new TreeMap<>();
        entries.forEach((key, value) -> sorted.put(key.toString(), value));
        ObjectNode object = NODES.objectNode();
        sorted.forEach((key, value) -> object.set(key, toJson(value, valueSchema)));
        return object;
    }

    private static ObjectNode record(IndexedRecord record, Schema schema) {
        ObjectNode object = NODES.objectNode();
        for (Schema.Field field : schema.getFields()) {
            object.set(field.name(), toJson(record.get(field.pos()), field.schema()));
        }
        return object;
    }

}
