package dev.ferry.core.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionSpecsTest {

    private static FunctionSpec.Builder echo() {
        return FunctionSpecs.builder("acme", "echo", Runtime.JAVA, "echo");
    }

    @Test
    void shouldApplyTheDefaultsOfDesignWhenOnlyTheRequiredFieldsAreGiven() {
        FunctionSpec spec = echo().build();
        assertThat(spec.getMemoryMb()).isEqualTo(128);
        assertThat(spec.getTimeoutMs()).isEqualTo(30_000);
        assertThat(spec.getConcurrency()).isEqualTo(1);
        assertThat(spec.getMinReplicas()).isZero();
        assertThat(spec.getMaxReplicas()).isEqualTo(10);
        assertThat(spec.getPartitions()).isEqualTo(6);
        assertThat(spec.getDelivery()).isEqualTo(Delivery.QUEUE);
        assertThat(spec.getTargetLagPerReplica()).isEqualTo(10);
        assertThat(spec.getMaxAttempts()).isEqualTo(3);
        assertThat(FunctionSpecs.validate(spec, false)).isEmpty();
    }

    @Test
    void shouldNameEveryBrokenRuleWhenTheSpecIsBad() {
        FunctionSpec spec = echo().setName("Bad_Name").setMemoryMb(64).setTimeoutMs(900_001).setMinReplicas(5)
                .setMaxReplicas(2).setHandler(" ").build();
        assertThat(FunctionSpecs.validate(spec, false)).hasSize(5)
                .anySatisfy(e -> assertThat(e).startsWith("name must match"))
                .anySatisfy(e -> assertThat(e).isEqualTo("memoryMb must be between 128 and 10240, got 64"))
                .anySatisfy(e -> assertThat(e).isEqualTo("timeoutMs must be between 1 and 900000, got 900001"))
                .anySatisfy(e -> assertThat(e).contains("minReplicas (5) must not exceed maxReplicas (2)"))
                .anySatisfy(e -> assertThat(e).startsWith("handler is required"));
    }

    @Test
    void shouldRefuseTheProcessRuntimeUnlessTheOperatorEnabledIt() {
        FunctionSpec spec = FunctionSpecs.builder("acme", "tool", Runtime.PROCESS, "/bin/cat").build();
        assertThat(FunctionSpecs.validate(spec, false)).singleElement().asString().contains("PROCESS runtime is disabled");
        assertThat(FunctionSpecs.validate(spec, true)).isEmpty();
    }

    @Test
    void shouldRequireAnHttpUrlWhenTheRuntimeIsHttp() {
        assertThat(FunctionSpecs.validate(FunctionSpecs.builder("acme", "hook", Runtime.HTTP, "ftp://x").build(), false))
                .singleElement().asString().contains("http:// or https:// URL");
        assertThat(FunctionSpecs.validate(
                FunctionSpecs.builder("acme", "hook", Runtime.HTTP, "http://localhost:9000/run").build(), false))
                .isEmpty();
    }

    @Test
    void shouldKeepOrderedReplicasWithinThePartitionCount() {
        FunctionSpec spec = echo().setDelivery(Delivery.ORDERED).setPartitions(2).setMinReplicas(3).build();
        assertThat(FunctionSpecs.validate(spec, false)).singleElement().asString().contains("ORDERED");
        assertThat(FunctionSpecs.validate(echo().setPartitions(2).setMinReplicas(3).build(), false))
                .as("QUEUE functions are served by a share group, which has no such ceiling").isEmpty();
    }

    @Test
    void shouldRefuseAPartitionStrategyTheDispatcherDoesNotKnowWhenDeploying() {
        // issue 12: "bogus" was accepted (201), then the dispatcher rejected every call.
        assertThat(FunctionSpecs.validate(echo().setPartitionStrategy("bogus").build(), false)).singleElement()
                .asString().startsWith("partitionStrategy must be one of auto, key-affinity");
        for (String name : FunctionSpecs.PARTITION_STRATEGIES) {
            assertThat(FunctionSpecs.validate(echo().setPartitionStrategy(name).build(), false)).as(name).isEmpty();
        }
        assertThat(FunctionSpecs.validate(echo().setPartitionStrategy("com.acme.").build(), false)).hasSize(1);
    }

    @Test
    void shouldAcceptAStrategyClassOnlyWhenTheOperatorListedIt() {
        // A tester deployed "java.lang.Runtime" (201); the first call then answered 400. The gateway cannot see the
        // dispatcher's class path, so a class is valid only when listed in dispatcher.partition.strategy.classes.
        assertThat(FunctionSpecs.validate(echo().setPartitionStrategy("java.lang.Runtime").build(), false))
                .singleElement().asString().isEqualTo("partitionStrategy must be one of auto, key-affinity, "
                        + "round-robin, weighted-random, least-lag, got 'java.lang.Runtime' (a class is allowed only "
                        + "when the operator lists it in dispatcher.partition.strategy.classes)");
        List<String> listed = List.of("com.acme.ByRegion");
        assertThat(FunctionSpecs.validate(echo().setPartitionStrategy("com.acme.ByRegion").build(), false, listed))
                .isEmpty();
        assertThat(FunctionSpecs.validate(echo().setPartitionStrategy("java.lang.Runtime").build(), false, listed))
                .singleElement().asString()
                .startsWith("partitionStrategy must be one of auto, key-affinity, round-robin, weighted-random, "
                        + "least-lag, com.acme.ByRegion, got 'java.lang.Runtime'");
    }

    @Test
    void shouldRequireAClassNameWhenTheRuntimeIsJava() {
        assertThat(FunctionSpecs.validate(echo().setHandler("com.acme.Resize$Inner").build(), false)).isEmpty();
        for (String bad : new String[] {"com.acme.", "com acme", "http://x", "9lives", "a\u0000b"}) {
            assertThat(FunctionSpecs.validate(echo().setHandler(bad).build(), false)).as(bad).singleElement()
                    .asString().startsWith("handler");
        }
    }

    @Test
    void shouldRefuseControlCharactersInHandlersAndEnvNames() {
        FunctionSpec tool = FunctionSpecs.builder("acme", "tool", Runtime.PROCESS, "cat\nrm -rf /").build();
        assertThat(FunctionSpecs.validate(tool, true)).singleElement().asString().contains("control characters");
        assertThat(FunctionSpecs.validate(echo().setEnv(java.util.Map.of("A=B", "x")).build(), false))
                .singleElement().asString().startsWith("env names");
        assertThat(FunctionSpecs.validate(echo().setEnv(java.util.Map.of("A", "x\u0000")).build(), false))
                .singleElement().asString().contains("NUL");
    }

    /**
     * A tester: {@code http://0251.0376.0251.0376/} was refused as "must be an http:// or https:// URL". It is one;
     * its host is 169.254.169.254 (the cloud metadata address) to curl and browsers, which read octal, hex and
     * shortened IPv4 forms, and no host at all to java.net.URI. Such a host is refused, saying so.
     */
    @Test
    void shouldRefuseAnIpv4AddressInAFormOtherClientsReadDifferentlyNamingWhatTheyRead() {
        for (String url : List.of("http://0251.0376.0251.0376/", "http://0xa9.0xfe.0xa9.0xfe/latest",
                "http://169.254.43518/", "http://2852039166/", "https://0xA9FEA9FE:443/", "http://0251.254.169.254/",
                "http://user@0251.0376.0251.0376:80/")) {
            assertThat(FunctionSpecs.validate(FunctionSpecs.builder("acme", "hook", Runtime.HTTP, url).build(), false))
                    .as(url).singleElement().asString().doesNotContain("http:// or https://")
                    .contains("is read as the IPv4 address 169.254.169.254 by curl and browsers");
        }
        assertThat(FunctionSpecs.validate(
                FunctionSpecs.builder("acme", "hook", Runtime.HTTP, "http://169.254.169.0254/").build(), false))
                .singleElement().asString().contains("169.254.169.172");
        assertThat(FunctionSpecs.validate(
                FunctionSpecs.builder("acme", "hook", Runtime.HTTP, "http://010.0.0.1/").build(), false))
                .singleElement().asString().contains("'010.0.0.1'").contains("8.0.0.1").contains("a.b.c.d");
        assertThat(FunctionSpecs.validate(
                FunctionSpecs.builder("acme", "hook", Runtime.HTTP, "http://1.2.3.4.5/").build(), false))
                .singleElement().asString().contains("'1.2.3.4.5'").contains("not an IPv4 address");
        assertThat(FunctionSpecs.validate(
                FunctionSpecs.builder("acme", "hook", Runtime.HTTP, "http://bad_host.example/").build(), false))
                .singleElement().asString().contains("'bad_host.example' is not a valid host");
        for (String url : List.of("http://10.0.0.1:8080/run", "http://0251.example/", "https://3com.com/",
                "http://[fd00::1]/", "http://169.254.169.254/")) {
            assertThat(FunctionSpecs.validate(FunctionSpecs.builder("acme", "hook", Runtime.HTTP, url).build(), false))
                    .as(url + ": the egress policy decides about the address").isEmpty();
        }
    }

    @Test
    void shouldNameTheRangeOfEveryIntegerField() {
        assertThat(FunctionSpecs.INT_RANGES.get("memoryMb").problem("memoryMb", "99999999999999"))
                .isEqualTo("memoryMb must be between 128 and 10240, got 99999999999999");
        assertThat(FunctionSpecs.INT_RANGES.keySet()).containsExactlyInAnyOrder("memoryMb", "timeoutMs",
                "concurrency", "minReplicas", "maxReplicas", "partitions", "targetLagPerReplica", "maxAttempts");
    }

    /**
     * A tester: IPv6 handlers with a zone id were accepted at deploy. A zone id names an interface of one host, which
     * a handler on another never needs: refused, saying so (the egress policy still judges one that got in before).
     */
    @Test
    void shouldRefuseAnIpv6AddressWithAZoneId() {
        for (String url : List.of("http://[::1%25lo]:18080/", "http://[fe80::fc:ff:fe00:1%25eth0]:18080/healthz",
                "http://[::ffff:127.0.0.1%lo]:19400/metrics", "http://[::ffff:7f00:1%1]:19400/metrics",
                "https://[2001:db8::1%25eth0]/")) {
            assertThat(FunctionSpecs.validate(FunctionSpecs.builder("acme", "hook", Runtime.HTTP, url).build(), false))
                    .as(url).singleElement().asString().contains("zone id").contains("without it");
        }
        assertThat(FunctionSpecs.validate(
                FunctionSpecs.builder("acme", "hook", Runtime.HTTP, "http://[fe80::1%25eth0]/").build(), false))
                .singleElement().asString().contains("'[fe80::1%25eth0]'").contains("('%25eth0')");
        assertThat(FunctionSpecs.validate(
                FunctionSpecs.builder("acme", "hook", Runtime.HTTP, "http://[2001:db8::1]:8080/").build(), false))
                .isEmpty();
    }

    /** A tester: {@code http://127.0.0.1:84936/} was accepted at deploy and every call failed. */
    @Test
    void shouldRefuseAPortOutsideOneTo65535() {
        for (String url : List.of("http://127.0.0.1:84936/", "http://hook.example:0/run", "http://[::1]:65536/",
                "https://user@hook.example:99999999999/", "http://hook.example:00000/")) {
            assertThat(FunctionSpecs.validate(FunctionSpecs.builder("acme", "hook", Runtime.HTTP, url).build(), false))
                    .as(url).singleElement().asString().contains("no TCP port").contains("1 to 65535");
        }
        for (String url : List.of("http://hook.example:1/", "http://hook.example:65535/", "http://[::2]:8080/",
                "http://hook.example:/", "https://hook.example/")) {
            assertThat(FunctionSpecs.validate(FunctionSpecs.builder("acme", "hook", Runtime.HTTP, url).build(), false))
                    .as(url).isEmpty();
        }
    }
}
