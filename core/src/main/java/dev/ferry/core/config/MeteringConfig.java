package dev.ferry.core.config;

import java.math.BigDecimal;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the metering application. Prices are exact decimals written as strings; the defaults are AWS
 * Lambda's public x86 list prices ($0.0000166667 per GB-second, $0.20 per million requests).
 */
public final class MeteringConfig {

    public static final String WINDOW_MS = "metering.window.ms";
    public static final String GRACE_MS = "metering.grace.ms";
    public static final String DEDUP_RETENTION_MS = "metering.dedup.retention.ms";
    public static final String PRICE_PER_GB_SECOND = "metering.price.per.gb.second";
    public static final String PRICE_PER_REQUEST = "metering.price.per.request";

    private final long windowMs;
    private final long graceMs;
    private final long dedupRetentionMs;
    private final BigDecimal pricePerGbSecond;
    private final BigDecimal pricePerRequest;

    MeteringConfig(AbstractConfig config) {
        this.windowMs = config.getLong(WINDOW_MS);
        this.graceMs = config.getLong(GRACE_MS);
        this.dedupRetentionMs = config.getLong(DEDUP_RETENTION_MS);
        this.pricePerGbSecond = new BigDecimal(config.getString(PRICE_PER_GB_SECOND));
        this.pricePerRequest = new BigDecimal(config.getString(PRICE_PER_REQUEST));
    }

    static void define(ConfigDef def) {
        def.define(WINDOW_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
                        "Length of a usage window (ferry dev: 10 s).")
                .define(GRACE_MS, Type.LONG, 300_000L, Range.atLeast(0), Importance.MEDIUM,
                        "How long a window accepts late results before its UsageRecord is final (ferry dev: 5 s).")
                .define(DEDUP_RETENTION_MS, Type.LONG, 24L * 60 * 60 * 1000, Range.atLeast(1), Importance.LOW,
                        "How long a result's (invocationId, attempt) is remembered, so a duplicate is billed once.")
                .define(PRICE_PER_GB_SECOND, Type.STRING, "0.0000166667", MeteringConfig::requireDecimal,
                        Importance.MEDIUM, "Price of one GB-second, an exact decimal.")
                .define(PRICE_PER_REQUEST, Type.STRING, "0.0000002", MeteringConfig::requireDecimal,
                        Importance.MEDIUM, "Price of one invocation attempt, an exact decimal.");
    }

    private static void requireDecimal(String name, Object value) {
        try {
            if (new BigDecimal((String) value).signum() < 0) {
                throw new ConfigException(name, value, "a price cannot be negative");
            }
        } catch (NumberFormatException | NullPointerException e) {
            throw new ConfigException(name, value, "expected an exact decimal such as 0.0000166667");
        }
    }

    public long windowMs() {
        return windowMs;
    }

    public long graceMs() {
        return graceMs;
    }

    public long dedupRetentionMs() {
        return dedupRetentionMs;
    }

    public BigDecimal pricePerGbSecond() {
        return pricePerGbSecond;
    }

    public BigDecimal pricePerRequest() {
        return pricePerRequest;
    }
}
