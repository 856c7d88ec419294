package dev.ferry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A tester saw Jackson's class and feature names in 400s for malformed bodies. */
class JsonSyntaxTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void shouldSayWhatAndWhereWithoutJacksonNamesWhenTheBodyEndsEarly() {
        String text = describe("{\"runtime\": \"JAVA\",");
        assertThat(text).startsWith("Unexpected end-of-input").contains("line 1, column ");
        assertClean(text);
    }

    @Test
    void shouldSayTheDepthWithoutTheSettingWhenTheBodyIsNestedTooDeep() {
        String text = describe("[".repeat(1200) + "]".repeat(1200));
        assertThat(text).isEqualTo("Document nesting depth (1001) exceeds the maximum allowed (1000)");
        assertClean(text);
    }

    @Test
    void shouldStayCleanForEveryKindOfMalformedJson() {
        for (String json : List.of("{\"a\": tru}", "{\"a\" 1}", "{'a': 1}", "{\"a\": 1,}", "{\"a\": \"x",
                "{\"a\": 01}", "{\"a\": 1, \"a\": 2}", "{\"a\": [1, 2}", "\u0001", "{\"a\": NaN}",
                "{\"a\": 1} {}", "{\"a\": \"" + "x".repeat(400) + "}")) {
            String text = describe(json);
                assertClean(text);
            assertThat(text).as(json).contains("line ").hasSizeLessThan(360);
        }
    }

    private static void assertClean(String text) {
        assertThat(text).doesNotContain("`").doesNotContain("Source:").doesNotContain("REDACTED")
                .doesNotContain("StreamRead").doesNotContain("com.fasterxml").doesNotContain("Feature");
    }

    private static String describe(String json) {
        JsonProcessingException e = catchThrowableOfType(() -> MAPPER.reader()
                .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(json),
                JsonProcessingException.class);
        assertThat(e).as(json).isNotNull();
        return JsonSyntax.describe(e);
    }
}
