package dev.ferry.core.net;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

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
 * <p>{@link #refusal(URI)} resolves the host and checks every address it has, so a name that points at a refused
 * address is refused too. The JDK caches each lookup ({@code networkaddress.cache.ttl}, 30 s by default), so the
 * HTTP client that connects right after the check gets the same answer: a DNS record that changes between the two
 * (rebinding) does not slip through.
 */
public final class EgressPolicy {

    private static final List<Cidr> REFUSED_EXTRA = List.of(
            Cidr.parse("fd00:ec2::254/128"),   // AWS instance metadata over IPv6
            Cidr.parse("100.100.100.200/32"),  // Alibaba Cloud metadata
            Cidr.parse("168.63.129.16/32"));   // Azure wire server

    /** Name resolution, injectable as {@code Time} is in Kafka: tests give a name any address. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final List<Cidr> allowedRanges;
    private final List<String> allowedHosts;
    private final Resolver resolver;

    private EgressPolicy(List<Cidr> allowedRanges, List<String> allowedHosts, Resolver resolver) {
        this.allowedRanges = List.copyOf(allowedRanges);
        this.allowedHosts = List.copyOf(allowedHosts);
        this.resolver = resolver;
    }

    /** This policy, resolving names with {@code resolver} instead of the JDK's {@link InetAddress}. */
    public EgressPolicy withResolver(Resolver resolver) {
        return new EgressPolicy(allowedRanges, allowedHosts, resolver);
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
        return new EgressPolicy(ranges, hosts, InetAddress::getAllByName);
    }

    /** Why a call to {@code uri} is refused now, after resolving its host; empty when it may go. */
    public Optional<String> refusal(URI uri) {
        String host = hostOf(uri);
        if (host == null) {
            return Optional.of("the URL has no host");
        }
        if (allowedHosts.contains(host)) {
            return Optional.empty();
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            return Optional.empty(); // the call itself fails, with the client's own error
        }
        for (InetAddress address : addresses) {
            Optional<String> refused = refusal(address);
            if (refused.isPresent()) {
                return Optional.of(host + " resolves to " + address.getHostAddress() + ", " + refused.get());
            }
        }
        return Optional.empty();
    }

    /**
     * Why a call to {@code uri} is certain to be refused, decided without a DNS lookup (at deploy, where a name may
     * still change its address): a literal address in the URL, or {@code localhost}. Empty when it may go, or when
     * only the call can tell.
     */
    public Optional<String> refusalWithoutLookup(URI uri) {
        String host = hostOf(uri);
        if (host == null || allowedHosts.contains(host)) {
            return Optional.empty();
        }
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return refusal(uri);
        }
        if (!looksLikeAddress(host)) {
            return Optional.empty();
        }
        try {
            // A literal address: getByName parses it without asking DNS.
            return refusal(InetAddress.getByName(host)).map(reason -> host + " is " + reason);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private Optional<String> refusal(InetAddress address) {
        for (Cidr allowed : allowedRanges) {
            if (allowed.contains(address)) {
                return Optional.empty();
            }
        }
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return Optional.of("a loopback address (the worker's own host)");
        }
        if (address.getHostAddress().equals("169.254.169.254") || REFUSED_EXTRA.stream()
                .anyMatch(c -> c.contains(address))) {
            return Optional.of("a cloud metadata address");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("a link-local address");
        }
        return Optional.empty();
    }

    private static String hostOf(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return null;
        }
        host = host.toLowerCase(Locale.ROOT);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
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
