package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonBodyTest {

    @Test
    void shouldAnswerABodyNestedDeeperThanJacksonAllowsWithAnErrorNotAStackOverflow() {
        // A spec body 100,000 levels deep: Jackson's StreamReadConstraints (1,000 levels by default in 2.21) stop
        // the read before any recursion could overflow, and the caller answers 400 with the reason.
        int depth = 100_000;
        byte[] body = ("{\"name\":" + "[".repeat(depth) + "]".repeat(depth) + "}").getBytes(StandardCharsets.UTF_8);

        JsonBody read = JsonBody.read(new ObjectMapper(), body, "FunctionSpec", Set.of("name"), Set.of(), "acme");

        assertThat(read.root()).isNull();
        assertThat(read.errors()).singleElement().asString()
                .startsWith("body is not valid JSON: ")
                .contains("nesting depth");
    }
}
