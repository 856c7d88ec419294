package dev.ferry.cli.service;

import dev.ferry.cli.CliException;
import dev.ferry.core.config.FerryConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Ferry settings read from a file ({@code --config-file FILE}): a Java properties file of Ferry keys, any key of the
 * README's configuration table and {@code kafka.}-prefixed client settings. It exists so secrets
 * ({@code management.token}, {@code metering.http.token}, a {@code kafka.sasl.jaas.config}) need not be given with
 * {@code --set}, where every user of the machine sees them in {@code ps} and {@code /proc/<pid>/cmdline}.
 *
 * <p>A key Ferry does not know is refused rather than ignored: a misspelt {@code managment.token} would otherwise
 * leave the setting meant at its default without a word. A value that is not valid for its key is refused here
 * too, naming the key, its type and its rule: both are mistakes in what the user gave, so both exit 2, as a bad
 * {@code --set} does (tester 10, finding 7a: a bad value exited 1, an unknown key 2). No message ever quotes a value
 * from the file, and a file that cannot be read is said in words (no such file, a directory, not UTF-8), not by an
 * exception's class name.
 */
final class ConfigFile {

    private ConfigFile() {
    }

    /**
     * The settings in {@code file}, in file order.
     *
     * @throws CliException (exit 2) naming the file when it cannot be read, naming each unknown key, or naming a
     *     key whose value is not valid
     */
    static Map<String, String> read(Path file) {
        Properties properties = load(file, "--config-file");
        Map<String, String> settings = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted().forEach(key -> settings.put(key, properties.getProperty(key)));
        check("--config-file " + file, settings);
        return settings;
    }

    /**
     * Refuses what the user gave in {@code source} ({@code --config-file FILE}, {@code --set}) that Ferry would not
     * take: the one check for both, so a misspelt key is refused wherever it is given (tester 15A, finding 6: an
     * unknown {@code --set} key was silently ignored while the same key in the file exited 2).
     *
     * @throws CliException (exit 2) naming {@code source} and each unknown key, or the key whose value is not
     *     valid, never quoting a value
     */
    static void check(String source, Map<String, String> settings) {
        ConfigDef definition = FerryConfig.definition();
        Set<String> known = definition.names();
        List<String> unknown = settings.keySet().stream()
                .filter(key -> !known.contains(key) && !key.startsWith(FerryConfig.KAFKA_PREFIX)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new CliException(source + " has keys Ferry does not know: " + unknown
                    + " (see the README's configuration table; Kafka client settings take the kafka. prefix)", 2);
        }
        settings.forEach((key, value) -> check(source, definition, key, value));
    }

    /**
     * The properties in {@code file}, given with {@code option} ({@code --config-file}, {@code --kafka-config}).
     *
     * @throws CliException (exit 2) naming the option, the file and why it cannot be read, in words (session 11
     *     tester: a missing {@code --kafka-config} file exited 1 with the bare path as its reason)
     */
    static Properties load(Path file, String option) {
        Properties properties = new Properties();
        if (Files.isDirectory(file)) {
            throw new CliException("Cannot read " + option + " " + file + ": it is a directory, not a file", 2);
        }
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException("Cannot read " + option + " " + file + ": " + why(e), 2);
        }
        return properties;
    }

    /** Refuses a value its key's type or rule does not take, as {@link FerryConfig} would, without quoting it. */
    private static void check(String source, ConfigDef definition, String key, String value) {
        ConfigDef.ConfigKey rule = definition.configKeys().get(key);
        if (rule == null) {
            return; // a kafka. client setting: the client checks it
        }
        try {
            Object parsed = ConfigDef.parseType(key, value.trim(), rule.type);
            if (rule.validator != null) {
                rule.validator.ensureValid(key, parsed);
            }
        } catch (ConfigException e) {
            throw new CliException(source + ": the value of " + key + " is not valid: it must be "
                    + rule.type.toString().toLowerCase(java.util.Locale.ROOT)
                    + (rule.validator == null ? "" : ", " + rule.validator), 2);
        }
    }

    /** Why a file could not be read, in words. */
    private static String why(Exception e) {
        if (e instanceof IllegalArgumentException) {
            return "a malformed \\uXXXX escape";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "it is not UTF-8 text (the file is read as UTF-8; save it so, or write other characters as "
                    + "\\uXXXX)";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
