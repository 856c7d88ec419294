package dev.ferry.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MoveTopicsTest {

    @Test
    void shouldReadTheSeqBackWhenGivenTheValueItWrote() {
        assertThat(MoveTopics.seq(MoveTopics.value(0))).isZero();
        assertThat(MoveTopics.seq(MoveTopics.value(98_765))).isEqualTo(98_765);
        assertThat(MoveTopics.seq(MoveTopics.value(-1))).isEqualTo(-1);
    }

    @Test
    void shouldWriteJsonAUserWouldFilterOnWhenFillingTheSource() throws Exception {
        JsonNode json = new ObjectMapper().readTree(MoveTopics.value(130));

        assertThat(json.get("seq").asLong()).isEqualTo(130);
        assertThat(json.get("sensor").asText()).isEqualTo("s-2");
        assertThat(json.get("reading").asDouble()).isEqualTo(13.0);
        assertThat(new String(MoveTopics.key(130), StandardCharsets.UTF_8)).isEqualTo("s-2");
    }

    @Test
    void shouldFindNoSeqWhenTheValueIsNotOneOfTheScenarios() {
        assertThat(MoveTopics.seq(null)).isEqualTo(-1);
        assertThat(MoveTopics.seq("{\"n\":1}".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(MoveTopics.seq("{\"seq\":".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
    }
}
