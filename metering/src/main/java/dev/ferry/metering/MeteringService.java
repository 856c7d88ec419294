package dev.ferry.metering;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.health.Readiness;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.http.HttpErrors;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.net.BearerTokens;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.metering.internal.UsageHttpApi;
import io.javalin.Javalin;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One metering instance: the {@link MeteringTopology} under Kafka Streams plus its usage API over HTTP
 * ({@code metering.http.port}, on {@code metering.http.bind.address}: 127.0.0.1 unless set, and any other address
 * needs {@code metering.http.token}, which every caller then sends; issue 12). Several instances with the same topic prefix share the work and answer each other's
 * queries; each needs its own {@code metering.state.dir} and HTTP address.
 *
 * <pre>{@code
 * try (MeteringService metering = new MeteringService(config).start()) {
 *     List<Usage> usage = new UsageQueryClient(metering.url()).usage("acme", from, to);
 * }
 * }</pre>
 */
public final class MeteringService implements AutoCloseable {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(MeteringService.class);

    private final FerryConfig config;
    private final FerryRuntime runtime;
    /** Whether {@link #runtime} was built for this instance alone, to close with it. */
    private final boolean ownsRuntime;
    private final String processingGuarantee;
    private final Map<String, Object> streamsOverrides;
    private volatile KafkaStreams streams;
    private volatile HostInfo self;
    private Javalin http;

    /**
     * An exactly_once_v2 instance with a runtime of its own, closed with it: for a process that runs nothing else,
     * and tests.
     */
    public MeteringService(FerryConfig config) {
        this(config, StreamsConfig.EXACTLY_ONCE_V2, Map.of());
    }

    /** An exactly_once_v2 instance of the process {@code runtime} serves (its clients and serdes). */
    public MeteringService(FerryRuntime runtime) {
        this(runtime, false, StreamsConfig.EXACTLY_ONCE_V2, Map.of());
    }

    /**
     * @param streamsOverrides Kafka Streams settings applied last (e.g. {@code num.stream.threads}); they win over
     *                         Ferry's
     */
    public MeteringService(FerryConfig config, String processingGuarantee, Map<String, Object> streamsOverrides) {
        this(FerryRuntime.create(config), true, processingGuarantee, streamsOverrides);
    }

    private MeteringService(FerryRuntime runtime, boolean ownsRuntime, String processingGuarantee,
            Map<String, Object> streamsOverrides) {
        this.runtime = runtime;
        this.ownsRuntime = ownsRuntime;
        this.config = runtime.config();
        this.processingGuarantee = processingGuarantee;
        this.streamsOverrides = Map.copyOf(streamsOverrides);
    }

    /** Creates the topics metering reads and writes if missing, opens the HTTP API, then starts Streams. */
    public synchronized MeteringService start() {
        if (http != null) {
            throw new FerryException("Metering instance already started");
        }
        TopicCatalog topics = runtime.topics();
        int brokers = ensureTopics(topics);
        Topology topology = MeteringTopology.build(config, runtime.serdes(), processingGuarantee);

        MeteringConfig settings = config.metering();
        BearerTokens.requireTokenOffLoopback("metering usage API", settings.httpBindAddress(), settings.httpToken(),
                MeteringConfig.HTTP_TOKEN);
        http = Javalin.create(javalin -> {
            javalin.showJavalinBanner = false;
            HttpErrors.configure(javalin);
        });
        HttpErrors.register(http);
        // Its own check only, not the process's: a gateway beside it asks this /readyz for its "usage" check.
        new UsageHttpApi(() -> streams, () -> self, settings.httpToken(), new Readiness().add("streams", readiness()))
                .register(http);
        try {
            http.start(settings.httpBindAddress(), settings.httpPort());
            self = new HostInfo(config.metering().httpHost(), http.port());
            runtime.platformPorts().add(http.port());

            Properties props = MeteringTopology.streamsProperties(config, processingGuarantee);
            MeteringTopology.replicateInternalTopics(props, config, brokers);
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
            props.putAll(streamsOverrides);
            KafkaStreams created = new KafkaStreams(topology, props);
            created.setUncaughtExceptionHandler(e -> {
                LOG.error("[metering {}] stream thread failed, replacing it", self, e);
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            created.start();
            streams = created;
        } catch (RuntimeException e) {
            // A half-started instance would hold its port and answer 503 forever.
            http.stop();
            throw e;
        }
        LOG.info("[metering {}] started: {} over {}, usage API on port {}", self, processingGuarantee,
                topics.results(), self.port());
        LOG.info("[metering {}] usage API bound to {}:{}{}", self, settings.httpBindAddress(), self.port(),
                settings.httpToken().isEmpty() ? "" : ", token required");
        return this;
    }

    /** Creates the topics metering reads and writes if missing; answers the cluster's broker count. */
    private int ensureTopics(TopicCatalog topics) {
        Set<String> needed = Set.of(topics.results(), topics.usage(), topics.dlq());
        List<TopicSpec> specs = topics.platformTopics().stream().filter(s -> needed.contains(s.name())).toList();
        try (Admin admin = runtime.clients().admin(topics.meteringApplicationId() + "-admin")) {
            new TopicProvisioner(admin).ensure(specs);
            return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
        } catch (ExecutionException | TimeoutException e) {
            throw new FerryException("Cannot describe the Kafka cluster: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted while describing the Kafka cluster", e);
        }
    }

    /** The base URL of this instance's usage API. */
    public URI url() {
        HostInfo host = self;
        if (host == null) {
            throw new FerryException("Metering instance not started");
        }
        return URI.create("http://" + host.host() + ":" + host.port());
    }

    public int httpPort() {
        return url().getPort();
    }

    /**
     * Empty while this instance's Kafka Streams are {@code RUNNING}, else their state ("its Kafka Streams are
     * REBALANCING", "... are not started"): what its usage API's {@code /readyz} asks (as {@code streams}) and, in a
     * process of several services, the process's readiness (as {@code metering}).
     */
    public ReadinessCheck readiness() {
        return () -> {
            KafkaStreams current = streams;
            if (current == null) {
                return Optional.of("its Kafka Streams are not started");
            }
            KafkaStreams.State state = current.state();
            return state == KafkaStreams.State.RUNNING ? Optional.empty()
                    : Optional.of("its Kafka Streams are " + state);
        };
    }

    public KafkaStreams.State state() {
        KafkaStreams current = streams;
        return current == null ? KafkaStreams.State.CREATED : current.state();
    }

    @Override
    public synchronized void close() {
        KafkaStreams current = streams;
        if (current != null) {
            // Bounded so a stop stays quick (issue 11): past it the threads finish in the background, and a
            // task they could not commit is aborted (exactly_once_v2) and replayed at the next start.
            // Leaving the group hands the tasks over at once, instead of after the session timeout (Streams stays in
            // the group on close by default, for a quick return of the same member).
            if (!current.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(CLOSE_TIMEOUT))) {
                LOG.warn("[metering {}] Kafka Streams did not stop within {} s; stopping anyway", self,
                        CLOSE_TIMEOUT.toSeconds());
            }
            streams = null;
        }
        if (http != null) {
            http.stop();
        }
        if (ownsRuntime) {
            runtime.close();
        }
        LOG.info("[metering {}] stopped", self);
    }
}
