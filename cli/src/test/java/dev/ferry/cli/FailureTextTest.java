package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FerryException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/** A failure the command did not foresee is said with its causes, each once, and without secrets. */
class FailureTextTest {

    @Test
    void shouldSayEveryCauseOnceWhenKafkaWrapsTheOneThatSaysWhatIsWrong() {
        // What Admin.create throws for SASL without sasl.jaas.config (tester's finding: only the first line showed).
        Exception failure = new KafkaException("Failed to create new KafkaAdminClient",
                new KafkaException("Failed to create new NetworkClient", new IllegalArgumentException(
                        "Could not find a 'KafkaClient' entry in the JAAS configuration. System property "
                                + "'java.security.auth.login.config' is not set")));

        assertThat(FailureText.describe(failure)).isEqualTo("Failed to create new KafkaAdminClient: Failed to create "
                + "new NetworkClient: Could not find a 'KafkaClient' entry in the JAAS configuration. System property "
                + "'java.security.auth.login.config' is not set");
    }

    @Test
    void shouldLeaveOutAWrapperThatOnlyRepeatsItsCause() {
        IllegalStateException root = new IllegalStateException("the broker refused it");
        Exception failure = new FerryException("Cannot create topic t: the broker refused it",
                new ExecutionException(root));
        assertThat(FailureText.describe(failure)).isEqualTo("Cannot create topic t: the broker refused it");

        Exception named = new RuntimeException("org.apache.kafka.common.errors.SaslAuthenticationException: "
                + "bad credentials");
        assertThat(FailureText.describe(named)).isEqualTo("bad credentials");
        assertThat(FailureText.describe(new RuntimeException(new NullPointerException())))
                .isEqualTo("NullPointerException");
    }

    @Test
    void shouldMaskSecretsInAnyCause() {
        Exception failure = new KafkaException("Failed to create new KafkaAdminClient", new IllegalArgumentException(
                "JAAS config entry not terminated by semi-colon: sasl.jaas.config=org.apache.kafka.common.security"
                        + ".plain.PlainLoginModule required username=\"ferry\" password=\"S3cr3t\" at "
                        + "http://user:Hidden1@registry:8081, token: Tok3n"));

        String text = FailureText.describe(failure);

        assertThat(text).doesNotContain("S3cr3t").doesNotContain("Hidden1").doesNotContain("Tok3n")
                .contains("username=\"ferry\"").contains("password=****").contains("http://user:****@registry:8081")
                .contains("token: ****");
    }

    @Test
    void shouldNotMaskTheWordsOfASentenceThatFollowASecretsName() {
        // Tester 15A, finding 7: "without a token: set management.token" was printed "**** management.token".
        String refusal = "The management listener "
                + "would listen on 0.0.0.0 without a token: set management.token (callers then send 'Authorization: "
                + "Bearer <token>'), or bind it to 127.0.0.1";
        assertThat(FailureText.mask(refusal)).isEqualTo(refusal);
        String kafka = "Invalid value [hidden] for configuration ssl.key.password: Expected a password";
        assertThat(FailureText.mask(kafka)).isEqualTo(kafka);
        String metering = "metering.http.token: the usage API needs it off loopback";
        assertThat(FailureText.mask(metering)).isEqualTo(metering);

        // Still masked: a value shaped like a secret, quoted, last in the text, or after '='.
        assertThat(FailureText.mask("bad token: Tok3n was refused")).isEqualTo("bad token: **** was refused");
        assertThat(FailureText.mask("token: hunter")).isEqualTo("token: ****");
        assertThat(FailureText.mask("password: 'set me' here")).isEqualTo("password: **** here");
        assertThat(FailureText.mask("management.token=set and more")).isEqualTo("management.token=**** and more");
        assertThat(FailureText.mask("token: aBcDeFgH then")).isEqualTo("token: **** then");
        assertThat(FailureText.mask("secret: abcdefghijklmnopqrstu then")).isEqualTo("secret: **** then");
    }
}
