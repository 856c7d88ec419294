package dev.ferry.ingest.internal;

import dev.ferry.core.DaemonThreads;
import dev.ferry.core.FerryException;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.metrics.FerryMetrics;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.schemas.QuotaReport;
import dev.ferry.schemas.TenantLoad;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares every tenant's limits among the gateways of a cluster through {@code ferry.quotas} (issue 15, part 3;
 * docs/design.md, "Quotas across gateways"): every {@code gateway.quota.report.interval.ms} this gateway writes what
 * its tenants asked of it ({@link TenantQuotas#drain()}) as a {@link QuotaReport} keyed by its id, follows the topic
 * with a {@link TopicTail} into a {@link QuotaBoard}, and has its {@link TenantQuotas} enforce the board's shares. On
 * close it writes a tombstone, so its peers take over its shares at once rather than after the expiry.
 *
 * <p>A report that cannot be written is only logged: the board notices that its own reports stop coming back and
 * falls back to an even split ({@link QuotaBoard}).
 *
 * <p>Each report names this gateway's instance, a random id new at each start, and when it started. A report under
 * this gateway's id from another instance means two live gateways share one {@code gateway.id}: each would read the
 * other's reports as its own and take a tenant's whole limits (tester 15A: two gateways both {@code gw1} admitted
 * twice a tenant's rate). At start such a report written since this instance started fails the start; while both
 * run, the one that started later steps out ({@link #steppedOut()}: its {@code /readyz} says so and it refuses
 * calls) until the other's reports stop for {@link QuotaBoard#EXPIRY_INTERVALS} intervals. Both log an ERROR naming
 * the id.
 */
public final class QuotaExchange implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QuotaExchange.class);

    private static final Duration CATCH_UP = Duration.ofSeconds(10);
    /** The least time between reports, when one is written out of turn: at most ten a second per gateway. */
    static final Duration OUT_OF_TURN_GAP = Duration.ofMillis(100);

    private final String id;
    private final String topic;
    private final Duration interval;
    private final TenantQuotas quotas;
    private final QuotaBoard board;
    private final KafkaProducer<String, QuotaReport> producer;
    private final TopicTail tail;
    private final ScheduledExecutorService timer;
    private final Gauge gauge;
    private volatile boolean reporting;
    /** A report out of turn is queued on the timer and not yet written. */
    private final AtomicBoolean reportQueued = new AtomicBoolean();
    private volatile long lastReport;
    private boolean cutOff;
    /** This instance: a random id and its start, in every report (see the class comment). */
    private final String instance = UUID.randomUUID().toString();
    private final Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    /** The latest report of another instance under this id, when read (nanoTime); null when none is known. */
    private volatile Duplicate duplicate;

    /** Another instance reporting under this gateway's id. */
    private record Duplicate(String instance, Instant startedAt, Instant at, long readNanos, boolean later) {
    }

    private QuotaExchange(FerryRuntime runtime, TenantQuotas quotas, String id) {
        this.id = id;
        this.quotas = quotas;
        this.interval = Duration.ofMillis(runtime.config().gateway().quotaReportIntervalMs());
        KafkaClients clients = runtime.clients();
        AvroSerdes serdes = runtime.serdes();
        this.topic = runtime.topics().quotas();
        Serializer<QuotaReport> serializer = serdes.serializer(QuotaReport.class);
        // A report is worth nothing an interval later: never block the timer longer than that on an absent cluster.
        this.producer = clients.producer("ferry-gateway-quotas-" + id, new StringSerializer(), serializer,
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 0,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(100L, interval.toMillis())));
        // The schema registered and the topic's metadata fetched now, so the first report is not late for them (a
        // gateway whose own reports do not come back in time is cut off).
        // Only a head start: what fails here fails the first reports too, which the board then notices.
        try {
            serializer.serialize(topic, report(List.of(), interval.toMillis()));
            producer.partitionsFor(topic);
        } catch (RuntimeException e) {
            log.warn("Gateway {} could not prepare its quota reports yet: {}", id, e.toString());
        }
        this.board = new QuotaBoard(id, interval, System::nanoTime);
        Deserializer<QuotaReport> reports = serdes.deserializer(QuotaReport.class);
        // From a few intervals back, so a gateway that starts knows its live peers at once.
        this.tail = TopicTail.builder(clients, topic, record -> take(record, reports))
                .from(TopicTail.Start.at(Instant.now().minus(interval.multipliedBy(QuotaBoard.EXPIRY_INTERVALS))))
                .name("ferry-gateway-quotas-" + id).build();
        this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("ferry-gateway-quotas-" + id));
        MeterRegistry metrics = FerryMetrics.registry();
        this.gauge = Gauge.builder("ferry.gateway.quota.gateways", board, b -> b.view().gateways())
                .description("Gateways sharing the tenants' quotas, as this gateway sees them (issue 15)")
                .tag("gateway", id).register(metrics);
    }

    /**
     * Starts sharing {@code quotas} as gateway {@code id}, over the clients and serdes of the process's
     * {@code runtime}, or returns null when {@code gateway.quota.report.interval.ms}
     * is 0 (each gateway then enforces the whole limits).
     *
     * @throws dev.ferry.core.FerryException when {@code ferry.quotas} cannot be read
     */
    public static QuotaExchange start(FerryRuntime runtime, TenantQuotas quotas, String id) {
        if (runtime.config().gateway().quotaReportIntervalMs() == 0) {
            log.info("Quota sharing is off: gateway {} enforces every tenant's whole limits", id);
            return null;
        }
        QuotaExchange exchange = new QuotaExchange(runtime, quotas, id);
        try {
            exchange.tail.start();
        } catch (RuntimeException e) {
            exchange.close();
            throw e;
        }
        // Knowing the live peers before the first request is admitted: otherwise it would be admitted as if alone.
        if (!exchange.tail.awaitReadToEnd(CATCH_UP)) {
            log.warn("Gateway {} has not read the recent quota reports after {} s; it shares by what it has read",
                    id, CATCH_UP.toSeconds());
        }
        try {
            exchange.refuseALiveDuplicate();
        } catch (RuntimeException e) {
            exchange.close();
            throw e;
        }
        quotas.share(exchange.board::view);
        quotas.onWantingMore(exchange::reportSoon);
        exchange.lastReport = System.nanoTime();
        exchange.reporting = true;
        long millis = exchange.interval.toMillis();
        // The first report at once: the peers learn of this gateway now, not an interval later, and answer with
        // reports of their own (take), which give it its slots.
        exchange.timer.scheduleAtFixedRate(exchange::report, 0, millis, TimeUnit.MILLISECONDS);
        log.info("Gateway {} shares tenants' quotas through {}, reporting every {} ms", id, exchange.topic, millis);
        return exchange;
    }

    /**
     * Fails when another instance reports under this id since this one started. A report of another instance read
     * from before (a predecessor that crashed without its tombstone, or a live duplicate between two reports) is
     * waited out: up to {@link QuotaBoard#EXPIRY_INTERVALS} intervals and one more for a live one to report again.
     */
    private void refuseALiveDuplicate() {
        Duplicate seen = duplicate;
        if (seen == null) {
            return;
        }
        log.info("Gateway {} read a quota report of another instance with its id ({}, at {}); waiting up to {} ms "
                + "to see whether it is still live", id, seen.instance(), seen.at(),
                interval.multipliedBy(QuotaBoard.EXPIRY_INTERVALS + 1).toMillis());
        long deadline = System.nanoTime() + interval.multipliedBy(QuotaBoard.EXPIRY_INTERVALS + 1).toNanos();
        while (System.nanoTime() < deadline) {
            Duplicate now = duplicate;
            if (now != null && !now.at().isBefore(startedAt)) {
                String message = "Another gateway is live with gateway.id " + id + " (instance " + now.instance()
                        + ", started " + now.startedAt() + ", reported at " + now.at() + "): each would take every "
                        + "tenant's whole quota. Give each gateway its own gateway.id";
                log.error(message);
                throw new FerryException(message);
            }
            try {
                Thread.sleep(Math.min(50, Math.max(1, interval.toMillis() / 10)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.info("Gateway {}: the other instance with its id ({}) reports no more; taking over its id", id,
                seen.instance());
        duplicate = null;
    }

    /**
     * Why this gateway must not serve: another instance, started before it, is live under its id. Empty when none
     * is (also when this one started first: the other one steps out).
     */
    public Optional<String> steppedOut() {
        Duplicate seen = duplicate;
        if (seen == null || !seen.later() || !live(seen)) {
            return Optional.empty();
        }
        return Optional.of("another gateway is live with gateway.id " + id + " (instance " + seen.instance()
                + ", started " + seen.startedAt() + "); this one, started later, steps out: give each gateway its "
                + "own gateway.id");
    }

    private boolean live(Duplicate seen) {
        return System.nanoTime() - seen.readNanos() < interval.multipliedBy(QuotaBoard.EXPIRY_INTERVALS).toNanos();
    }

    /** Notes another instance's report under this id, and says so (ERROR) when it is a new one. */
    private void duplicateReport(QuotaReport report) {
        Instant theirStart = report.getStartedAt() == null ? Instant.EPOCH : report.getStartedAt();
        String theirs = report.getInstance();
        // The later start steps out; at one instant, the greater instance id.
        boolean later = startedAt.isAfter(theirStart)
                || startedAt.equals(theirStart) && instance.compareTo(theirs) > 0;
        Duplicate before = duplicate;
        duplicate = new Duplicate(theirs, theirStart, report.getAt(), System.nanoTime(), later);
        if (reporting && (before == null || !before.instance().equals(theirs) || !live(before))) {
            log.error("Another gateway is live with gateway.id {} (instance {}, started {}; this one {}, started {}): "
                    + "gateway.id must be unique per gateway, or each takes every tenant's whole quota. {}", id, theirs,
                    theirStart, instance, startedAt, later ? "This one, started later, steps out (/readyz 503, calls "
                    + "refused) while the other reports" : "The other one, started later, steps out");
        }
    }

    /** The board this gateway takes its shares from. */
    public QuotaBoard board() {
        return board;
    }

    private void take(ConsumerRecord<byte[], byte[]> record, Deserializer<QuotaReport> reports) {
        if (record.key() == null) {
            return;
        }
        String gateway = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            if (gateway.equals(id)) {
                // Another instance with this id stopped (or this id's predecessor did): this one is not leaving.
                duplicate = null;
            } else {
                board.left(gateway);
            }
            return;
        }
        QuotaReport report = reports.deserialize(topic, record.value());
        if (gateway.equals(id) && report.getInstance() != null && !report.getInstance().equals(instance)) {
            // Never this gateway's own report coming back: its load is not this gateway's to count.
            duplicateReport(report);
            return;
        }
        double seconds = Math.max(1, report.getIntervalMs()) / 1000d;
        Map<String, QuotaBoard.Load> loads = new HashMap<>();
        for (TenantLoad load : report.getTenants()) {
            loads.put(load.getTenant(), new QuotaBoard.Load(load.getRequests() / seconds, load.getConcurrencyDemand(),
                    load.getInFlight(), load.getSlots()));
        }
        boolean joined = board.report(gateway, loads);
        if (!gateway.equals(id) && (joined || quotas.canFreeSlotsFor(loads))) {
            // A peer may take a slot only once its holder has reported giving it up. Without an answer out of turn a
            // gateway that joined, or whose callers came to it, refused every call under a concurrency limit for
            // one to two intervals.
            reportSoon();
        }
    }

    /**
     * Writes a report out of turn on the timer's thread, at least {@link #OUT_OF_TURN_GAP} after the last one. Asked
     * for when the shares change: a gateway joined, a peer refuses slots this gateway may free, this gateway refused
     * its first slot of a tenant. Requests while one is queued are one.
     */
    private void reportSoon() {
        if (reporting && reportQueued.compareAndSet(false, true)) {
            long sinceLast = System.nanoTime() - lastReport;
            long delayNanos = Math.max(0, OUT_OF_TURN_GAP.toNanos() - sinceLast);
            try {
                timer.schedule(() -> {
                    reportQueued.set(false);
                    report();
                }, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // Closing: the tombstone replaces every further report.
            }
        }
    }

    private void report() {
        try {
            long now = System.nanoTime();
            long elapsedMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(now - lastReport));
            lastReport = now;
            List<TenantLoad> tenants = quotas.drain().stream().map(u -> TenantLoad.newBuilder().setTenant(u.tenant())
                    .setRequests(u.requests()).setAdmitted(u.admitted()).setInFlight(u.inFlight())
                    .setConcurrencyDemand(u.concurrencyDemand()).setSlots(u.slots()).build()).toList();
            producer.send(new ProducerRecord<>(topic, id, report(tenants, elapsedMs)), (metadata, error) -> {
                if (error != null) {
                    log.debug("Gateway {}'s quota report was not written: {}", id, error.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("Gateway {} could not write its quota report: {}", id, e.toString());
        }
        board.tick();
        boolean nowCutOff = board.view().cutOff();
        if (nowCutOff != cutOff) {
            cutOff = nowCutOff;
            if (nowCutOff) {
                log.warn("Gateway {} has not read its own quota reports back for {} intervals: until it does, it "
                        + "enforces 1/{} of every tenant's limits", id, QuotaBoard.EXPIRY_INTERVALS,
                        board.view().gateways());
            } else {
                log.info("Gateway {} reads its quota reports again and shares tenants' limits by demand", id);
            }
        }
    }

    private QuotaReport report(List<TenantLoad> tenants, long intervalMs) {
        return QuotaReport.newBuilder().setGateway(id).setInstance(instance).setStartedAt(startedAt)
                .setAt(Instant.now()).setIntervalMs(intervalMs).setTenants(tenants).build();
    }

    /** Stops reporting, tells the other gateways this one left, and enforces the whole limits again. */
    @Override
    public void close() {
        reporting = false;
        timer.shutdownNow();
        try {
            producer.send(new ProducerRecord<>(topic, id, null));
        } catch (RuntimeException e) {
            log.debug("Gateway {} could not say it left: {}", id, e.toString());
        }
        producer.close(Duration.ofSeconds(2));
        tail.close();
        quotas.onWantingMore(null);
        quotas.share(null);
        FerryMetrics.registry().remove(gauge);
    }
}
