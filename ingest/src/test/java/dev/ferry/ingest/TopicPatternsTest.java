package dev.ferry.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicPatternsTest {

    @Test
    void shouldAllowOnlyTheExactTopicWhenThePatternHasNoStar() {
        TopicPatterns orders = TopicPatterns.of(List.of("orders"));

        assertThat(orders.allows("orders")).isTrue();
        assertThat(orders.allows("orders-eu")).isFalse();
        assertThat(orders.allows("my-orders")).isFalse();
        assertThat(orders.allows("Orders")).isFalse();
    }

    @Test
    void shouldAllowAnyRunOfCharactersWhereTheStarIs() {
        TopicPatterns patterns = TopicPatterns.of(List.of("orders*", "acme.*", "*-audit", "eu.*.raw"));

        assertThat(patterns.allows("orders")).isTrue();
        assertThat(patterns.allows("orders-eu")).isTrue();
        assertThat(patterns.allows("acme.clicks")).isTrue();
        assertThat(patterns.allows("acme.")).isTrue();
        assertThat(patterns.allows("payments-audit")).isTrue();
        assertThat(patterns.allows("eu.orders.raw")).isTrue();
        assertThat(patterns.allows("eu.a.b.raw")).isTrue();

        assertThat(patterns.allows("acme")).isFalse();
        assertThat(patterns.allows("acmeXclicks")).as("a dot is literal, not any character").isFalse();
        assertThat(patterns.allows("eu.raw")).isFalse();
        assertThat(patterns.allows("beta.orders")).isFalse();
        assertThat(patterns.allows("payments-audit-old")).isFalse();
    }

    @Test
    void shouldMatchPiecesInOrderWithoutOverlappingWhenAPatternHasSeveralStars() {
        TopicPatterns patterns = TopicPatterns.of(List.of("a*b*c", "x*x"));

        assertThat(patterns.allows("abc")).isTrue();
        assertThat(patterns.allows("a-b-b-c")).isTrue();
        assertThat(patterns.allows("acb")).isFalse();
        assertThat(patterns.allows("ab")).isFalse();
        assertThat(patterns.allows("xx")).isTrue();
        assertThat(patterns.allows("x")).as("head and tail cannot share the one x").isFalse();
    }

    @Test
    void shouldAllowEveryTopicWhenThePatternIsAStarAndNoneWhenThereAreNoPatterns() {
        assertThat(TopicPatterns.of(List.of("*")).allows("anything.at-all_1")).isTrue();
        assertThat(TopicPatterns.none().allows("orders")).isFalse();
        assertThat(TopicPatterns.of(null).allows("orders")).isFalse();
        assertThat(TopicPatterns.of(List.of()).allows("orders")).isFalse();
    }

    @Test
    void shouldRefuseAPatternThatNoTopicNameCouldMatchNamingIt() {
        assertThatThrownBy(() -> TopicPatterns.of(List.of("orders", "or ders")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'or ders'");
        assertThatThrownBy(() -> TopicPatterns.of(List.of("orders?")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'orders?'");
        assertThatThrownBy(() -> TopicPatterns.of(Arrays.asList(" ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }

    @Test
    void shouldKeepPatternsTrimmedAndOnceWhenGivenTwice() {
        assertThat(TopicPatterns.of(List.of(" orders* ", "orders*", "payments")).patterns())
                .containsExactly("orders*", "payments");
    }
}
