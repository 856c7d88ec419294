package dev.ferry.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {

    @Test
    void shouldListEveryConfigKeyInTheReadmeExactlyAsDeclared() throws IOException {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        int start = text.indexOf(ConfigDocs.START_MARKER);
        int end = text.indexOf(ConfigDocs.END_MARKER);
        assertThat(start).as("README.md has the config table markers").isNotNegative();
        String inReadme = text.substring(start, end + ConfigDocs.END_MARKER.length());
        assertThat(inReadme)
                .as("The README's configuration table is stale; replace it with the expected text below")
                .isEqualTo(ConfigDocs.readmeSection());
    }
}
