package dev.ferry.cli.service;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The demo's traffic: calls to the gateway over real HTTP, as a user's client would make them, with client-side
 * latency recorded per function in HdrHistograms. Bounded concurrency keeps the load honest on a small machine.
 */
final class DemoLoad {

    /** What one function saw from the client's side. */
    static final class FunctionLoad {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong succeeded = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final Histogram latencyMicros = new Histogram(3_600_000_000L, 3);
        private final Recorder recent = new Recorder(3);
        private Histogram interval;

        synchronized void record(long micros, boolean ok) {
            (ok ? succeeded : failed).incrementAndGet();
            latencyMicros.recordValue(Math.min(micros, latencyMicros.getHighestTrackableValue()));
            recent.recordValue(Math.min(micros, 3_600_000_000L));
        }

        /** Completions since the last call, for the live rate. */
        synchronized long drainCompleted() {
            interval = recent.getIntervalHistogram(interval);
            return interval.getTotalCount();
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI gateway;
    private final String apiKey;
    private final Semaphore inFlight;
    private final int maxInFlight;
    final Map<String, FunctionLoad> functions = new ConcurrentHashMap<>();

    DemoLoad(URI gateway, String apiKey, int maxInFlight) {
        this.gateway = gateway;
        this.apiKey = apiKey;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
    }

    FunctionLoad of(String function) {
        return functions.computeIfAbsent(function, f -> new FunctionLoad());
    }

    /** A synchronous invoke; its latency is the whole HTTP round trip. */
    CompletableFuture<Void> invoke(String function, String payload) {
        return send(function, "/invoke", payload, response -> response.statusCode() == 200);
    }

    /** An asynchronous invoke: counted as succeeded when the gateway accepted it (202). */
    CompletableFuture<Void> submit(String function, String payload) {
        return send(function, "/invocations", payload, response -> response.statusCode() == 202);
    }

    private CompletableFuture<Void> send(String function, String path, String payload,
            java.util.function.Predicate<HttpResponse<?>> ok) {
        FunctionLoad load = of(function);
        load.sent.incrementAndGet();
        inFlight.acquireUninterruptibly();
        long began = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/v1/functions/" + function + path))
                .timeout(Duration.ofSeconds(90))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .handle((response, error) -> {
                    inFlight.release();
                    load.record((System.nanoTime() - began) / 1_000, error == null && ok.test(response));
                    return null;
                });
    }

    /** Waits for every call in flight to finish. */
    void drain(Duration timeout) throws InterruptedException {
        if (inFlight.tryAcquire(maxInFlight, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            inFlight.release(maxInFlight);
        }
    }
}
