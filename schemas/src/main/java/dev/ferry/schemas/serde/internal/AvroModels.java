package dev.ferry.schemas.serde.internal;

import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.specific.SpecificData;

/** The Avro data models the serde writes and reads with. */
final class AvroModels {

    /**
     * For schemas without a generated class: knows the standard logical types, so a generic record
     * may hold an {@code Instant} or a {@code BigDecimal} as well as the raw long or bytes (Avro picks
     * the conversion by the value's class, so raw values pass through untouched).
     */
    private static final SpecificData WITH_CONVERSIONS = new SpecificData();

    static {
        WITH_CONVERSIONS.addLogicalTypeConversion(new Conversions.DecimalConversion());
        WITH_CONVERSIONS.addLogicalTypeConversion(new Conversions.UUIDConversion());
        WITH_CONVERSIONS.addLogicalTypeConversion(new TimeConversions.DateConversion());
        WITH_CONVERSIONS.addLogicalTypeConversion(new TimeConversions.TimeMillisConversion());
        WITH_CONVERSIONS.addLogicalTypeConversion(new TimeConversions.TimeMicrosConversion());
        WITH_CONVERSIONS.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        WITH_CONVERSIONS.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        WITH_CONVERSIONS.addLogicalTypeConversion(new TimeConversions.LocalTimestampMillisConversion());
        WITH_CONVERSIONS.addLogicalTypeConversion(new TimeConversions.LocalTimestampMicrosConversion());
    }

    private AvroModels() {
    }

    /** The generated class's own model (with its conversions) when there is one, else {@link #WITH_CONVERSIONS}. */
    static SpecificData writerModel(Schema schema) {
        SpecificData model = SpecificData.getForSchema(schema);
        return model == SpecificData.get() ? WITH_CONVERSIONS : model;
    }
}
