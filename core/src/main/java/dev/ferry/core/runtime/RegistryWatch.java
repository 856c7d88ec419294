package dev.ferry.core.runtime;

import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.net.Urls;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this process's schema registry is lost, as the process's own users of it found, and when it is back: one
 * per process ({@link FerryRuntime#registryWatch()}). A worker that cannot decode a work record or a trigger's AVRO
 * source record because the registry does not answer (not because the record is bad) calls {@link #lost}; the
 * replica that met the record leaves its group and joins again once {@link #available()}, so that records wait for
 * the registry in Kafka instead of going to the DLQ (a tester, session 12: a worker whose registry was gone
 * dead-lettered every work record of a schema id it had not seen yet, and an AVRO trigger's replica left and
 * rejoined its group every 2 s).
 *
 * <p>While lost, one thread of the watch asks the registry {@code GET /subjects} ({@link RegistryCheck#problem}),
 * and the schema of every id whose fetch failed ({@link #lostSchema}), every {@link #ASK_EVERY} until all answer, so
 * a thousand waiting replicas cost one request a second and none of them waits on the network; the thread ends
 * then. {@link #problem()} is a {@link ReadinessCheck}: a process whose
 * registry is lost is not ready and says why. Thread-safe.
 */
public final class RegistryWatch implements ReadinessCheck, AutoCloseable {

    /** How often a lost registry is asked whether it answers again. */
    public static final Duration ASK_EVERY = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(RegistryWatch.class);

    private final Supplier<Optional<String>> ask;
    private final IntFunction<Optional<String>> fetch;
    /**
     * The schema ids whose fetch failed since the loss began: the registry is back only once each of them is had
     * again too, since a registry can answer {@code GET /subjects} while its lookups by id fail (a tester, session
     * 13: a 500 on {@code /schemas/ids/*} alone made replicas rejoin and step out again every second).
     */
    private final Set<Integer> schemaIds = new LinkedHashSet<>();
    private final String where;
    private final Duration every;
    /** Why the registry is lost (its last answer), or null while it serves. */
    private String lostBecause;
    private boolean closed;

    /** @param urls the configured registry URLs, for the messages (credentials masked) */
    public RegistryWatch(SchemaRegistryClient registry, List<String> urls) {
        this(() -> RegistryCheck.problem(registry), id -> {
            try {
                registry.getById(id);
                return Optional.empty();
            } catch (RuntimeException e) {
                // The registry's verdict on the schema (deleted since, or one Ferry cannot read) is an answer: the
                // record is judged by it once its replica joins again (a tester, session 14: a watch waiting for a
                // schema the registry had since deleted waited until a restart).
                return SchemaRegistryException.unavailable(e)
                        ? Optional.of(e.getMessage() == null ? e.toString() : e.getMessage()) : Optional.empty();
            }
        }, Urls.redact(String.join(",", urls)), ASK_EVERY);
    }

    /**
     * @param ask empty when the registry answers, else why not ({@link RegistryCheck#problem})
     * @param fetch empty when the registry gives the schema of an id, else why not
     * @param where the registry's URLs, credentials masked
     * @param every how often a lost registry is asked
     */
    RegistryWatch(Supplier<Optional<String>> ask, IntFunction<Optional<String>> fetch, String where, Duration every) {
        this.ask = ask;
        this.fetch = fetch;
        this.where = where;
        this.every = every;
    }

    /**
     * As {@link #lost(Throwable)}, for a failure to fetch the schema of {@code schemaId}: the registry counts as back
     * only once that schema is had too.
     */
    public void lostSchema(int schemaId, Throwable why) {
        synchronized (this) {
            if (!closed) {
                schemaIds.add(schemaId);
            }
        }
        lost(why);
    }

    /**
     * A user of the registry got no answer from it (a {@code SchemaRegistryException} that is
     * {@code unavailable()}): the registry counts as lost until it answers {@code GET /subjects} again, which the
     * watch asks every {@link #ASK_EVERY} from now on. Logs one WARN when it becomes lost.
     */
    public void lost(Throwable why) {
        String because = why.getMessage() == null ? why.toString() : why.getMessage();
        synchronized (this) {
            if (lostBecause != null || closed) {
                return;
            }
            lostBecause = because;
        }
        log.warn("The schema registry at {} does not answer ({}): the replicas that need it leave their groups until "
                + "it does; their records wait in Kafka, none is dead-lettered for it", where, because);
        Thread asker = new Thread(this::askUntilAnswered, "ferry-registry-watch");
        asker.setDaemon(true);
        asker.start();
    }

    private void askUntilAnswered() {
        while (true) {
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            Optional<String> problem = ask.get();
            List<Integer> ids;
            synchronized (this) {
                ids = List.copyOf(schemaIds);
            }
            for (int i = 0; i < ids.size() && problem.isEmpty(); i++) {
                problem = fetch.apply(ids.get(i));
            }
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (problem.isPresent()) {
                    lostBecause = problem.get();
                    continue;
                }
                if (schemaIds.size() > ids.size()) {
                    continue; // another id was found lost meanwhile: ask for it too before saying the registry is back
                }
                schemaIds.clear();
                lostBecause = null;
            }
            // WARN as the loss was, so a console at the default level shows the outage's end too (tester 13B).
            log.warn("The schema registry at {} answers again: the replicas that waited for it join their groups "
                    + "again", where);
            return;
        }
    }

    /** Whether the registry serves this process: true unless {@link #lost} and not answering since. */
    public synchronized boolean available() {
        return lostBecause == null;
    }

    /** Empty while the registry serves; otherwise that it is lost, where, and its last answer. */
    @Override
    public synchronized Optional<String> problem() {
        return lostBecause == null ? Optional.empty()
                : Optional.of("the schema registry at " + where + " does not answer (" + lostBecause + ")");
    }

    /** Stops asking (the runtime closes). */
    @Override
    public synchronized void close() {
        closed = true;
    }
}
