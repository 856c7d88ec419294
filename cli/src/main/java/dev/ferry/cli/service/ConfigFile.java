package dev.ferry.cli.service;

import dev.ferry.cli.CliException;
import dev.ferry.core.config.FerryConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Ferry settings read from a file ({@code --config-file FILE}): a Java properties file of Ferry keys, any key of the
 * README's configuration table and {@code kafka.}-prefixed client settings. It exists so secrets
 * ({@code management.token}, {@code metering.http.token}, a {@code kafka.sasl.jaas.config}) need not be given with
 * {@code --set}, where every user of the machine sees them in {@code ps} and {@code /proc/<pid>/cmdline}.
 *
 * <p>A key Ferry does not know is refused rather than ignored: a misspelt {@code managment.token} would otherwise
 * leave the setting meant at its default without a word. No message ever quotes a value from the file.
 */
final class ConfigFile {

    private ConfigFile() {
    }

    /**
     * The settings in {@code file}, in file order.
     *
     * @throws CliException (exit 2) naming the file when it cannot be read, or naming each unknown key
     */
    static Map<String, String> read(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException("Cannot read --config-file " + file + ": " + e.getClass().getSimpleName()
                    + (e instanceof IllegalArgumentException ? " (malformed \\u escape)" : ""), 2);
        }
        Set<String> known = FerryConfig.definition().names();
        List<String> unknown = properties.stringPropertyNames().stream()
                .filter(key -> !known.contains(key) && !key.startsWith(FerryConfig.KAFKA_PREFIX)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new CliException("--config-file " + file + " has keys Ferry does not know: " + unknown
                    + " (see the README's configuration table; Kafka client settings take the kafka. prefix)", 2);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted().forEach(key -> settings.put(key, properties.getProperty(key)));
        return settings;
    }
}
