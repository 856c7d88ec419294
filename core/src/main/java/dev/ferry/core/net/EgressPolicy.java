package dev.ferry.core.net;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Where an HTTP function may send its calls (issue 12): never to the worker host's own services or the cloud's
 * instance metadata, unless the operator allows it. Refused by default: loopback ({@code 127.0.0.0/8}, {@code ::1}),
 * the unspecified address ({@code 0.0.0.0}, {@code ::}, which reaches the local host), link-local
 * ({@code 169.254.0.0/16}, {@code fe80::/10}) and the metadata addresses of the big clouds
 * ({@code 169.254.169.254}, {@code fd00:ec2::254}, {@code 100.100.100.200}, {@code 168.63.129.16}).
 *
 * <p>The allowlist ({@code worker.http.egress.allow}) holds CIDRs ({@code 10.1.0.0/16}), single addresses, or host
 * names, which are then allowed whatever they resolve to. {@code ferry dev} allows loopback, since it runs
 * everything on one machine.
 *
 * <p>The worker's own host is every address it has, not only loopback (tester 15A, finding 5: a handler called
 * the host's eth0 address, where a gateway bound to {@code 0.0.0.0} answered): every address of every local network
 * interface ({@link NetworkInterface}, read again at most every {@value #LOCAL_ADDRESSES_TTL_MS} ms, as interfaces
 * come and go) is refused like loopback. A host name is compared without its trailing dot ({@code localhost.} is
 * {@code localhost}), and {@code localhost}, its subdomains and this host's own name are checked at deploy too,
 * where no other name is looked up (the deploy check runs on the gateway's host: its own addresses are refused
 * there); a subdomain of {@code localhost} that resolves to nothing is refused outright.
 *
 * <p>The platform's own ports ({@link PlatformPorts}: its gateway, metering and management listeners, its brokers and
 * schema registry) are refused on the worker's own host whatever the allowlist says, since the operator who allows
 * loopback ({@code ferry dev} does) allows the functions' own helpers, not Ferry's surfaces. A URL without a port
 * means 80 ({@code http}) or 443 ({@code https}).
 *
 * <p>A host that is an address literal is judged as the address, without DNS, and fails closed: a literal the policy
 * cannot read is refused whatever the allowlist (only dotted-decimal IPv4, the one form every client reads alike, and
 * IPv6 are read). An IPv6 zone id ({@code [fe80::1%25eth0]}) is dropped and the address judged, so
 * {@code fe80::1%eth0} is link-local and {@code ::1%lo} loopback; {@code FunctionSpecs} refuses a zone id in a
 * handler at deploy, the worker judges one that got in before. An IPv6 address that carries an IPv4 address, an
 * IPv4-compatible ({@code ::a.b.c.d}, deprecated), NAT64 ({@code 64:ff9b::a.b.c.d}) or 6to4 ({@code 2002::/16}) one,
 * is judged as that IPv4 address too, like an IPv4-mapped one ({@code ::ffff:a.b.c.d}), from a URL or from DNS.
 *
 * <p>Left open: the address checked is the one the JDK's resolver gives right before the call, not read from the
 * connection itself ({@code java.net.http} does not tell which address it connected to).
 *
 * <p>{@link #refusal(URI)} resolves the host and checks every address it has, so a name that points at a refused
 * address is refused too; the worker calls it before every call, since DNS may change. The JDK caches each lookup
 * ({@code networkaddress.cache.ttl}, 30 s by default), so the HTTP client that connects right after the check gets
 * the same answer: a DNS record that changes between the two (rebinding) does not slip through.
 */
public final class EgressPolicy {

    /** How long the local interfaces' addresses are kept before they are read again, in milliseconds. */
    static final long LOCAL_ADDRESSES_TTL_MS = 10_000;
    private static final Pattern DOTTED_DECIMAL =
            Pattern.compile("((0|[1-9][0-9]?|1[0-9]{2}|2[0-4][0-9]|25[0-5])\\.){3}"
                    + "(0|[1-9][0-9]?|1[0-9]{2}|2[0-4][0-9]|25[0-5])");
    private static final List<Cidr> REFUSED_EXTRA = List.of(
            Cidr.parse("fd00:ec2::254/128"),   // AWS instance metadata over IPv6
            Cidr.parse("100.100.100.200/32"),  // Alibaba Cloud metadata
            Cidr.parse("168.63.129.16/32"));   // Azure wire server

    /** Name resolution, injectable as {@code Time} is in Kafka: tests give a name any address. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** The host's own addresses and names, injectable for tests. */
    public interface LocalHost {
        /** Every address of every network interface of this host; read often, so it may cache. */
        Set<InetAddress> addresses();

        /** This host's own names, lower case, without a trailing dot. */
        Set<String> names();
    }

    private final List<Cidr> allowedRanges;
    private final List<String> allowedHosts;
    private final Resolver resolver;
    private final LocalHost localHost;
    private final PlatformPorts platformPorts;

    private EgressPolicy(List<Cidr> allowedRanges, List<String> allowedHosts, Resolver resolver,
            LocalHost localHost, PlatformPorts platformPorts) {
        this.allowedRanges = List.copyOf(allowedRanges);
        this.allowedHosts = List.copyOf(allowedHosts);
        this.resolver = resolver;
        this.localHost = localHost;
        this.platformPorts = platformPorts;
    }

    /** Why a call is refused, and whether an allowlist entry ({@code worker.http.egress.allow}) could open it. */
    public record Refusal(String reason, boolean allowable) {
    }

    /** This policy, resolving names with {@code resolver} instead of the JDK's {@link InetAddress}. */
    public EgressPolicy withResolver(Resolver resolver) {
        return new EgressPolicy(allowedRanges, allowedHosts, resolver, localHost, platformPorts);
    }

    /** This policy, taking {@code localHost} for this host's addresses and names instead of its interfaces'. */
    public EgressPolicy withLocalHost(LocalHost localHost) {
        return new EgressPolicy(allowedRanges, allowedHosts, resolver, localHost, platformPorts);
    }

    /**
     * This policy, also refusing {@code ports} on the worker's own host, allowed or not. The set is live: a port
     * added to it later is refused from then on.
     */
    public EgressPolicy withPlatformPorts(PlatformPorts ports) {
        return new EgressPolicy(allowedRanges, allowedHosts, resolver, localHost, ports);
    }

    /**
     * The default refusals minus {@code allow}: CIDRs, addresses or host names.
     *
     * @throws IllegalArgumentException naming an entry that is a malformed CIDR
     */
    public static EgressPolicy allowing(List<String> allow) {
        List<Cidr> ranges = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        for (String raw : allow) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.contains("/") || looksLikeAddress(entry)) {
                ranges.add(Cidr.parse(entry));
            } else {
                hosts.add(entry.toLowerCase(Locale.ROOT));
            }
        }
        return new EgressPolicy(ranges, hosts, InetAddress::getAllByName, new Interfaces(), PlatformPorts.none());
    }

    /**
     * Why a call to {@code uri} is refused now, after resolving its host; empty when it may go. A name with a
     * trailing dot is resolved both without it and as given (what the HTTP client asks).
     */
    public Optional<Refusal> refusal(URI uri) {
        String given = rawHostOf(uri);
        if (given == null) {
            return Optional.of(new Refusal("the URL has no host", false));
        }
        String host = withoutTrailingDots(given);
        int port = portOf(uri);
        boolean allowedByName = allowedHosts.contains(host);
        if (allowedByName && !platformPorts.contains(port)) {
            return Optional.empty();
        }
        if (looksLikeAddress(host)) {
            return literalRefusal(host, port, allowedByName);
        }
        for (String name : given.equals(host) ? List.of(host) : List.of(host, given)) {
            InetAddress[] addresses;
            try {
                addresses = resolver.resolve(name);
            } catch (UnknownHostException e) {
                continue; // a name no resolver knows: the call itself fails, with the client's own error
            }
            for (InetAddress address : addresses) {
                Optional<Refusal> refused = refusal(address, port, allowedByName);
                if (refused.isPresent()) {
                    return refused.map(r -> new Refusal(
                            name + " resolves to " + address.getHostAddress() + ", " + r.reason(), r.allowable()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Why a call to {@code uri} is certain to be refused, decided without a DNS lookup (at deploy, where a name may
     * still change its address): a literal address in the URL, or a name of this host ({@code localhost}, its
     * subdomains, the host's own name; each resolved from the host's own files), with or without a trailing dot.
     * Empty when it may go, or when only the call can tell.
     */
    public Optional<Refusal> refusalWithoutLookup(URI uri) {
        String host = hostOf(uri);
        int port = portOf(uri);
        boolean allowedByName = host != null && allowedHosts.contains(host);
        if (host == null || allowedByName && !platformPorts.contains(port)) {
            return Optional.empty();
        }
        if (host.equals("localhost") || host.endsWith(".localhost") || localHost.names().contains(host)) {
            // Its addresses come from the host's own files (/etc/hosts), not from DNS. One that resolves to none
            // (a.localhost, which some resolvers answer with loopback) is refused: it can only mean this host.
            Optional<Refusal> refused = refusal(uri);
            return refused.isPresent() || resolves(host) || allowedByName ? refused
                    : Optional.of(new Refusal(host + " is a name of the worker's own host", true));
        }
        return looksLikeAddress(host) ? literalRefusal(host, port, allowedByName) : Optional.empty();
    }

    /**
     * Why a call to the literal address {@code host} is refused. One the policy cannot read is refused too (fail
     * closed; a tester: {@code [::1%25lo]} and {@code [::ffff:127.0.0.1%lo]}, which the JDK does not parse, passed
     * as if they were names no DNS knows). An IPv6 zone id ({@code %eth0}, {@code %25lo}) is dropped and the address
     * judged: {@code fe80::1%eth0} is link-local, {@code ::1%lo} loopback.
     */
    private Optional<Refusal> literalRefusal(String host, int port, boolean allowedByName) {
        Optional<InetAddress> address = literal(host);
        if (address.isEmpty()) {
            return Optional.of(new Refusal(host + " is an address the egress policy cannot read (an IPv4 address "
                    + "only as a.b.c.d, four decimal numbers without leading zeros)", false));
        }
        return refusal(address.get(), port, allowedByName)
                .map(r -> new Refusal(host + " is " + r.reason(), r.allowable()));
    }

    /**
     * The address {@code host} names, which looks like one ({@link #looksLikeAddress}): an IPv4 address in
     * dotted-decimal form (the only one every client reads alike, see {@code FunctionSpecs}), or an IPv6 address
     * whose zone id, if any, is dropped; empty when it is neither. Parsed without asking DNS.
     */
    static Optional<InetAddress> literal(String host) {
        int zone = host.indexOf('%');
        String bare = zone < 0 ? host : host.substring(0, zone);
        if (!bare.contains(":")) {
            // 010.0.0.1, 1.2.3 or 2852039166 are read as other addresses by other clients: no form to judge
            return zone < 0 && DOTTED_DECIMAL.matcher(bare).matches() ? Optional.of(ipv4(bare)) : Optional.empty();
        }
        String embedded = bare.substring(bare.lastIndexOf(':') + 1);
        if (!bare.matches("[0-9a-f:.]+") || embedded.contains(".") && !DOTTED_DECIMAL.matcher(embedded).matches()) {
            return Optional.empty();
        }
        try {
            // In brackets, getByName reads an IPv6 literal or fails; it never asks DNS.
            return Optional.of(InetAddress.getByName("[" + bare + "]"));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static InetAddress ipv4(String dottedDecimal) {
        String[] parts = dottedDecimal.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // not reached: four bytes are an IPv4 address
        }
    }

    /** The port a call to {@code uri} connects to: its own, else the scheme's (80, or 443 for https). */
    private static int portOf(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private boolean resolves(String host) {
        try {
            return resolver.resolve(host).length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Why a call to {@code address} is refused. An IPv6 address that carries an IPv4 address is judged as itself and
     * as that IPv4 address, as the JDK already reads an IPv4-mapped one ({@code ::ffff:a.b.c.d}) as the IPv4
     * address ({@link #embeddedIpv4}; a tester: {@code [::127.0.0.1]} passed).
     */
    private Optional<Refusal> refusal(InetAddress address, int port, boolean allowedByName) {
        Optional<Refusal> refused = judge(address, port, allowedByName);
        Optional<Embedded> embedded = embeddedIpv4(address);
        if (refused.isPresent() || embedded.isEmpty()) {
            return refused;
        }
        InetAddress inner = embedded.get().address();
        return judge(inner, port, allowedByName).map(r -> new Refusal(embedded.get().kind() + " address of "
                + inner.getHostAddress() + ", " + r.reason(), r.allowable()));
    }

    /** An IPv4 address an IPv6 one carries, and what kind of IPv6 address carries it ("a NAT64"). */
    record Embedded(String kind, InetAddress address) {
    }

    /**
     * The IPv4 address an IPv6 address carries where a router or translator may deliver to it: an IPv4-compatible
     * one ({@code ::a.b.c.d}, not {@code ::} or {@code ::1}; deprecated by RFC 4291), one of NAT64's well-known prefix
     * ({@code 64:ff9b::a.b.c.d}, RFC 6052) or a 6to4 one ({@code 2002:AABB:CCDD::}, RFC 3056, the address in its
     * bits 16-47). Lists of cloud-metadata bypasses name all three, so they are judged by the IPv4 address too.
     */
    static Optional<Embedded> embeddedIpv4(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != 16 || address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return Optional.empty();
        }
        if (zeros(bytes, 0, 12)) {
            return ipv4(bytes, 12).map(inner -> new Embedded("an IPv4-compatible", inner));
        }
        if (bytes[0] == 0 && bytes[1] == 0x64 && bytes[2] == (byte) 0xff && bytes[3] == (byte) 0x9b
                && zeros(bytes, 4, 12)) {
            return ipv4(bytes, 12).map(inner -> new Embedded("a NAT64", inner));
        }
        if (bytes[0] == 0x20 && bytes[1] == 0x02) {
            return ipv4(bytes, 2).map(inner -> new Embedded("a 6to4", inner));
        }
        return Optional.empty();
    }

    private static boolean zeros(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static Optional<InetAddress> ipv4(byte[] bytes, int from) {
        try {
            return Optional.of(InetAddress.getByAddress(Arrays.copyOfRange(bytes, from, from + 4)));
        } catch (UnknownHostException e) {
            return Optional.empty(); // not reached: four bytes are an IPv4 address
        }
    }

    private Optional<Refusal> judge(InetAddress address, int port, boolean allowedByName) {
        boolean loopback = address.isLoopbackAddress() || address.isAnyLocalAddress();
        if (platformPorts.contains(port) && (loopback || localHost.addresses().contains(withoutScope(address)))) {
            return Optional.of(new Refusal("port " + port + " of the worker's own host, where Ferry itself listens",
                    false));
        }
        if (allowedByName || allowedRanges.stream().anyMatch(allowed -> allowed.contains(address))) {
            return Optional.empty();
        }
        if (loopback) {
            return allowable("a loopback address (the worker's own host)");
        }
        if (localHost.addresses().contains(withoutScope(address))) {
            return allowable("an address of the worker's own host");
        }
        if (address.getHostAddress().equals("169.254.169.254") || REFUSED_EXTRA.stream()
                .anyMatch(c -> c.contains(address))) {
            return allowable("a cloud metadata address");
        }
        if (address.isLinkLocalAddress()) {
            return allowable("a link-local address");
        }
        return Optional.empty();
    }

    private static Optional<Refusal> allowable(String reason) {
        return Optional.of(new Refusal(reason, true));
    }

    /** The URL's host, lower case, without brackets or a trailing dot; null when it has none. */
    private static String hostOf(URI uri) {
        String host = rawHostOf(uri);
        return host == null ? null : withoutTrailingDots(host);
    }

    /** The URL's host as the HTTP client will resolve it: lower case, without brackets; null when it has none. */
    private static String rawHostOf(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return null;
        }
        host = host.toLowerCase(Locale.ROOT);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** {@code localhost.} and {@code 127.0.0.1.} name what {@code localhost} and {@code 127.0.0.1} do. */
    private static String withoutTrailingDots(String host) {
        String bare = host;
        while (bare.endsWith(".")) {
            bare = bare.substring(0, bare.length() - 1);
        }
        return bare;
    }

    /** The address alone: an IPv6 address of an interface carries its scope, one from a URL or DNS does not. */
    static InetAddress withoutScope(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress());
        } catch (UnknownHostException e) {
            return address; // not reached: the length of an address's bytes is always valid
        }
    }

    /** This host's interfaces, read again at most every {@value #LOCAL_ADDRESSES_TTL_MS} ms. */
    private static final class Interfaces implements LocalHost {

        private volatile Set<InetAddress> addresses = Set.of();
        private volatile Set<String> names = Set.of();
        private volatile long readAt;
        private volatile boolean read;

        @Override
        public Set<InetAddress> addresses() {
            refresh();
            return addresses;
        }

        @Override
        public Set<String> names() {
            refresh();
            return names;
        }

        private synchronized void refresh() {
            long now = System.nanoTime();
            if (read && now - readAt < TimeUnit.MILLISECONDS.toNanos(LOCAL_ADDRESSES_TTL_MS)) {
                return;
            }
            Set<InetAddress> found = new HashSet<>();
            try {
                for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                        found.add(withoutScope(address));
                    }
                }
            } catch (SocketException e) {
                // Keep what was read last: loopback and any-local are refused without it.
            }
            if (!found.isEmpty()) {
                addresses = Set.copyOf(found);
            }
            if (!read) {
                // The name this host gives itself, read once: it does not change, and reading it may ask DNS.
                try {
                    names = Set.of(withoutTrailingDots(
                            InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT)));
                } catch (UnknownHostException e) {
                    // A host without a resolvable name of its own: its addresses are checked all the same.
                }
            }
            readAt = now;
            read = true;
        }
    }

    private static boolean looksLikeAddress(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }

    /** An address range: the first {@code bits} bits of {@code network}. */
    private record Cidr(byte[] network, int bits) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            String address = slash < 0 ? text : text.substring(0, slash);
            if (!looksLikeAddress(address)) {
                throw new IllegalArgumentException("'" + text + "' is not an address or CIDR");
            }
            try {
                byte[] bytes = InetAddress.getByName(address).getAddress();
                int bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
                if (bits < 0 || bits > bytes.length * 8) {
                    throw new IllegalArgumentException("'" + text + "' has a prefix length out of range");
                }
                return new Cidr(bytes, bits);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not an address or CIDR", e);
            }
        }

        boolean contains(InetAddress address) {
            byte[] candidate = address.getAddress();
            if (candidate.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (candidate[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (candidate[full] & mask) == (network[full] & mask);
        }
    }
}
