package dev.ferry.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
                .hasValueSatisfying(reason -> assertThat(reason).contains("127.0.0.1").contains("loopback"));
        assertThat(EgressPolicy.allowing(List.of("twofaced.example")).withResolver(host -> {
            throw new AssertionError("an allowed name is not looked up");
        }).refusal(URI.create("http://twofaced.example/"))).isEmpty();
    }

    @Test
    void shouldRejectAMalformedAllowlistEntry() {
        assertThatThrownBy(() -> EgressPolicy.allowing(List.of("10.0.0.0/33")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.0/33");
    }
}
