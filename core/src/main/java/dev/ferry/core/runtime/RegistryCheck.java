package dev.ferry.core.runtime;

import dev.ferry.core.FerryException;
import dev.ferry.core.net.Urls;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the schema registry can serve this process: the one way a Ferry service asks, at start (a bounded wait,
 * then a failure naming the URL and why) and while it runs (a dispatcher that stepped out asks before it rejoins).
 * The question is {@code GET /subjects}, a call Ferry's registry client already makes: every Confluent-compatible
 * registry answers it with a JSON list of subject names, and a URL where nothing listens, or another server (a
 * {@code 404}, an HTML page), does not (a tester, session 12: a dispatcher with a wrong {@code --schema-registry}
 * started, held its partitions and stalled them for good while it reported healthy).
 */
public final class RegistryCheck {

    private static final Logger log = LoggerFactory.getLogger(RegistryCheck.class);
    /** How often the start-up wait asks again. */
    static final Duration RETRY = Duration.ofSeconds(1);

    private RegistryCheck() {
    }

    /**
     * Empty when {@code registry} answers {@code GET /subjects} with a list; otherwise why not, in words that name
     * the URL asked and its answer (connection refused, {@code 404}, not JSON).
     */
    public static Optional<String> problem(SchemaRegistryClient registry) {
        try {
            registry.subjects();
            return Optional.empty();
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            return Optional.of(why);
        }
    }

    /**
     * Returns once the registry answers {@link #problem}, asking every second for up to {@code wait} (logging at
     * WARN, once, that it waits and why), so an orchestrator that starts the registry a moment after the service
     * does not see it fail.
     *
     * @param urls the configured registry URLs, for the messages (credentials masked)
     * @throws RegistryUnavailableException when it does not within {@code wait}, naming the URLs, what was asked
     *     and the last answer
     */
    public static void await(SchemaRegistryClient registry, List<String> urls, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        String where = Urls.redact(String.join(",", urls));
        boolean said = false;
        while (true) {
            Optional<String> problem = problem(registry);
            if (problem.isEmpty()) {
                if (said) {
                    log.info("The schema registry at {} answers", where);
                }
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new RegistryUnavailableException("The schema registry at " + where + " did not answer GET "
                        + "/subjects with a list of subjects within " + spoken(wait) + " (the last answer: "
                        + problem.get() + "); is " + where + " the Schema Registry's URL (--schema-registry, "
                        + "schema.registry.url)?");
            }
            if (!said) {
                log.warn("Waiting up to {} for the schema registry at {} to answer GET /subjects: {}",
                        spoken(wait), where, problem.get());
                said = true;
            }
            try {
                Thread.sleep(Math.min(RETRY.toMillis(), Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("Interrupted while waiting for the schema registry at " + where, e);
            }
        }
    }

    private static String spoken(Duration wait) {
        return wait.toMillis() % 1_000 == 0 ? wait.toSeconds() + " s" : wait.toMillis() + " ms";
    }

    /** The registry did not answer in time at start: a mistake in the configuration, most likely. */
    public static final class RegistryUnavailableException extends FerryException {
        private static final long serialVersionUID = 1L;

        RegistryUnavailableException(String message) {
            super(message);
        }
    }
}
