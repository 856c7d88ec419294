package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FerryException;
import dev.ferry.core.RetriableFerryException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The error a caller reads: Ferry's own messages as they are, a function's own exception named by its class. */
class OutcomeTest {

    @Test
    void shouldShowAFerryExceptionsMessageWithoutItsClassName() {
        assertThat(Outcome.describe(new RetriableFerryException("the stock service is busy")))
                .isEqualTo("the stock service is busy");
        assertThat(Outcome.describe(new FerryException("HTTP 500 from http://127.0.0.1:9/f")))
                .isEqualTo("HTTP 500 from http://127.0.0.1:9/f");
    }

    @Test
    void shouldNameAFunctionsOwnExceptionByItsClass() {
        assertThat(Outcome.describe(new IllegalStateException("no stock"))).isEqualTo("IllegalStateException: no stock");
        assertThat(Outcome.describe(new IOException())).isEqualTo("java.io.IOException");
    }
}
