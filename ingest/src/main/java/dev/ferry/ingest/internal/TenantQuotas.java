package dev.ferry.ingest.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Enforces each tenant's request rate (a token bucket) and in-flight limit on this gateway. Limits are per
 * gateway instance: N gateways behind a balancer admit up to N times a tenant's quota, the usual trade for not
 * coordinating on every request.
 */
public final class TenantQuotas {

    private record State(Limits limits, TokenBucket bucket, AtomicInteger inFlight) {
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    public TenantQuotas(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * Counts one request against the tenant's rate.
     *
     * @throws ApiException 429 with the seconds until the next request is allowed
     */
    public void admitRequest(String tenant, Limits limits) {
        long waitNanos = state(tenant, limits).bucket().tryTake();
        if (waitNanos > 0) {
            long seconds = Math.max(1, (long) Math.ceil(waitNanos / (double) TimeUnit.SECONDS.toNanos(1)));
            throw new ApiException(429, "rate_limited", "Tenant " + tenant + " is over its rate of "
                    + limits.requestsPerSecond() + " requests/s (burst " + limits.burst() + ")", seconds);
        }
    }

    /**
     * Takes an in-flight slot; give it back with the returned handle, exactly once.
     *
     * @throws ApiException 429 when the tenant already has its maximum in flight
     */
    public Runnable acquireSlot(String tenant, Limits limits) {
        AtomicInteger inFlight = state(tenant, limits).inFlight();
        if (inFlight.incrementAndGet() > limits.maxConcurrent()) {
            inFlight.decrementAndGet();
            throw new ApiException(429, "concurrency_limited", "Tenant " + tenant + " already has "
                    + limits.maxConcurrent() + " invocations in flight", 1);
        }
        AtomicInteger once = new AtomicInteger();
        return () -> {
            if (once.compareAndSet(0, 1)) {
                inFlight.decrementAndGet();
            }
        };
    }

    public int inFlight(String tenant) {
        State state = states.get(tenant);
        return state == null ? 0 : state.inFlight().get();
    }

    /** A changed quota (the tenants file was edited) starts a fresh bucket but keeps counting what is in flight. */
    private State state(String tenant, Limits limits) {
        return states.compute(tenant, (name, current) -> {
            if (current != null && current.limits().equals(limits)) {
                return current;
            }
            AtomicInteger inFlight = current != null ? current.inFlight() : new AtomicInteger();
            return new State(limits, new TokenBucket(limits.requestsPerSecond(), limits.burst(), nanoTime), inFlight);
        });
    }
}
