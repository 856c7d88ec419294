package dev.ferry.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.FerryException;
import org.junit.jupiter.api.Test;

class BearerTokensTest {

    @Test
    void shouldAcceptOnlyTheExactTokenWhenOneIsSet() {
        assertThat(BearerTokens.accepts("s3cret", "Bearer s3cret")).isTrue();
        assertThat(BearerTokens.accepts("s3cret", BearerTokens.header("s3cret"))).isTrue();
        assertThat(BearerTokens.accepts("s3cret", "Bearer s3cre")).isFalse();
        assertThat(BearerTokens.accepts("s3cret", "Bearer s3cretX")).isFalse();
        assertThat(BearerTokens.accepts("s3cret", "s3cret")).isFalse();
        assertThat(BearerTokens.accepts("s3cret", null)).isFalse();
    }

    @Test
    void shouldAcceptAnyCallerWhenNoTokenIsSet() {
        assertThat(BearerTokens.accepts("", null)).isTrue();
    }

    @Test
    void shouldRefuseANonLoopbackListenerWithoutAToken() {
        BearerTokens.requireTokenOffLoopback("x", "127.0.0.1", "", "x.token");
        BearerTokens.requireTokenOffLoopback("x", "localhost", "", "x.token");
        BearerTokens.requireTokenOffLoopback("x", "0.0.0.0", "t", "x.token");
        assertThatThrownBy(() -> BearerTokens.requireTokenOffLoopback("x", "0.0.0.0", "", "x.token"))
                .isInstanceOf(FerryException.class).hasMessageContaining("x.token");
    }
}
