package dev.ferry.bench.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When the bench's client sent each measured call and when its answer came, by invocation id, in epoch
 * milliseconds: the clock the pipeline's own timestamps use, so {@link LatencySplit} can place the client's two
 * instants among them (the reply path ends at the client).
 */
final class CallTimes {

    /** One call as the client saw it. */
    record Call(long sentMillis, long answeredMillis) {
    }

    private final Map<String, Call> calls = new ConcurrentHashMap<>();

    void record(String invocationId, long sentMillis, long answeredMillis) {
        calls.put(invocationId, new Call(sentMillis, answeredMillis));
    }

    Call get(String invocationId) {
        return calls.get(invocationId);
    }

    int size() {
        return calls.size();
    }
}
