package dev.ferry.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {

    private static boolean refused(EgressPolicy policy, String url) {
        return policy.refusalWithoutLookup(URI.create(url)).isPresent();
    }

    @Test
    void shouldRefuseLoopbackLinkLocalAndMetadataAddressesByDefault() {
        EgressPolicy policy = EgressPolicy.allowing(List.of());
        for (String url : List.of("http://127.0.0.1/", "http://127.8.9.10:9092/", "http://[::1]/", "http://0.0.0.0/",
                "http://169.254.169.254/", "http://169.254.1.1/", "http://[fe80::abcd]/", "http://[fd00:ec2::254]/",
                "http://100.100.100.200/", "http://[::ffff:127.0.0.1]/")) {
            assertThat(refused(policy, url)).as(url).isTrue();
        }
        for (String url : List.of("http://10.1.2.3/", "http://203.0.113.7/", "http://[2001:db8::1]/",
                "https://example.com/hook")) {
            assertThat(refused(policy, url)).as(url).isFalse();
        }
    }

    @Test
    void shouldAllowExactlyWhatTheAllowlistCovers() {
        EgressPolicy policy = EgressPolicy.allowing(List.of("127.0.0.1/32", "169.254.10.0/24", "::1"));
        assertThat(refused(policy, "http://127.0.0.1:8080/")).isFalse();
        assertThat(refused(policy, "http://127.0.0.2:8080/")).isTrue();
        assertThat(refused(policy, "http://169.254.10.200/")).isFalse();
        assertThat(refused(policy, "http://169.254.169.254/")).isTrue();
        assertThat(refused(policy, "http://[::1]/")).isFalse();
    }

    @Test
    void shouldCheckEveryAddressANameResolvesTo() {
        EgressPolicy policy = EgressPolicy.allowing(List.of()).withResolver(host -> new java.net.InetAddress[] {
                java.net.InetAddress.getByName("203.0.113.7"), java.net.InetAddress.getByName("127.0.0.1")});
        assertThat(policy.refusalWithoutLookup(URI.create("http://twofaced.example/"))).isEmpty();
        assertThat(policy.refusal(URI.create("http://twofaced.example/")))
                .hasValueSatisfying(refused -> assertThat(refused.reason()).contains("127.0.0.1").contains("loopback"));
        assertThat(EgressPolicy.allowing(List.of("twofaced.example")).withResolver(host -> {
            throw new AssertionError("an allowed name is not looked up");
        }).refusal(URI.create("http://twofaced.example/"))).isEmpty();
    }

    @Test
    void shouldRejectAMalformedAllowlistEntry() {
        assertThatThrownBy(() -> EgressPolicy.allowing(List.of("10.0.0.0/33")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.0/33");
    }

    /** A host with the address 192.0.2.2 on its eth0 and 2001:db8::5 on another interface, named worker-1. */
    private static final EgressPolicy.LocalHost HOST = new EgressPolicy.LocalHost() {
        @Override
        public java.util.Set<InetAddress> addresses() {
            try {
                return java.util.Set.of(InetAddress.getByName("192.0.2.2"), InetAddress.getByName("2001:db8::5"),
                        InetAddress.getByName("127.0.0.1"));
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public java.util.Set<String> names() {
            return java.util.Set.of("worker-1");
        }
    };

    /** Tester 15A, finding 5: a handler reached a gateway bound to 0.0.0.0 through the host's eth0 address. */
    @Test
    void shouldRefuseEveryAddressOfTheHostsOwnInterfacesAtDeployAndAtCallTime() {
        EgressPolicy policy = EgressPolicy.allowing(List.of()).withLocalHost(HOST).withResolver(host -> switch (host) {
            case "worker-1", "worker-1.", "sneaky.example" -> new InetAddress[] {InetAddress.getByName("192.0.2.2")};
            case "v6.example" -> new InetAddress[] {InetAddress.getByName("2001:db8::5")};
            default -> InetAddress.getAllByName(host);
        });
        for (String url : List.of("http://192.0.2.2:33200/readyz", "http://[2001:db8::5]:9400/metrics",
                "http://[::ffff:192.0.2.2]:33200/", "http://worker-1:8080/",
                "http://WORKER-1.:8080/")) {
            assertThat(policy.refusalWithoutLookup(URI.create(url))).as(url)
                    .hasValueSatisfying(refused -> assertThat(refused.reason()).contains("own host"));
        }
        // An address with a trailing dot is no host to java.net.URI, so no HTTP client can call it: refused at call.
        assertThat(URI.create("http://192.0.2.2.:33200/").getHost()).isNull();
        assertThat(policy.refusal(URI.create("http://192.0.2.2.:33200/"))).isPresent();
        assertThat(policy.refusalWithoutLookup(URI.create("http://sneaky.example/"))).as("only DNS can tell").isEmpty();
        assertThat(policy.refusal(URI.create("http://sneaky.example/")))
                .hasValueSatisfying(refused -> assertThat(refused.reason()).contains("192.0.2.2").contains("own host"));
        assertThat(policy.refusal(URI.create("http://v6.example/")))
                .hasValueSatisfying(refused -> assertThat(refused.reason()).contains("own host"));
        assertThat(refused(policy, "http://192.0.2.3/")).isFalse();
        assertThat(refused(EgressPolicy.allowing(List.of("192.0.2.2/32")).withLocalHost(HOST),
                "http://192.0.2.2:8080/")).as("the operator may allow it").isFalse();
    }

    @Test
    void shouldRefuseTheNameFormsOfTheLocalHostWithATrailingDot() {
        EgressPolicy policy = EgressPolicy.allowing(List.of());
        for (String url : List.of("http://localhost.:33214/metrics", "http://LOCALHOST./",
                "http://api.localhost./", "http://[::1]/")) {
            assertThat(refused(policy, url)).as(url).isTrue();
        }
        assertThat(policy.refusal(URI.create("http://localhost.:33214/metrics"))).isPresent();
    }

    @Test
    void shouldRefuseAnAddressOfThisMachinesOwnInterfaces() throws Exception {
        InetAddress own = null;
        for (java.net.NetworkInterface nic : java.util.Collections.list(
                java.net.NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                if (!address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    own = address;
                }
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(own != null, "a non-loopback interface address");
        String literal = own instanceof java.net.Inet6Address ? "[" + own.getHostAddress().replaceAll("%.*", "")
                + "]" : own.getHostAddress();

        assertThat(EgressPolicy.allowing(List.of()).refusalWithoutLookup(URI.create("http://" + literal + ":8080/")))
                .as(literal).hasValueSatisfying(refused -> assertThat(refused.reason()).contains("own host"));
    }

    /**
     * Tester finding, session 21: {@code ferry dev} allows loopback, and a tenant's function read the management
     * listener's /metrics and called the registry and the metering API. The platform's own ports stay refused on the
     * worker's own host, however its addresses are allowed, at deploy and at call time.
     */
    @Test
    void shouldRefuseThePlatformsOwnPortsOnTheWorkersHostWhateverTheAllowlist() {
        PlatformPorts ports = PlatformPorts.of(List.of(9400, 8081, 80));
        EgressPolicy policy = EgressPolicy.allowing(List.of("127.0.0.0/8", "::1", "192.0.2.2/32", "localhost"))
                .withLocalHost(HOST).withPlatformPorts(ports).withResolver(host -> switch (host) {
                    case "sneaky.example" -> new InetAddress[] {InetAddress.getByName("127.0.0.1")};
                    case "far.example" -> new InetAddress[] {InetAddress.getByName("203.0.113.7")};
                    default -> InetAddress.getAllByName(host);
                });
        for (String url : List.of("http://127.0.0.1:9400/metrics", "http://127.0.0.9:8081/subjects",
                "http://[::1]:9400/", "http://localhost:8081/", "http://LOCALHOST.:9400/", "http://192.0.2.2:9400/",
                "http://0.0.0.0:8081/", "http://127.0.0.1/", "http://[::ffff:127.0.0.1]:9400/")) {
            assertThat(policy.refusalWithoutLookup(URI.create(url))).as(url).hasValueSatisfying(refused -> {
                assertThat(refused.reason()).contains("where Ferry itself listens");
                assertThat(refused.allowable()).as("no allowlist entry opens it").isFalse();
            });
            assertThat(policy.refusal(URI.create(url))).as(url).isPresent();
        }
        assertThat(policy.refusalWithoutLookup(URI.create("http://sneaky.example:9400/"))).as("only DNS tells")
                .isEmpty();
        assertThat(policy.refusal(URI.create("http://sneaky.example:9400/")))
                .hasValueSatisfying(refused -> assertThat(refused.reason()).contains("127.0.0.1").contains("9400"));
        // Loopback on another port is still allowed, and the same port elsewhere is no port of the platform's.
        assertThat(policy.refusal(URI.create("http://127.0.0.1:8080/"))).isEmpty();
        assertThat(policy.refusal(URI.create("http://localhost:8080/"))).isEmpty();
        assertThat(policy.refusal(URI.create("http://far.example:9400/"))).isEmpty();
        assertThat(policy.refusal(URI.create("https://127.0.0.1/"))).as("443, not 80").isEmpty();
        // A port a listener binds later is refused from then on.
        assertThat(policy.refusal(URI.create("http://127.0.0.1:33200/"))).isEmpty();
        ports.add(33200);
        assertThat(policy.refusal(URI.create("http://127.0.0.1:33200/"))).isPresent();
        // Without an allowlist, loopback is refused for being loopback, which an operator may allow.
        assertThat(EgressPolicy.allowing(List.of()).withPlatformPorts(ports)
                .refusalWithoutLookup(URI.create("http://127.0.0.1:8080/")))
                .hasValueSatisfying(refused -> assertThat(refused.allowable()).isTrue());
    }

    /**
     * A tester: IPv6 literals the JDK cannot resolve (a zone id, a zone id on an IPv4-mapped address) passed at
     * deploy and at call time, the policy moving on after the UnknownHostException. A zone id is dropped and the
     * address judged; a literal the policy cannot read is refused, whatever the allowlist.
     */
    @Test
    void shouldJudgeAnIpv6LiteralWithoutItsZoneIdAndRefuseALiteralItCannotRead() {
        // HOST, not this machine: the tester's fe80::fc:ff:fe00:1 may be an address of its own eth0.
        EgressPolicy policy = EgressPolicy.allowing(List.of()).withLocalHost(HOST).withResolver(host -> {
            throw new AssertionError("a literal is not looked up: " + host);
        });
        for (String url : List.of("http://[::1%25lo]:18080/", "http://[fe80::fc:ff:fe00:1%25eth0]:18080/healthz",
                "http://[::ffff:127.0.0.1%lo]:19400/metrics", "http://[::ffff:7f00:1%1]:19400/metrics")) {
            assertThat(policy.refusalWithoutLookup(URI.create(url))).as(url).isPresent();
            assertThat(policy.refusal(URI.create(url))).as(url).isPresent();
        }
        assertThat(policy.refusal(URI.create("http://[::1%25lo]:18080/")))
                .hasValueSatisfying(refused -> assertThat(refused.reason()).contains("loopback"));
        // Link-local on any port, and whatever the operator allowed of loopback.
        EgressPolicy dev = EgressPolicy.allowing(List.of("127.0.0.0/8", "::1", "localhost")).withLocalHost(HOST)
                .withPlatformPorts(PlatformPorts.of(List.of(19400)));
        for (String url : List.of("http://[fe80::fc:ff:fe00:1%25eth0]:18080/healthz",
                "http://[fe80::fc:ff:fe00:1%25eth0]/", "http://[fe80::1%1]:443/")) {
            assertThat(dev.refusal(URI.create(url))).as(url)
                    .hasValueSatisfying(refused -> assertThat(refused.reason()).contains("link-local"));
        }
        for (String url : List.of("http://[::ffff:127.0.0.1%lo]:19400/metrics",
                "http://[::ffff:7f00:1%1]:19400/metrics", "http://[::1%25lo]:19400/")) {
            assertThat(dev.refusalWithoutLookup(URI.create(url))).as(url)
                    .hasValueSatisfying(refused -> assertThat(refused.reason()).contains("where Ferry itself listens"));
        }
        // A zone id on an address the policy lets go changes nothing, and one it cannot read is refused.
        assertThat(policy.refusal(URI.create("http://[2001:db8::1%25eth0]/"))).isEmpty();
        for (String url : List.of("http://[::ffff:0251.0.0.1]/", "http://[::0251.0.0.1%25lo]/")) {
            assertThat(dev.refusal(URI.create(url))).as(url).hasValueSatisfying(refused -> {
                assertThat(refused.reason()).contains("cannot read");
                assertThat(refused.allowable()).isFalse();
            });
        }
    }

    @Test
    void shouldReadOnlyDottedDecimalIpv4AndIpv6LiteralsWithoutDns() throws Exception {
        assertThat(EgressPolicy.literal("10.0.0.1")).contains(InetAddress.getByName("10.0.0.1"));
        assertThat(EgressPolicy.literal("fe80::1%eth0")).contains(InetAddress.getByName("fe80::1"));
        assertThat(EgressPolicy.literal("::ffff:127.0.0.1%25lo")).contains(InetAddress.getByName("127.0.0.1"));
        for (String unreadable : List.of("010.0.0.1", "1.2.3", "2852039166", "1.2.3.4.5", "256.0.0.1", "::1::2",
                "::ffff:1.2.3", "::g", "1.2.3.4%eth0", "%lo", ":")) {
            assertThat(EgressPolicy.literal(unreadable)).as(unreadable).isEmpty();
        }
    }

    /** A tester: {@code [::127.0.0.1]}, an IPv4-compatible address (deprecated), passed as if global. */
    @Test
    void shouldJudgeTheIpv4AddressAnIpv4CompatibleAddressEmbeds() {
        EgressPolicy policy = EgressPolicy.allowing(List.of());
        for (String url : List.of("http://[::127.0.0.1]:8080/", "http://[::7f00:1]/", "http://[::169.254.169.254]/",
                "http://[::a9fe:a9fe]/latest/meta-data/", "http://[::127.0.0.1%25lo]/")) {
            assertThat(policy.refusalWithoutLookup(URI.create(url))).as(url)
                    .hasValueSatisfying(refused -> assertThat(refused.reason()).contains("IPv4-compatible"));
            assertThat(policy.refusal(URI.create(url))).as(url).isPresent();
        }
        assertThat(policy.refusal(URI.create("http://[::203.0.113.7]/"))).isEmpty();
        assertThat(EgressPolicy.allowing(List.of("127.0.0.0/8")).withPlatformPorts(PlatformPorts.of(List.of(9400)))
                .refusalWithoutLookup(URI.create("http://[::127.0.0.1]:9400/")))
                .hasValueSatisfying(refused -> assertThat(refused.reason()).contains("where Ferry itself listens"));
        // A name whose AAAA record is one is judged the same.
        EgressPolicy named = policy.withResolver(host -> new InetAddress[] {InetAddress.getByName("::7f00:1")});
        assertThat(named.refusal(URI.create("http://compat.example/"))).isPresent();
    }

    /**
     * NAT64 (RFC 6052) and 6to4 (RFC 3056) addresses carry an IPv4 address a translator or relay may deliver to, and
     * lists of cloud-metadata bypasses name both: each is judged by that IPv4 address too, like ::a.b.c.d and
     * ::ffff:a.b.c.d already were.
     */
    @Test
    void shouldJudgeNat64And6to4AddressesByTheIpv4AddressTheyCarry() {
        EgressPolicy policy = EgressPolicy.allowing(List.of());
        for (String url : List.of("http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", "http://[64:ff9b::169.254.169.254]/",
                "http://[2002:a9fe:a9fe::]/", "http://[2002:a9fe:a9fe:1::5]/")) {
            assertThat(policy.refusalWithoutLookup(URI.create(url))).as(url)
                    .hasValueSatisfying(refused -> assertThat(refused.reason()).contains("169.254.169.254")
                            .contains("cloud metadata"));
        }
        assertThat(policy.refusalWithoutLookup(URI.create("http://[64:ff9b::7f00:1]:8080/")))
                .hasValueSatisfying(refused -> assertThat(refused.reason()).contains("a NAT64 address of 127.0.0.1")
                        .contains("loopback"));
        assertThat(policy.refusalWithoutLookup(URI.create("http://[2002:7f00:1::]:8080/")))
                .hasValueSatisfying(refused -> assertThat(refused.reason()).contains("a 6to4 address of 127.0.0.1"));
        for (String url : List.of("http://[64:ff9b::cb00:7107]/", "http://[2002:cb00:7107::1]/",
                "http://[2001:db8::1]/")) {
            assertThat(policy.refusalWithoutLookup(URI.create(url))).as(url).isEmpty();
        }
        // The same from DNS, and the platform's ports stay shut where loopback is allowed.
        EgressPolicy dev = EgressPolicy.allowing(List.of("127.0.0.0/8", "::1"))
                .withPlatformPorts(PlatformPorts.of(List.of(9400))).withResolver(host -> new InetAddress[] {
                    InetAddress.getByName("64:ff9b::7f00:1")});
        assertThat(dev.refusal(URI.create("http://nat64.example:9400/metrics")))
                .hasValueSatisfying(refused -> assertThat(refused.allowable()).isFalse());
        assertThat(dev.refusal(URI.create("http://nat64.example:8080/"))).isEmpty();
    }
}
