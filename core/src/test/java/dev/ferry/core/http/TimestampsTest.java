package dev.ferry.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class TimestampsTest {

    private static final long MAX_MILLIS = Timestamps.MAX.toEpochMilli();

    @Test
    void shouldReadIsoInstantsAndEpochMillisWhenInRange() {
        assertThat(Timestamps.parse("from", "2026-01-01T00:00:00Z")).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(Timestamps.parse("from", "2026-01-01T02:00:00+02:00"))
                .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(Timestamps.parse("from", " 1767225600000 ")).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void shouldAnswer400WhenTheInstantHasNoEpochMillis() {
        // issue 12: this deadline answered 503 ArithmeticException.
        assertThatThrownBy(() -> Timestamps.parse("Ferry-Deadline", "+999999999-12-31T23:59:59Z"))
                .isInstanceOfSatisfying(HttpError.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("bad_request");
                    assertThat(e.getMessage()).startsWith("Ferry-Deadline must be");
                });
    }

    @Test
    void shouldAnswer400NamingTheParameterWhenNeitherForm() {
        for (String bad : new String[] {"yesterday", "", "-1", "99999999999999999999", "1e3", "2026-13-01T00:00:00Z"}) {
            assertThatThrownBy(() -> Timestamps.parse("to", bad)).as(bad)
                    .isInstanceOfSatisfying(HttpError.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.getMessage()).startsWith("to must be");
                    });
        }
    }

    @Property
    void shouldRoundTripEveryMillisecondInRange(@ForAll("inRange") long millis) {
        Instant instant = Instant.ofEpochMilli(millis);
        assertThat(Timestamps.parse("at", Long.toString(millis))).isEqualTo(instant);
        assertThat(Timestamps.parse("at", instant.toString())).isEqualTo(instant);
    }

    @Property
    void shouldRefuseWith400EveryInstantOutOfRange(@ForAll @LongRange(min = -31_557_014_167_219_200L,
            max = 31_556_889_864_403_199L) long seconds) {
        Instant instant = Instant.ofEpochSecond(seconds);
        if (!instant.isBefore(Timestamps.MIN) && !instant.isAfter(Timestamps.MAX)) {
            assertThat(Timestamps.parse("at", instant.toString())).isEqualTo(instant);
            return;
        }
        assertThatThrownBy(() -> Timestamps.parse("at", instant.toString()))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Property
    void shouldRefuseEveryEpochMillisBeyondTheMaximumWith400(@ForAll @LongRange(min = 253_402_300_800_000L)
            long millis) {
        assertThatThrownBy(() -> Timestamps.parse("at", Long.toString(millis)))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Property
    void shouldAnswerAnInstantInRangeOr400ForAnyText(@ForAll("texts") String text) {
        try {
            Instant parsed = Timestamps.parse("at", text);
            assertThat(parsed).isBetween(Timestamps.MIN, Timestamps.MAX);
            assertThat(parsed.truncatedTo(ChronoUnit.MILLIS)).isEqualTo(parsed);
        } catch (HttpError e) {
            assertThat(e.status()).isEqualTo(400);
        }
    }

    @Provide
    Arbitrary<Long> inRange() {
        return Arbitraries.longs().between(0, MAX_MILLIS);
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> isoLike = Arbitraries.longs().between(-1_000_000_000L, 1_000_000_000L)
                .map(year -> (year > 9999 ? "+" : "") + year + "-12-31T23:59:59.123456789Z");
        Arbitrary<String> digits = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(25);
        Arbitrary<String> junk = Arbitraries.strings().ofMaxLength(40);
        return Arbitraries.oneOf(isoLike, digits, junk);
    }
}
