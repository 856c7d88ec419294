package dev.ferry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class FunctionRefTest {

    @Property
    void shouldRoundTripThroughItsKeyWhenNamesAreValid(@ForAll("names") String tenant, @ForAll("names") String fn) {
        FunctionRef ref = new FunctionRef(tenant, fn);
        assertThat(FunctionRef.parseKey(ref.key())).isEqualTo(ref);
    }

    @Test
    void shouldRejectNamesThatWouldMakeIllegalTopicNames() {
        for (String bad : new String[] {"", "-leading", "Upper", "dot.ted", "slash/ed", "under_score", "a".repeat(64)}) {
            assertThatThrownBy(() -> new FunctionRef("acme", bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Invalid function name '" + bad + "'");
        }
    }

    @Test
    void shouldNameTheFieldWhenTheTenantIsInvalid() {
        assertThatThrownBy(() -> new FunctionRef("Acme", "echo")).hasMessageContaining("Invalid tenant name 'Acme'");
    }

    @Test
    void shouldRejectKeysWithoutExactlyOneSlash() {
        assertThatThrownBy(() -> FunctionRef.parseKey("acme")).hasMessageContaining("tenant/function");
        assertThatThrownBy(() -> FunctionRef.parseKey("a/b/c")).hasMessageContaining("tenant/function");
    }

    @Provide
    Arbitrary<String> names() {
        Arbitrary<Character> first = Arbitraries.chars().range('a', 'z').range('0', '9');
        Arbitrary<String> rest = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('-')
                .ofMaxLength(62);
        return net.jqwik.api.Combinators.combine(first, rest).as((f, r) -> f + r);
    }
}
