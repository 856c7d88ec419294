package dev.ferry.systest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A steady load of synchronous ({@code POST /v1/functions/{f}/invoke}) and asynchronous
 * ({@code POST /v1/functions/{f}/invocations}) calls, spread round-robin over the gateways, as a client behind a
 * list of gateways would send them. A call that cannot connect, or is refused with 503 (not ready, shutting down)
 * or 429, was not produced, so it is retried on the next gateway; a call whose connection broke after it was sent
 * may have been produced, so the client retries it as a new call and the first is counted as {@code broken} (its
 * invocation, if produced, is found by the verifier as unacknowledged, never as lost).
 *
 * <p>Every answer that names an invocation (200, 202, 502, 504 with {@code Ferry-Invocation-Id} or
 * {@code invocationId}) is an <em>accepted</em> invocation the verifier must find a final result for.
 */
final class LoadGenerator implements AutoCloseable {

    /** One call as the client saw it. {@code id} is null when no gateway accepted it. Times are epoch ms. */
    record Call(boolean sync, String id, int status, long sentAt, long answeredAt, int tries, int broken) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GIVE_UP = Duration.ofSeconds(90);

    private final List<URI> gateways;
    private final String apiKey;
    private final String function;
    private final String payload;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "load-ticker");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService callers = Executors.newFixedThreadPool(64, r -> {
        Thread t = new Thread(r, "load-caller");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong ticks = new AtomicLong();
    private volatile long startedAt;
    private volatile long stoppedAt;

    LoadGenerator(List<URI> gateways, String apiKey, String function, String payload) {
        this.gateways = List.copyOf(gateways);
        this.apiKey = apiKey;
        this.function = function;
        this.payload = payload;
    }

    /** Starts {@code callsPerSecond} calls a second, every other one synchronous. */
    LoadGenerator start(int callsPerSecond) {
        startedAt = System.currentTimeMillis();
        long periodMicros = 1_000_000L / callsPerSecond;
        ticker.scheduleAtFixedRate(() -> {
            boolean sync = ticks.getAndIncrement() % 2 == 0;
            callers.execute(() -> calls.add(call(sync)));
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
        return this;
    }

    /** One call now, outside the steady load (to see the pipeline answer before the load starts). */
    Call callOnce(boolean sync) {
        Call call = call(sync);
        calls.add(call);
        return call;
    }

    /** Stops sending and waits for the calls in flight (each gives up after 90 s of retries). */
    void stop() {
        ticker.shutdownNow();
        stoppedAt = System.currentTimeMillis();
        callers.shutdown();
        try {
            if (!callers.awaitTermination(GIVE_UP.toSeconds() + 30, TimeUnit.SECONDS)) {
                callers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    long startedAt() {
        return startedAt;
    }

    long stoppedAt() {
        return stoppedAt;
    }

    /** Calls by outcome, for the log: e.g. {@code sync 200=310, async 202=305}. */
    String summary() {
        Map<String, Long> counts = calls.stream().collect(Collectors.groupingBy(
                c -> (c.sync() ? "sync " : "async ") + (c.status() == 0 ? "gave-up" : String.valueOf(c.status())),
                java.util.TreeMap::new, Collectors.counting()));
        long retried = calls.stream().filter(c -> c.tries() > 1).count();
        long broken = calls.stream().mapToLong(Call::broken).sum();
        return counts + ", retried on another gateway " + retried + ", connections broken after sending " + broken;
    }

    private Call call(boolean sync) {
        long sent = System.currentTimeMillis();
        long deadline = sent + GIVE_UP.toMillis();
        int start = next.getAndIncrement();
        int tries = 0;
        int broken = 0;
        while (System.currentTimeMillis() < deadline && !Thread.currentThread().isInterrupted()) {
            URI gateway = gateways.get((start + tries) % gateways.size());
            tries++;
            HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/v1/functions/" + function
                    + (sync ? "/invoke" : "/invocations"))).timeout(Duration.ofSeconds(40))
                    .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(payload)).build();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 503 || status == 429) {
                    backOff();
                    continue;
                }
                String id = response.headers().firstValue("Ferry-Invocation-Id").orElseGet(() -> idIn(response));
                return new Call(sync, id, status, sent, System.currentTimeMillis(), tries, broken);
            } catch (ConnectException e) {
                backOff();
            } catch (IOException e) {
                broken++;
                backOff();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new Call(sync, null, 0, sent, System.currentTimeMillis(), tries, broken);
    }

    private static String idIn(HttpResponse<String> response) {
        try {
            JsonNode body = JSON.readTree(response.body());
            return body != null && body.hasNonNull("invocationId") ? body.get("invocationId").asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A client's retry back-off between gateways (not a wait for a condition). */
    private static void backOff() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        callers.shutdownNow();
    }

}
