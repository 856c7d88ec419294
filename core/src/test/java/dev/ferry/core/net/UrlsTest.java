package dev.ferry.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class UrlsTest {

    @Test
    void shouldMaskThePasswordWhenAUrlCarriesUserInfo() {
        assertThat(Urls.redact("http://user:SECRET@registry:8081")).isEqualTo("http://user:****@registry:8081");
        assertThat(Urls.redact(URI.create("https://u:p%40ss@h/x?y=1"))).isEqualTo("https://u:****@h/x?y=1");
    }

    @Test
    void shouldMaskEveryUrlOfAListAndTokensWithoutAUser() {
        assertThat(Urls.redact("http://a:SECRET@one:8081,https://TOKEN@two,http://three"))
                .isEqualTo("http://a:****@one:8081,https://****@two,http://three");
        assertThat(Urls.redact("Schema registry at http://x:SECRET@h:1 answered 500")).doesNotContain("SECRET");
    }

    @Test
    void shouldLeaveUrlsWithoutCredentialsAlone() {
        assertThat(Urls.redact("http://localhost:8081/subjects?x=a@b")).isEqualTo("http://localhost:8081/subjects?x=a@b");
        assertThat(Urls.redact("kafka-1:9092,kafka-2:9092")).isEqualTo("kafka-1:9092,kafka-2:9092");
        assertThat(Urls.redact((String) null)).isNull();
    }
}
