package dev.ferry.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Only the registry's own verdict on what was asked is the record's fault; every other failure is the registry's. */
class SchemaRegistryExceptionTest {

    private static SchemaRegistryException answer(int status, int code) {
        return new SchemaRegistryException(status, code, "answered " + status);
    }

    @Test
    void shouldTakeTheRegistrysOwnNotFoundInvalidOrIncompatibleAsTheRecordsFault() {
        assertThat(answer(404, SchemaRegistryException.SCHEMA_NOT_FOUND).unavailable()).isFalse();
        assertThat(answer(404, SchemaRegistryException.SUBJECT_NOT_FOUND).unavailable()).isFalse();
        assertThat(answer(422, 42201).unavailable()).isFalse();
        assertThat(answer(409, 40901).unavailable()).isFalse();
    }

    @Test
    void shouldTakeEveryOtherFailureAsTheRegistryUnavailable() {
        assertThat(answer(SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE).unavailable())
                .as("no answer").isTrue();
        assertThat(answer(503, 50301).unavailable()).as("server error").isTrue();
        assertThat(answer(404, 404).unavailable()).as("another server's 404").isTrue();
        assertThat(answer(401, 401).unavailable()).as("refused credential").isTrue();
        assertThat(answer(401, 40101).unavailable()).as("refused credential with a registry code").isTrue();
        assertThat(answer(403, 40301).unavailable()).as("forbidden").isTrue();
        // Tester 13B: an ingress answering 200 with a login page; and a redirect to one.
        assertThat(new SchemaRegistryException(200, 200, "Unreadable registry answer: <html>login page</html>")
                .unavailable()).as("a 200 that is not the registry's answer").isTrue();
        assertThat(answer(302, 302).unavailable()).as("a redirect").isTrue();
    }

    @Test
    void shouldFindTheVerdictAmongTheCauses() {
        SerializationException wrapped = new SerializationException("Cannot fetch schema id 4",
                new SchemaRegistryException(200, 200, "Unreadable registry answer"));
        assertThat(SchemaRegistryException.unavailable(wrapped)).isTrue();
        assertThat(SchemaRegistryException.unavailable(new SerializationException("Cannot fetch schema id 4",
                answer(404, SchemaRegistryException.SCHEMA_NOT_FOUND)))).isFalse();
        assertThat(SchemaRegistryException.unavailable(new IllegalStateException("not the registry"))).isFalse();
    }
}
