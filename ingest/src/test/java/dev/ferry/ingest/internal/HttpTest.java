package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FerryException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class HttpTest {

    /** A 503 said only "FerryException" when the broker had run out of open files (session 11). */
    @Test
    void shouldSayWhatWentWrongInWordsWithTheRootCause() {
        FerryException e = new FerryException("Cannot create topic ferry.work.beta.wide20",
                new RuntimeException("wrapped", new IOException("Too many open files")));
        assertThat(Http.inWords(e)).isEqualTo("Cannot create topic ferry.work.beta.wide20: Too many open files");
    }

    @Test
    void shouldNameTheClassOnlyWhenNothingHasAMessage() {
        assertThat(Http.inWords(new IllegalStateException())).isEqualTo("IllegalStateException");
        assertThat(Http.inWords(new RuntimeException("x".repeat(600)))).hasSize(503);
    }
}
