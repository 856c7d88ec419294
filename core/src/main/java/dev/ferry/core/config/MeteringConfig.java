package dev.ferry.core.config;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the metering application. Prices are exact decimals written as strings; the defaults are AWS
 * Lambda's public x86 list prices ($0.0000166667 per GB-second, $0.20 per million requests).
 *
 * <p>Prices come per plan. The plan named {@value #DEFAULT_PLAN} is priced by {@value #PRICE_PER_GB_SECOND} and
 * {@value #PRICE_PER_REQUEST}; more plans are listed in {@value #PLANS}, and {@value #TENANT_PLANS} puts tenants on
 * them. A tenant not listed there pays the default plan.
 */
public final class MeteringConfig {

    public static final String WINDOW_MS = "metering.window.ms";
    public static final String GRACE_MS = "metering.grace.ms";
    public static final String DEDUP_RETENTION_MS = "metering.dedup.retention.ms";
    public static final String PRICE_PER_GB_SECOND = "metering.price.per.gb.second";
    public static final String PRICE_PER_REQUEST = "metering.price.per.request";
    public static final String PLANS = "metering.plans";
    public static final String TENANT_PLANS = "metering.tenant.plans";
    public static final String HTTP_PORT = "metering.http.port";
    public static final String HTTP_HOST = "metering.http.host";
    public static final String HTTP_BIND_ADDRESS = "metering.http.bind.address";
    public static final String HTTP_TOKEN = "metering.http.token";
    public static final String STATE_DIR = "metering.state.dir";
    public static final String COMMIT_INTERVAL_MS = "metering.commit.interval.ms";
    public static final String QUERY_RETENTION_MS = "metering.query.retention.ms";
    public static final String ROLLUP_RETENTION_MS = "metering.rollup.retention.ms";

    /** The plan every tenant is on unless {@value #TENANT_PLANS} says otherwise. */
    public static final String DEFAULT_PLAN = "default";

    private static final long DAY_MS = 24L * 60 * 60 * 1000;

    /** The prices of one plan, exact decimals. */
    public record Plan(String name, BigDecimal pricePerGbSecond, BigDecimal pricePerRequest) {
    }

    private final long windowMs;
    private final long graceMs;
    private final long dedupRetentionMs;
    private final BigDecimal pricePerGbSecond;
    private final BigDecimal pricePerRequest;
    private final Map<String, Plan> plans;
    private final Map<String, String> tenantPlans;
    private final int httpPort;
    private final String httpHost;
    private final String httpBindAddress;
    private final org.apache.kafka.common.config.types.Password httpToken;
    private final String stateDir;
    private final long commitIntervalMs;
    private final long queryRetentionMs;
    private final long rollupRetentionMs;

    MeteringConfig(AbstractConfig config) {
        this.windowMs = config.getLong(WINDOW_MS);
        this.graceMs = config.getLong(GRACE_MS);
        this.dedupRetentionMs = config.getLong(DEDUP_RETENTION_MS);
        this.pricePerGbSecond = new BigDecimal(config.getString(PRICE_PER_GB_SECOND));
        this.pricePerRequest = new BigDecimal(config.getString(PRICE_PER_REQUEST));
        Map<String, Plan> parsed = new LinkedHashMap<>();
        parsed.put(DEFAULT_PLAN, new Plan(DEFAULT_PLAN, pricePerGbSecond, pricePerRequest));
        for (String entry : config.getList(PLANS)) {
            Plan plan = parsePlan(entry);
            parsed.put(plan.name(), plan);
        }
        this.plans = Collections.unmodifiableMap(parsed);
        Map<String, String> tenants = new LinkedHashMap<>();
        for (String entry : config.getList(TENANT_PLANS)) {
            String[] parts = entry.trim().split(":");
            if (parts.length != 2 || !plans.containsKey(parts[1])) {
                throw new ConfigException(TENANT_PLANS, entry,
                        "expected tenant:plan with a plan named in " + PLANS + " or '" + DEFAULT_PLAN + "'");
            }
            tenants.put(parts[0], parts[1]);
        }
        this.tenantPlans = Collections.unmodifiableMap(tenants);
        this.httpPort = config.getInt(HTTP_PORT);
        this.httpHost = config.getString(HTTP_HOST);
        this.httpBindAddress = config.getString(HTTP_BIND_ADDRESS);
        this.httpToken = config.getPassword(HTTP_TOKEN);
        this.stateDir = config.getString(STATE_DIR);
        this.commitIntervalMs = config.getLong(COMMIT_INTERVAL_MS);
        this.queryRetentionMs = config.getLong(QUERY_RETENTION_MS);
        this.rollupRetentionMs = config.getLong(ROLLUP_RETENTION_MS);
    }

    static void define(ConfigDef def) {
        def.define(WINDOW_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
                        "Length of a usage window (ferry dev: 10 s).")
                .define(GRACE_MS, Type.LONG, 300_000L, Range.atLeast(0), Importance.MEDIUM,
                        "How long a window accepts late results before its UsageRecord is final (ferry dev: 5 s).")
                .define(DEDUP_RETENTION_MS, Type.LONG, DAY_MS, Range.atLeast(1), Importance.LOW,
                        "How long a result's (invocationId, attempt) is remembered, so a duplicate is billed once.")
                .define(PRICE_PER_GB_SECOND, Type.STRING, "0.0000166667", MeteringConfig::requireDecimal,
                        Importance.MEDIUM, "Price of one GB-second in the 'default' plan, an exact decimal.")
                .define(PRICE_PER_REQUEST, Type.STRING, "0.0000002", MeteringConfig::requireDecimal,
                        Importance.MEDIUM, "Price of one invocation attempt in the 'default' plan, an exact decimal.")
                .define(PLANS, Type.LIST, List.of(), MeteringConfig::requirePlans, Importance.MEDIUM,
                        "More price plans, comma-separated name:pricePerGbSecond:pricePerRequest entries of exact "
                                + "decimals, e.g. pro:0.0000150000:0.00000015.")
                .define(TENANT_PLANS, Type.LIST, List.of(), Importance.MEDIUM,
                        "Which plan each tenant is on, comma-separated tenant:plan entries; other tenants pay "
                                + "the 'default' plan.")
                .define(HTTP_PORT, Type.INT, 8082, Range.between(0, 65535), Importance.MEDIUM,
                        "Port of the metering instance's usage query API (0 picks a free port).")
                .define(HTTP_HOST, Type.STRING, "localhost", Importance.MEDIUM,
                        "Host name under which other metering instances and the gateway reach this instance's "
                                + "usage API (the Kafka Streams application.server).")
                .define(HTTP_BIND_ADDRESS, Type.STRING, "127.0.0.1", Importance.HIGH,
                        "Address the usage API binds to. The default serves this host only; any other address "
                                + "(several metering instances, a gateway elsewhere) needs metering.http.token.")
                .define(HTTP_TOKEN, Type.PASSWORD, "", Importance.HIGH,
                        "Shared token of the usage API: when set, every call needs 'Authorization: Bearer <token>'; "
                                + "metering instances and gateways send it. Never logged.")
                .define(STATE_DIR, Type.STRING, "", Importance.MEDIUM,
                        "Directory of the metering state stores; empty means ferry-metering under java.io.tmpdir.")
                .define(COMMIT_INTERVAL_MS, Type.LONG, 1000L, Range.atLeast(1), Importance.LOW,
                        "How often metering commits (one transaction per task under exactly_once_v2); shorter "
                                + "gives fresher results, longer costs less throughput.")
                .define(QUERY_RETENTION_MS, Type.LONG, 7 * DAY_MS, Range.atLeast(1), Importance.LOW,
                        "How long closed usage windows stay queryable from the metering state stores.")
                .define(ROLLUP_RETENTION_MS, Type.LONG, 400 * DAY_MS, Range.atLeast(DAY_MS), Importance.LOW,
                        "How long the hourly and daily roll-ups stay queryable.");
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

    private static void requirePlans(String name, Object value) {
        if (value instanceof List<?> entries) {
            for (Object entry : entries) {
                parsePlan(String.valueOf(entry));
            }
        }
    }

    private static Plan parsePlan(String entry) {
        String[] parts = entry.trim().split(":");
        if (parts.length != 3 || parts[0].isBlank()) {
            throw new ConfigException(PLANS, entry, "expected name:pricePerGbSecond:pricePerRequest");
        }
        requireDecimal(PLANS, parts[1]);
        requireDecimal(PLANS, parts[2]);
        return new Plan(parts[0], new BigDecimal(parts[1]), new BigDecimal(parts[2]));
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

    /** Every plan by name, the 'default' plan included. */
    public Map<String, Plan> plans() {
        return plans;
    }

    /** The plan a tenant pays. */
    public Plan planOf(String tenant) {
        return plans.get(tenantPlans.getOrDefault(tenant, DEFAULT_PLAN));
    }

    public int httpPort() {
        return httpPort;
    }

    public String httpHost() {
        return httpHost;
    }

    /** The address the usage API listens on (not the one it is reached under: {@link #httpHost()}). */
    public String httpBindAddress() {
        return httpBindAddress;
    }

    /** The usage API's shared token, or empty when none is set. Never log it. */
    public String httpToken() {
        return httpToken == null ? "" : httpToken.value();
    }

    public String stateDir() {
        return stateDir;
    }

    public long commitIntervalMs() {
        return commitIntervalMs;
    }

    public long queryRetentionMs() {
        return queryRetentionMs;
    }

    public long rollupRetentionMs() {
        return rollupRetentionMs;
    }
}
