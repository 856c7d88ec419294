package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void shouldCreateDistinctHighEntropyKeysWhenAskedRepeatedly() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            keys.add(ApiKeys.newKey());
        }
        assertThat(keys).hasSize(1000);
        assertThat(keys).allSatisfy(k -> assertThat(k).startsWith(ApiKeys.PREFIX).hasSizeGreaterThan(40));
    }

    @Test
    void shouldMatchOnlyTheKeyWhoseHashIsStored() {
        String key = ApiKeys.newKey();
        String other = ApiKeys.newKey();
        List<String> stored = List.of(ApiKeys.hash(other), ApiKeys.hash(key));

        assertThat(ApiKeys.matchesAny(key, stored)).isTrue();
        assertThat(ApiKeys.matchesAny(ApiKeys.newKey(), stored)).isFalse();
        assertThat(ApiKeys.matchesAny(key, List.of())).isFalse();
    }

    @Test
    void shouldStoreAHashThatDoesNotContainTheKeyWhenHashing() {
        String key = ApiKeys.newKey();
        String hash = ApiKeys.hash(key);

        assertThat(hash).hasSize(64).doesNotContain(key.substring(ApiKeys.PREFIX.length(), 20));
        assertThat(ApiKeys.hash(key)).isEqualTo(hash);
    }

    @Test
    void shouldIgnoreACorruptStoredHashWhenMatching() {
        String key = ApiKeys.newKey();
        assertThat(ApiKeys.matchesAny(key, List.of("not-hex", ApiKeys.hash(key)))).isTrue();
    }
}
