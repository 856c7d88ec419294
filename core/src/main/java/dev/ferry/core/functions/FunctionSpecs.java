package dev.ferry.core.functions;

import dev.ferry.core.FieldRange;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.Plugins;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.math.BigInteger;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Defaults and validation of {@link FunctionSpec}, shared by the gateway, the command line and the services. */
public final class FunctionSpecs {

    public static final int MIN_MEMORY_MB = 128;
    public static final int MAX_MEMORY_MB = 10_240;
    public static final int MAX_TIMEOUT_MS = 900_000;
    /** Far above any sane need; keeps a typo from creating a topic with a million partitions. */
    public static final int MAX_PARTITIONS = 1_000;
    public static final int MAX_REPLICAS = 1_000;
    public static final int MAX_CONCURRENCY = 1_000;
    public static final int MAX_ATTEMPTS = 100;
    /** Longest handler: a class name, URL or command line; a longer one is a mistake, not a function. */
    public static final int MAX_HANDLER_LENGTH = 2_048;

    /**
     * The range of each integer field, as {@link #validate} checks it; a JSON parser names it for a number beyond
     * the field's type.
     */
    public static final Map<String, FieldRange> INT_RANGES = Map.of(
            "memoryMb", new FieldRange(MIN_MEMORY_MB, MAX_MEMORY_MB),
            "timeoutMs", new FieldRange(1, MAX_TIMEOUT_MS),
            "concurrency", new FieldRange(1, MAX_CONCURRENCY),
            "partitions", new FieldRange(1, MAX_PARTITIONS),
            "minReplicas", new FieldRange(0, MAX_REPLICAS),
            "maxReplicas", new FieldRange(1, MAX_REPLICAS),
            "targetLagPerReplica", new FieldRange(1, Integer.MAX_VALUE),
            "maxAttempts", new FieldRange(1, MAX_ATTEMPTS));

    /**
     * The partition strategy names the dispatcher knows ({@code dispatcher.PartitionStrategies} builds one for each),
     * the default first. Here in core so the gateway checks {@code FunctionSpec.partitionStrategy} at deploy
     * without depending on the dispatcher: a name the dispatcher does not know would make it reject every call.
     */
    public static final List<String> PARTITION_STRATEGIES = List.of("auto", "key-affinity", "round-robin",
            "weighted-random", "least-lag");

    /** A Java class name, or a built-in's short name (which is one): dotted identifiers, {@code $} for nesting. */
    private static final Pattern JAVA_CLASS_NAME =
            Pattern.compile("\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*"
                    + "(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

    private FunctionSpecs() {
    }

    /** A builder with every default of docs/design.md and {@code updatedAt} now. */
    public static FunctionSpec.Builder builder(String tenant, String name, Runtime runtime, String handler) {
        return FunctionSpec.newBuilder()
                .setTenant(tenant)
                .setName(name)
                .setRuntime(runtime)
                .setHandler(handler)
                .setMemoryMb(128)
                .setTimeoutMs(30_000)
                .setConcurrency(1)
                .setMinReplicas(0)
                .setMaxReplicas(10)
                .setPartitions(6)
                .setDelivery(Delivery.QUEUE)
                .setTargetLagPerReplica(10)
                .setMaxAttempts(3)
                .setEnv(Map.of())
                .setUpdatedAt(Instant.now())
                .setPartitionStrategy(null);
    }

    public static FunctionRef ref(FunctionSpec spec) {
        return new FunctionRef(spec.getTenant(), spec.getName());
    }

    /**
     * Every rule the spec breaks, with no user partition strategy allowed; see
     * {@link #validate(FunctionSpec, boolean, List)}.
     */
    public static List<String> validate(FunctionSpec spec, boolean processRuntimeEnabled) {
        return validate(spec, processRuntimeEnabled, List.of());
    }

    /**
     * Every rule the spec breaks, each as a sentence that names the field and the allowed range; empty when valid.
     *
     * @param processRuntimeEnabled whether the operator turned the PROCESS runtime on
     * @param strategyClasses the user partition strategy classes the operator lets functions name
     *     ({@code dispatcher.partition.strategy.classes}); {@code partitionStrategy} must be a built-in name or one
     *     of them, as {@link #isAllowedStrategy} decides for the dispatcher too
     */
    public static List<String> validate(FunctionSpec spec, boolean processRuntimeEnabled,
            List<String> strategyClasses) {
        List<String> errors = new ArrayList<>();
        if (!FunctionRef.isValidName(spec.getTenant())) {
            errors.add("tenant must match " + FunctionRef.NAME.pattern() + ", got '" + spec.getTenant() + "'");
        }
        if (!FunctionRef.isValidName(spec.getName())) {
            errors.add("name must match " + FunctionRef.NAME.pattern() + ", got '" + spec.getName() + "'");
        }
        if (spec.getRuntime() == null) {
            errors.add("runtime is required: JAVA, HTTP or PROCESS");
        }
        String handler = spec.getHandler();
        if (handler == null || handler.isBlank()) {
            errors.add("handler is required: a class name or built-in name (JAVA), a URL (HTTP) or a command (PROCESS)");
        } else if (handler.length() > MAX_HANDLER_LENGTH) {
            errors.add("handler must be at most " + MAX_HANDLER_LENGTH + " characters, got " + handler.length());
        } else if (hasControlCharacter(handler)) {
            errors.add("handler must be one line without control characters");
        } else if (spec.getRuntime() == Runtime.HTTP && httpUrlProblem(handler).isPresent()) {
            errors.add(httpUrlProblem(handler).get());
        } else if (spec.getRuntime() == Runtime.JAVA && !JAVA_CLASS_NAME.matcher(handler).matches()) {
            errors.add("handler of a JAVA function must be a class name (com.acme.Resize) or a built-in name (echo), "
                    + "got '" + handler + "'");
        }
        if (spec.getRuntime() == Runtime.PROCESS && !processRuntimeEnabled) {
            errors.add("the PROCESS runtime is disabled on this platform (the operator enables it with "
                    + "worker.process.runtime.enabled=true)");
        }
        range(errors, "memoryMb", spec.getMemoryMb());
        range(errors, "timeoutMs", spec.getTimeoutMs());
        range(errors, "concurrency", spec.getConcurrency());
        range(errors, "partitions", spec.getPartitions());
        range(errors, "minReplicas", spec.getMinReplicas());
        range(errors, "maxReplicas", spec.getMaxReplicas());
        if (spec.getMinReplicas() > spec.getMaxReplicas()) {
            errors.add("minReplicas (" + spec.getMinReplicas() + ") must not exceed maxReplicas ("
                    + spec.getMaxReplicas() + ")");
        }
        if (spec.getDelivery() == Delivery.ORDERED && spec.getMinReplicas() > spec.getPartitions()) {
            errors.add("minReplicas (" + spec.getMinReplicas() + ") of an ORDERED function must not exceed its "
                    + "partitions (" + spec.getPartitions() + "): extra consumers would sit idle");
        }
        range(errors, "targetLagPerReplica", spec.getTargetLagPerReplica());
        range(errors, "maxAttempts", spec.getMaxAttempts());
        String strategy = spec.getPartitionStrategy();
        if (strategy != null && !isAllowedStrategy(strategy, strategyClasses)) {
            errors.add("partitionStrategy must be one of " + String.join(", ", allowedStrategies(strategyClasses))
                    + ", got '" + strategy + "'" + (Plugins.isClassName(strategy)
                    ? " (a class is allowed only when the operator lists it in dispatcher.partition.strategy.classes)"
                    : ""));
        }
        if (spec.getEnv() != null) {
            spec.getEnv().forEach((name, value) -> {
                if (name.isEmpty() || name.indexOf('=') >= 0 || hasControlCharacter(name)) {
                    errors.add("env names must be non-empty, without '=' or control characters, got '" + name + "'");
                } else if (value != null && value.indexOf('\0') >= 0) {
                    errors.add("env." + name + " must not contain a NUL character");
                }
            });
        }
        return errors;
    }

    /**
     * Whether a function may name {@code strategy}: a built-in name, or a class the operator listed. A tenant never
     * makes the dispatcher load a class of its choosing ({@code java.lang.Runtime} was accepted at deploy, loaded by
     * the dispatcher, and every call then REJECTED); the gateway cannot see the dispatcher's class path, so the list
     * is what both check (docs/design.md section 4, {@code FunctionSpec}).
     */
    public static boolean isAllowedStrategy(String strategy, List<String> strategyClasses) {
        return PARTITION_STRATEGIES.contains(strategy) || strategyClasses.contains(strategy);
    }

    /** The names a function may use: the built-ins, then the operator's classes. */
    public static List<String> allowedStrategies(List<String> strategyClasses) {
        List<String> all = new ArrayList<>(PARTITION_STRATEGIES);
        all.addAll(strategyClasses);
        return all;
    }

    private static void range(List<String> errors, String field, int value) {
        FieldRange range = INT_RANGES.get(field);
        if (!range.contains(value)) {
            errors.add(range.problem(field, value));
        }
    }

    private static boolean hasControlCharacter(String text) {
        return text.chars().anyMatch(Character::isISOControl);
    }

    /**
     * What is wrong with an HTTP function's handler, if anything: not an http(s) URL, a port outside 1-65535, no host
     * java.net.URI can read (the worker's HTTP client cannot call it), a host that other clients read as another
     * address than Java does, or an IPv6 address with a zone id.
     */
    private static Optional<String> httpUrlProblem(String handler) {
        URI uri;
        try {
            uri = URI.create(handler);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                || uri.getRawAuthority() == null) {
            return Optional.of("handler of an HTTP function must be an http:// or https:// URL, got '" + handler
                    + "'");
        }
        Optional<String> port = portProblem(uri.getRawAuthority());
        if (port.isPresent()) {
            return port;
        }
        String host = uri.getHost() != null ? uri.getHost() : hostOf(uri.getRawAuthority());
        Optional<String> numeric = host.startsWith("[") ? Optional.empty() : numericHostProblem(host);
        if (numeric.isPresent()) {
            return numeric;
        }
        if (uri.getHost() == null) {
            return Optional.of("handler of an HTTP function must name a valid host, but '" + host + "' is not a "
                    + "valid host: use a DNS name, an IPv4 address a.b.c.d or an IPv6 address in brackets");
        }
        if (host.startsWith("[") && host.indexOf('%') >= 0) {
            return Optional.of("handler of an HTTP function names the IPv6 address '" + host + "' with a zone id ('"
                    + host.substring(host.indexOf('%'), host.length() - 1) + "'), which names a network interface "
                    + "of one host: a handler on another host never needs one, write the address without it");
        }
        return Optional.empty();
    }

    /**
     * A port outside 1-65535 in a URL's authority (a tester: {@code http://127.0.0.1:84936/} was accepted, and every
     * call failed with an IllegalArgumentException); java.net.URI reads any digits as a port, or, past an int, the
     * whole authority as no host.
     */
    private static Optional<String> portProblem(String authority) {
        String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        int colon = hostPort.startsWith("[") ? hostPort.indexOf("]:") + 1 : hostPort.indexOf(':');
        if (colon <= 0) {
            return Optional.empty(); // no port: 80 for http, 443 for https
        }
        String digits = hostPort.substring(colon + 1);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty(); // an empty port is the default one; other text is no host to java.net.URI
        }
        BigInteger port = new BigInteger(digits);
        if (port.signum() > 0 && port.compareTo(BigInteger.valueOf(65_535)) <= 0) {
            return Optional.empty();
        }
        return Optional.of("handler of an HTTP function names port " + digits + ", which is no TCP port: use a port "
                + "from 1 to 65535, or none for 80 (http) or 443 (https)");
    }

    /** The host of a URL's authority java.net.URI did not read as server-based: without user info and port. */
    private static String hostOf(String authority) {
        String host = authority.substring(authority.lastIndexOf('@') + 1);
        return host.startsWith("[") ? host : host.replaceFirst(":[0-9]*$", "");
    }

    /**
     * A host that ends in a number is an IPv4 address to the WHATWG URL standard (browsers, curl), which reads
     * octal ({@code 0251}), hex ({@code 0xa9}) and fewer than four parts ({@code 169.254.43518}, {@code 2852039166});
     * the JDK reads some as another address or none ({@code 010.0.0.1} is 8.0.0.1 to curl and 10.0.0.1 to
     * InetAddress; {@code 0251.0376.0251.0376} is 169.254.169.254, the cloud metadata address, to curl and no host to
     * java.net.URI, a tester's finding). Only the dotted-decimal form a.b.c.d means one address to every client, so
     * that the egress policy judges the address a call reaches: any other form is refused.
     */
    private static Optional<String> numericHostProblem(String host) {
        List<String> parts = new ArrayList<>(List.of(host.split("\\.", -1)));
        if (parts.size() > 1 && parts.get(parts.size() - 1).isEmpty()) {
            parts.remove(parts.size() - 1); // a trailing dot
        }
        if (parts.isEmpty() || ipv4Number(parts.get(parts.size() - 1)) == null) {
            return Optional.empty(); // a DNS name
        }
        String form = "write the address as a.b.c.d, four decimal numbers from 0 to 255 without leading zeros";
        boolean dottedDecimal = parts.size() == 4 && parts.stream().allMatch(p -> p.matches("0|[1-9][0-9]{0,2}")
                && Integer.parseInt(p) <= 255);
        if (dottedDecimal) {
            return host.endsWith(".") ? Optional.of("handler of an HTTP function names the IPv4 address '" + host
                    + "' with a trailing dot, which java.net.URI does not read as a host: write it without the dot")
                    : Optional.empty();
        }
        Optional<String> reading = whatwgIpv4(parts);
        return Optional.of(reading.map(address -> "handler of an HTTP function names the host '" + host + "', which "
                + "is read as the IPv4 address " + address + " by curl and browsers (an octal, hex or shortened form, "
                + "which clients do not all read alike): " + form)
                .orElse("handler of an HTTP function names the host '" + host + "', which ends in a number but is not "
                        + "an IPv4 address: " + form));
    }

    /** The address the WHATWG URL standard's IPv4 parser reads from {@code parts}, if any. */
    private static Optional<String> whatwgIpv4(List<String> parts) {
        if (parts.size() > 4) {
            return Optional.empty();
        }
        long address = 0;
        for (int i = 0; i < parts.size(); i++) {
            BigInteger number = ipv4Number(parts.get(i));
            boolean last = i == parts.size() - 1;
            BigInteger limit = BigInteger.valueOf(256).pow(last ? 5 - parts.size() : 1);
            if (number == null || number.compareTo(limit) >= 0) {
                return Optional.empty();
            }
            address += last ? number.longValue() : number.longValue() << (8 * (3 - i));
        }
        return Optional.of((address >> 24 & 0xFF) + "." + (address >> 16 & 0xFF) + "." + (address >> 8 & 0xFF) + "."
                + (address & 0xFF));
    }

    /** One part of a WHATWG IPv4 address: hex after {@code 0x}, octal after a leading 0, else decimal; or null. */
    private static BigInteger ipv4Number(String part) {
        String digits = part;
        int radix = 10;
        if (part.length() >= 2 && (part.startsWith("0x") || part.startsWith("0X"))) {
            digits = part.substring(2);
            radix = 16;
        } else if (part.length() >= 2 && part.startsWith("0")) {
            digits = part.substring(1);
            radix = 8;
        }
        if (digits.isEmpty()) {
            return part.isEmpty() ? null : BigInteger.ZERO;
        }
        int base = radix;
        if (!digits.chars().allMatch(c -> c < 128 && Character.digit(c, base) >= 0)) {
            return null;
        }
        return new BigInteger(digits, radix);
    }
}
