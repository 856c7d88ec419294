package dev.ferry.schemas.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where the registry is and how to talk to it, read from the configuration keys Confluent users
 * already know. Immutable; {@link #toString()} never shows the password.
 */
public final class SchemaRegistryClientConfig {

    /** Comma-separated registry URLs; the client fails over to the next one on connect errors and 5xx. */
    public static final String URL_CONFIG = "schema.registry.url";
    /** {@code USER_INFO} (credentials in {@link #USER_INFO_CONFIG}) or {@code URL} (in the URL's user info). */
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG = "basic.auth.credentials.source";
    /** {@code user:password}, sent as HTTP Basic authentication. */
    public static final String USER_INFO_CONFIG = "basic.auth.user.info";
    /** The older spelling of {@link #USER_INFO_CONFIG}, still found in many property files. */
    public static final String LEGACY_USER_INFO_CONFIG = "schema.registry.basic.auth.user.info";
    public static final String CONNECT_TIMEOUT_MS_CONFIG = "http.connect.timeout.ms";
    /** How long one HTTP request may take before the client gives up on that URL. */
    public static final String REQUEST_TIMEOUT_MS_CONFIG = "http.read.timeout.ms";

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final List<URI> urls;
    private final String userInfo;
    private final Duration connectTimeout;
    private final Duration requestTimeout;

    private SchemaRegistryClientConfig(List<URI> urls, String userInfo, Duration connectTimeout,
                                       Duration requestTimeout) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException(URL_CONFIG + " must name at least one URL");
        }
        this.urls = List.copyOf(urls);
        this.userInfo = userInfo;
        this.connectTimeout = positive(connectTimeout, CONNECT_TIMEOUT_MS_CONFIG);
        this.requestTimeout = positive(requestTimeout, REQUEST_TIMEOUT_MS_CONFIG);
    }

    /** A configuration for the given comma-separated URLs, without authentication, default timeouts. */
    public static SchemaRegistryClientConfig forUrls(String commaSeparatedUrls) {
        return from(Map.of(URL_CONFIG, commaSeparatedUrls));
    }

    /** Reads the keys of this class from a Kafka-style configuration map; other keys are ignored. */
    public static SchemaRegistryClientConfig from(Map<String, ?> configs) {
        Object rawUrls = configs.get(URL_CONFIG);
        if (rawUrls == null || rawUrls.toString().isBlank()) {
            throw new IllegalArgumentException("Missing required configuration " + URL_CONFIG);
        }
        String source = string(configs, BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "USER_INFO").toUpperCase(Locale.ROOT);
        String userInfo = null;
        List<URI> urls = new ArrayList<>();
        for (String part : urlList(rawUrls)) {
            URI uri = parseUrl(part);
            if (uri.getRawUserInfo() != null) {
                if ("URL".equals(source) && userInfo == null) {
                    userInfo = uri.getUserInfo();
                }
                uri = withoutUserInfo(uri);
            }
            urls.add(uri);
        }
        switch (source) {
            case "USER_INFO" -> {
                String info = string(configs, USER_INFO_CONFIG, string(configs, LEGACY_USER_INFO_CONFIG, ""));
                userInfo = info.isEmpty() ? null : info;
            }
            case "URL" -> { }
            default -> throw new IllegalArgumentException(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG
                    + " must be USER_INFO or URL, not '" + source + "'");
        }
        if (userInfo != null && userInfo.indexOf(':') < 0) {
            throw new IllegalArgumentException("Basic auth credentials must have the form user:password");
        }
        return new SchemaRegistryClientConfig(urls, userInfo,
                millis(configs, CONNECT_TIMEOUT_MS_CONFIG, DEFAULT_CONNECT_TIMEOUT),
                millis(configs, REQUEST_TIMEOUT_MS_CONFIG, DEFAULT_REQUEST_TIMEOUT));
    }

    /** A copy that authenticates with HTTP Basic as {@code user:password}. */
    public SchemaRegistryClientConfig withBasicAuth(String userAndPassword) {
        if (userAndPassword == null || userAndPassword.indexOf(':') < 0) {
            throw new IllegalArgumentException("Basic auth credentials must have the form user:password");
        }
        return new SchemaRegistryClientConfig(urls, userAndPassword, connectTimeout, requestTimeout);
    }

    public SchemaRegistryClientConfig withTimeouts(Duration connect, Duration request) {
        return new SchemaRegistryClientConfig(urls, userInfo, connect, request);
    }

    /** The registry base URLs, in fail-over order, without credentials. */
    public List<URI> urls() {
        return urls;
    }

    /** {@code user:password}, or null without authentication. */
    public String basicAuthUserInfo() {
        return userInfo;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    @Override
    public String toString() {
        // Credentials stay out of logs and exception messages.
        String auth = userInfo == null ? "none" : "basic(" + userInfo.substring(0, userInfo.indexOf(':')) + ":****)";
        return "SchemaRegistryClientConfig{urls=" + urls + ", auth=" + auth + ", connectTimeout=" + connectTimeout
                + ", requestTimeout=" + requestTimeout + "}";
    }

    private static List<String> urlList(Object raw) {
        List<String> parts = new ArrayList<>();
        if (raw instanceof List<?> list) {
            list.forEach(item -> parts.add(String.valueOf(item).trim()));
        } else {
            for (String part : raw.toString().split(",")) {
                parts.add(part.trim());
            }
        }
        parts.removeIf(String::isEmpty);
        return parts;
    }

    private static URI parseUrl(String text) {
        String trimmed = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        try {
            URI uri = new URI(trimmed);
            if (uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException(URL_CONFIG + " has an invalid URL '" + redact(text)
                        + "' (expected http://host:port or https://host:port)");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(URL_CONFIG + " has an invalid URL '" + redact(text) + "'", e);
        }
    }

    private static String redact(String url) {
        return url.replaceAll("//[^/@]*@", "//****@");
    }

    private static URI withoutUserInfo(URI uri) {
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(URL_CONFIG + " has an invalid URL", e);
        }
    }

    private static String string(Map<String, ?> configs, String key, String fallback) {
        Object value = configs.get(key);
        return value == null ? fallback : value.toString().trim();
    }

    private static Duration millis(Map<String, ?> configs, String key, Duration fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Duration.ofMillis(value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number of milliseconds, not '" + value + "'", e);
        }
    }

    private static Duration positive(Duration duration, String key) {
        Objects.requireNonNull(duration, key);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, not " + duration.toMillis());
        }
        return duration;
    }
}
