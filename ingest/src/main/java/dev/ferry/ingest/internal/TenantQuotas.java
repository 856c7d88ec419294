package dev.ferry.ingest.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Enforces each tenant's request rate (a token bucket) and in-flight limit. With quota sharing on (issue 15, part
 * 3; {@link #share(Supplier)}), this gateway enforces its share of each limit, as the {@link QuotaBoard.View}
 * gives it, so N gateways together admit about the tenant's limits; the bucket keeps its tokens when its share
 * changes ({@link TokenBucket#resize}). Unshared, each gateway enforces the whole limits.
 *
 * <p>It also counts what each tenant asked of this gateway, for the next quota report ({@link #drain()}).
 */
public final class TenantQuotas {

    /** This gateway's shares of one tenant's limits, under one view. */
    private record Shares(QuotaBoard.View view, Limits limits, double rate, int slots) {
    }

    /**
     * One tenant on this gateway since the last report.
     *
     * @param tenant the tenant
     * @param requests requests that asked for admission, refused ones included
     * @param admitted requests admitted
     * @param inFlight slots held now
     * @param concurrencyDemand the most slots held at once plus the slots refused, at most {@code maxConcurrent}
     * @param slots the slots this gateway allows itself now
     */
    public record Usage(String tenant, long requests, long admitted, int inFlight, int concurrencyDemand,
            int slots) {
    }

    private static final class State {
        final AtomicInteger inFlight = new AtomicInteger();
        final LongAdder requests = new LongAdder();
        final LongAdder admitted = new LongAdder();
        final AtomicInteger peak = new AtomicInteger();
        final AtomicInteger refusedSlots = new AtomicInteger();
        /** Whether the last report of the tenant showed refused slots: the peers know it wants more. */
        volatile boolean reportedRefusals;
        volatile Limits limits;
        volatile TokenBucket bucket;
        volatile Shares shares;
    }

    private static final QuotaBoard.View ALONE = QuotaBoard.View.alone();

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private volatile Supplier<QuotaBoard.View> views = () -> ALONE;
    private volatile Runnable wantsMore = () -> { };

    public TenantQuotas(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Shares the limits by the views of {@code board}; null enforces the whole limits again. */
    public void share(Supplier<QuotaBoard.View> board) {
        this.views = board == null ? () -> ALONE : board;
    }

    /**
     * Runs {@code listener} when a slot is refused to a tenant whose last report showed no refusal: the peers do not
     * know yet that this gateway wants more, and learn it only from a report. Called on the refusing thread; it must
     * not block.
     */
    public void onWantingMore(Runnable listener) {
        this.wantsMore = listener == null ? () -> { } : listener;
    }

    /**
     * Whether a report from this gateway now may give a peer the slots that {@code peerLoads} (its report, per
     * tenant) show it refusing, so this gateway should answer it out of turn rather than at its interval. True
     * when the peer refuses slots of a tenant that either
     * <ul>
     *   <li>this gateway is not short of: it refused none since its last report nor in the interval before it; or
     *   <li>this gateway holds and allows itself fewer of than its peers count for it
     *   ({@link QuotaBoard.View#countedByPeers}): a split since its last report allowed it more, and until it
     *   reports again the peers keep those slots free for it, even while both gateways are short.
     * </ul>
     * Two gateways both short of a tenant's slots otherwise wait for their intervals: answering each other's
     * reports would go back and forth for as long as both are short.
     */
    public boolean canFreeSlotsFor(Map<String, QuotaBoard.Load> peerLoads) {
        for (Map.Entry<String, QuotaBoard.Load> entry : peerLoads.entrySet()) {
            QuotaBoard.Load load = entry.getValue();
            if (load.concurrencyDemand() > Math.max(load.inFlight(), load.slots())
                    && (!refusesSlots(entry.getKey()) || countedForMoreThanItUses(entry.getKey()))) {
                return true;
            }
        }
        return false;
    }

    /** Whether this gateway refused a slot of {@code tenant} since its last report or in the interval before it. */
    private boolean refusesSlots(String tenant) {
        State state = states.get(tenant);
        return state != null && (state.reportedRefusals || state.refusedSlots.get() > 0);
    }

    private boolean countedForMoreThanItUses(String tenant) {
        State state = states.get(tenant);
        if (state == null) {
            return false;
        }
        int limit = state.limits.maxConcurrent();
        int uses = Math.max(state.inFlight.get(), shares(tenant, state).slots());
        return views.get().countedByPeers(tenant, limit) > uses;
    }

    /**
     * Counts one request against the tenant's rate.
     *
     * @throws ApiException 429 with the seconds until the next request is allowed
     */
    public void admitRequest(String tenant, Limits limits) {
        State state = state(tenant, limits);
        state.requests.increment();
        Shares shares = shares(tenant, state);
        long waitNanos = state.bucket.tryTake();
        if (waitNanos > 0) {
            long seconds = Math.max(1, (long) Math.ceil(waitNanos / (double) TimeUnit.SECONDS.toNanos(1)));
            throw new ApiException(429, "rate_limited", "Tenant " + tenant + " is over its rate of "
                    + limits.requestsPerSecond() + " requests/s (burst " + limits.burst() + ")"
                    + onThisGateway(shares, String.format(java.util.Locale.ROOT, "%.1f requests/s", shares.rate())), seconds);
        }
        state.admitted.increment();
    }

    /**
     * Takes an in-flight slot; give it back with the returned handle, exactly once.
     *
     * @throws ApiException 429 when the tenant already has its maximum (its share on this gateway) in flight
     */
    public Runnable acquireSlot(String tenant, Limits limits) {
        State state = state(tenant, limits);
        Shares shares = shares(tenant, state);
        AtomicInteger inFlight = state.inFlight;
        int now = inFlight.incrementAndGet();
        if (now > shares.slots()) {
            inFlight.decrementAndGet();
            if (state.refusedSlots.incrementAndGet() == 1 && !state.reportedRefusals) {
                wantsMore.run();
            }
            throw new ApiException(429, "concurrency_limited", "Tenant " + tenant + " is at its limit of "
                    + limits.maxConcurrent() + " invocations in flight"
                    + onThisGateway(shares, shares.slots() + " in flight, all taken"), 1);
        }
        state.peak.accumulateAndGet(now, Math::max);
        AtomicInteger once = new AtomicInteger();
        return () -> {
            if (once.compareAndSet(0, 1)) {
                inFlight.decrementAndGet();
            }
        };
    }

    public int inFlight(String tenant) {
        State state = states.get(tenant);
        return state == null ? 0 : state.inFlight.get();
    }

    /**
     * What each tenant asked of this gateway since the last call, and starts counting afresh: the tenants with
     * requests, slots held or slots refused since, with the slots this gateway allows itself under the current view
     * (the others count them as taken).
     */
    public List<Usage> drain() {
        List<Usage> usage = new ArrayList<>();
        states.forEach((tenant, state) -> {
            long requests = state.requests.sumThenReset();
            long admitted = state.admitted.sumThenReset();
            int held = state.inFlight.get();
            int peak = state.peak.getAndSet(held);
            int refused = state.refusedSlots.getAndSet(0);
            if (requests > 0 || peak > 0 || refused > 0) {
                int demand = (int) Math.min(state.limits.maxConcurrent(), (long) Math.max(peak, held) + refused);
                usage.add(new Usage(tenant, requests, admitted, held, demand, shares(tenant, state).slots()));
            }
            state.reportedRefusals = refused > 0;
        });
        return usage;
    }

    private static String onThisGateway(Shares shares, String share) {
        return shares.view().gateways() > 1 ? " across " + shares.view().gateways() + " gateways; this gateway's "
                + "share of it is " + share : "";
    }

    /** The shares under the current view; computed once per view change, the bucket resized to the rate share. */
    private Shares shares(String tenant, State state) {
        QuotaBoard.View view = views.get();
        Shares current = state.shares;
        if (current != null && current.view() == view && current.limits() == state.limits) {
            return current;
        }
        synchronized (state) {
            current = state.shares;
            Limits limits = state.limits;
            if (current != null && current.view() == view && current.limits() == limits) {
                return current;
            }
            double rate = rateShare(view, tenant, limits);
            // The fraction first: burst x rate could overflow where burst x (rate / limit), at most burst, cannot.
            double burst = Math.max(1, limits.burst() * (rate / limits.requestsPerSecond()));
            int slots = view.slots(tenant, limits.maxConcurrent());
            if (current == null || current.limits() != limits) {
                state.bucket = new TokenBucket(rate, burst, nanoTime);
            } else {
                state.bucket.resize(rate, burst);
            }
            Shares shares = new Shares(view, limits, rate, slots);
            state.shares = shares;
            return shares;
        }
    }

    /**
     * This gateway's share of the tenant's rate, always a positive finite number of at most the limit: a share that is
     * not (a peer's report the split cannot use) falls back to an even split, since a bucket of it would answer
     * every call of the tenant 500 (a tenant's quota must never do that; session 9).
     */
    private static double rateShare(QuotaBoard.View view, String tenant, Limits limits) {
        double limit = limits.requestsPerSecond();
        double rate = view.rate(tenant, limit);
        if (!(rate > 0 && Double.isFinite(rate))) {
            rate = limit / Math.max(1, view.gateways());
        }
        return Math.min(rate, limit);
    }

    /** A changed quota (the tenants file was edited) starts a fresh bucket but keeps counting what is in flight. */
    private State state(String tenant, Limits limits) {
        State state = states.computeIfAbsent(tenant, t -> {
            State created = new State();
            created.limits = limits;
            return created;
        });
        if (!Objects.equals(state.limits, limits)) {
            synchronized (state) {
                state.limits = limits;
            }
        }
        return state;
    }
}
