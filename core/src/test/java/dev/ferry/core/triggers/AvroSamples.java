package dev.ferry.core.triggers;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro records of a user's own schemas, as a shop might write them, and the JSON a trigger's function must get
 * for them (issue 14: "Avro records ... arrive at the function as JSON"). Shared by the unit test and the IT.
 */
final class AvroSamples {

    static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "shop.v1", "fields": [
              {"name": "id", "type": "string"},
              {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "CANCELLED"]}},
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
              {"name": "fee", "type": {"type": "fixed", "name": "Fee", "size": 8, "logicalType": "decimal",
                                       "precision": 12, "scale": 3}},
              {"name": "placedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "day", "type": {"type": "int", "logicalType": "date"}},
              {"name": "ref", "type": {"type": "string", "logicalType": "uuid"}},
              {"name": "note", "type": ["null", "string"], "default": null},
              {"name": "coupon", "type": ["null", "string"], "default": null},
              {"name": "choice", "type": ["string", "int", {"type": "record", "name": "Line", "fields": [
                  {"name": "sku", "type": "string"}, {"name": "qty", "type": "int"}]}]},
              {"name": "lines", "type": {"type": "array", "items": "Line"}},
              {"name": "attributes", "type": {"type": "map", "values": ["null", "long"]}},
              {"name": "checksum", "type": {"type": "fixed", "name": "Hash", "size": 4}},
              {"name": "raw", "type": "bytes"},
              {"name": "ratio", "type": "float"},
              {"name": "score", "type": ["null", "double"]},
              {"name": "active", "type": "boolean"}
            ]}""");

    static final Schema REFUND = new Schema.Parser().parse("""
            {"type": "record", "name": "Refund", "namespace": "shop.v1", "fields": [
              {"name": "orderId", "type": "string"},
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
              {"name": "reason", "type": ["null", {"type": "enum", "name": "Reason", "symbols": ["DAMAGED", "LATE"]}]}
            ]}""");

    /** The JSON text of {@link #order()}: field order of the schema, decimals exact with their scale. */
    static final String ORDER_JSON = "{\"id\":\"o-1\",\"status\":\"PAID\",\"amount\":12.50,\"fee\":-0.125,"
            + "\"placedAt\":1700000000123,\"day\":19675,\"ref\":\"4b8f5d5e-0c1a-4a55-9f43-1f4e1d5b8a10\","
            + "\"note\":\"leave at door\",\"coupon\":null,\"choice\":7,"
            + "\"lines\":[{\"sku\":\"A-1\",\"qty\":2},{\"sku\":\"B-7\",\"qty\":1}],"
            + "\"attributes\":{\"gift\":null,\"weightGrams\":1200},\"checksum\":\"3q2+7w==\",\"raw\":\"AAH/\","
            + "\"ratio\":0.1,\"score\":\"NaN\",\"active\":true}";

    static final String REFUND_JSON = "{\"orderId\":\"o-1\",\"amount\":3.05,\"reason\":\"LATE\"}";

    private AvroSamples() {
    }

    static GenericRecord order() {
        GenericRecord order = new GenericData.Record(ORDER);
        order.put("id", "o-1");
        order.put("status", new GenericData.EnumSymbol(ORDER.getField("status").schema(), "PAID"));
        order.put("amount", decimalBytes(ORDER.getField("amount").schema(), "12.50"));
        Schema fee = ORDER.getField("fee").schema();
        order.put("fee", new Conversions.DecimalConversion().toFixed(new BigDecimal("-0.125"), fee, fee.getLogicalType()));
        order.put("placedAt", 1700000000123L);
        order.put("day", 19675);
        order.put("ref", "4b8f5d5e-0c1a-4a55-9f43-1f4e1d5b8a10");
        order.put("note", "leave at door");
        order.put("coupon", null);
        order.put("choice", 7);
        Schema line = ORDER.getField("lines").schema().getElementType();
        order.put("lines", List.of(line(line, "A-1", 2), line(line, "B-7", 1)));
        Map<String, Long> attributes = new LinkedHashMap<>();
        attributes.put("weightGrams", 1200L);
        attributes.put("gift", null);
        order.put("attributes", attributes);
        order.put("checksum", new GenericData.Fixed(ORDER.getField("checksum").schema(),
                new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}));
        order.put("raw", ByteBuffer.wrap(new byte[] {0, 1, (byte) 0xff}));
        order.put("ratio", 0.1f);
        order.put("score", Double.NaN);
        order.put("active", true);
        return order;
    }

    static GenericRecord refund() {
        GenericRecord refund = new GenericData.Record(REFUND);
        refund.put("orderId", "o-1");
        refund.put("amount", decimalBytes(REFUND.getField("amount").schema(), "3.05"));
        refund.put("reason", new GenericData.EnumSymbol(REFUND.getField("reason").schema().getTypes().get(1), "LATE"));
        return refund;
    }

    private static GenericRecord line(Schema schema, String sku, int qty) {
        GenericRecord line = new GenericData.Record(schema);
        line.put("sku", sku);
        line.put("qty", qty);
        return line;
    }

    private static ByteBuffer decimalBytes(Schema schema, String value) {
        return new Conversions.DecimalConversion().toBytes(new BigDecimal(value), schema, schema.getLogicalType());
    }
}
