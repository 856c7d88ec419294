package dev.ferry.ingest.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * What this gateway knows of the gateways sharing the cluster's quotas (issue 15, part 3; docs/design.md, "Quotas
 * across gateways"): the last report of each live gateway, its own included as read back from
 * {@code ferry.quotas}, and from them this gateway's share of any tenant's limits ({@link View}).
 *
 * <p>Own reports count only once read back, so every gateway computes from the same reports in the same order (the
 * topic has one partition) and the shares of all gateways add up to the limit. A gateway whose last report is older
 * than {@link #EXPIRY_INTERVALS} intervals is no longer live. When this gateway's own reports stop coming back for
 * as long (the topic cannot be written or read), it is <i>cut off</i> and falls back to an even split among the
 * gateways it last knew: safe as long as no gateway is added meanwhile.
 *
 * <p>Thread-safe: reports arrive on the tail's thread, {@link #tick()} on the reporter's, {@link #view()} on any.
 */
public final class QuotaBoard {

    /** How many intervals a gateway may stay silent before it is no longer live. */
    public static final int EXPIRY_INTERVALS = 3;
    /** Splits kept per gateway since its last report: a gateway silent this long is expired anyway. */
    private static final int MAX_HISTORY = 64;

    /**
     * One tenant's load on one gateway.
     *
     * @param requestsPerSecond requests that asked for admission (refused ones included) per second
     * @param concurrencyDemand the most slots held at once plus those refused, in the last interval
     * @param inFlight slots held when the gateway reported
     * @param slots the slots the gateway allowed itself when it reported
     */
    public record Load(double requestsPerSecond, int concurrencyDemand, int inFlight, int slots) {
        /**
         * Anything written to {@code ferry.quotas} is read, so a value no gateway reports (negative, NaN, Infinity:
         * an interval of 0 divides by it) counts as none: a share computed from it would not be a number, and a
         * bucket of it answers the tenant's calls 500.
         */
        public Load {
            requestsPerSecond = requestsPerSecond > 0 && Double.isFinite(requestsPerSecond) ? requestsPerSecond : 0;
            concurrencyDemand = Math.max(0, concurrencyDemand);
            inFlight = Math.max(0, inFlight);
            slots = Math.max(0, slots);
        }
    }

    /** {@code loads} as the shares use them (demand over two reports), {@code latest} as reported. */
    private record Report(long receivedNanos, Map<String, Load> loads, Map<String, Load> latest) {
    }

    private final String self;
    private final long expiryNanos;
    private final LongSupplier nanoTime;
    private final long startedNanos;
    private final Map<String, Report> reports = new HashMap<>();
    /** Per gateway read back, this one too, the splits since its last report (that one included): what it may use. */
    private final Map<String, List<Split>> since = new HashMap<>();
    private Split currentSplit;
    private int lastKnownGateways = 1;
    private volatile View view;

    /**
     * @param self this gateway's id
     * @param interval the reporting interval of every gateway
     * @param nanoTime the monotonic clock ({@code System::nanoTime} outside tests)
     */
    public QuotaBoard(String self, Duration interval, LongSupplier nanoTime) {
        this.self = Objects.requireNonNull(self, "self");
        this.expiryNanos = interval.toNanos() * EXPIRY_INTERVALS;
        this.nanoTime = nanoTime;
        this.startedNanos = nanoTime.getAsLong();
        this.view = build(true);
    }

    /**
     * A gateway's report, as read from the topic: its loads per tenant (a tenant absent has none). A gateway's demand
     * is taken as the mean of its last two reports' (the most slots wanted, of the two), so one interval in which
     * its callers stalled does not hand its share to the others and back.
     *
     * @return whether the gateway joined with this report: it was not live before (new, expired or left)
     */
    public synchronized boolean report(String gateway, Map<String, Load> loads) {
        Report previous = reports.get(gateway);
        Map<String, Load> smoothed = new HashMap<>();
        loads.forEach((tenant, load) -> {
            Load before = previous == null ? null : previous.latest().get(tenant);
            smoothed.put(tenant, before == null ? load : mean(before, load));
        });
        if (previous != null) {
            previous.latest().forEach((tenant, before) -> {
                if (!loads.containsKey(tenant)) {
                    smoothed.put(tenant, mean(before, new Load(0, 0, 0, 0)));
                }
            });
        }
        reports.put(gateway, new Report(nanoTime.getAsLong(), Map.copyOf(smoothed), Map.copyOf(loads)));
        // What the gateway may hold from now on was allowed by the split it used when it reported, or a later one.
        List<Split> history = new ArrayList<>();
        if (currentSplit != null) {
            history.add(currentSplit);
        }
        since.put(gateway, history);
        rebuild();
        return previous == null;
    }

    private static Load mean(Load before, Load now) {
        return new Load((before.requestsPerSecond() + now.requestsPerSecond()) / 2,
                Math.max(before.concurrencyDemand(), now.concurrencyDemand()), now.inFlight(), now.slots());
    }

    /** A gateway said it stopped (a tombstone): it is no longer live. */
    public synchronized void left(String gateway) {
        if (!gateway.equals(self) && reports.remove(gateway) != null) {
            rebuild();
        }
    }

    /** Drops the gateways silent too long and finds out whether this one is cut off; call once an interval. */
    public synchronized void tick() {
        rebuild();
    }

    /** The current view; a new object whenever it changes, so callers may cache what they derive from it. */
    public View view() {
        return view;
    }

    private void rebuild() {
        long now = nanoTime.getAsLong();
        reports.entrySet().removeIf(e -> !e.getKey().equals(self) && now - e.getValue().receivedNanos() > expiryNanos);
        Report own = reports.get(self);
        boolean heard = own != null ? now - own.receivedNanos() <= expiryNanos : now - startedNanos <= expiryNanos;
        view = build(heard);
    }

    private View build(boolean connected) {
        if (!connected) {
            return View.cutOff(lastKnownGateways);
        }
        Split split = split();
        currentSplit = split;
        since.keySet().retainAll(reports.keySet());
        Map<String, List<Split>> histories = new HashMap<>();
        for (String gateway : split.gateways) {
            // This gateway's own history too, once its report is read back: what its peers count for it.
            if (reports.containsKey(gateway)) {
                List<Split> history = since.computeIfAbsent(gateway, g -> new ArrayList<>());
                history.add(split);
                if (history.size() > MAX_HISTORY) {
                    history.remove(0);
                }
                histories.put(gateway, List.copyOf(history));
            }
        }
        return new View(split, split.gateways.indexOf(self), false, split.gateways.size(), histories);
    }

    private Split split() {
        // Sorted, so every gateway numbers the gateways alike and breaks ties of whole slots alike.
        TreeMap<String, Map<String, Load>> live = new TreeMap<>();
        reports.forEach((gateway, report) -> live.put(gateway, report.loads()));
        live.putIfAbsent(self, Map.of());
        lastKnownGateways = live.size();
        List<String> gateways = new ArrayList<>(live.keySet());
        Map<String, Load[]> byTenant = new HashMap<>();
        for (int i = 0; i < gateways.size(); i++) {
            int index = i;
            live.get(gateways.get(i)).forEach((tenant, load) ->
                    byTenant.computeIfAbsent(tenant, t -> new Load[gateways.size()])[index] = load);
        }
        return new Split(List.copyOf(gateways), byTenant);
    }

    /** The live gateways, sorted, and each one's load per tenant: what every split of one set of reports needs. */
    static final class Split {

        private static final Load NONE = new Load(0, 0, 0, 0);

        final List<String> gateways;
        private final Map<String, Load[]> loads;

        Split(List<String> gateways, Map<String, Load[]> loads) {
            this.gateways = gateways;
            this.loads = loads;
        }

        Load load(String tenant, int gateway) {
            Load[] tenantLoads = loads.get(tenant);
            return tenantLoads == null || tenantLoads[gateway] == null ? NONE : tenantLoads[gateway];
        }

        double[] rates(String tenant, double limit) {
            double[] demands = new double[gateways.size()];
            for (int i = 0; i < demands.length; i++) {
                demands[i] = load(tenant, i).requestsPerSecond();
            }
            return QuotaShares.split(limit, demands);
        }

        int[] slots(String tenant, int limit) {
            if (gateways.size() == 1) {
                return new int[] {limit};
            }
            double[] demands = new double[gateways.size()];
            for (int i = 0; i < demands.length; i++) {
                demands[i] = Math.min(limit, load(tenant, i).concurrencyDemand());
            }
            return QuotaShares.apportion(limit, QuotaShares.split(limit, demands));
        }
    }

    /** This gateway's shares of tenants' limits, as one set of reports gives them. Immutable. */
    public static final class View {

        private final Split split;
        private final int self;
        private final boolean cutOff;
        private final int gateways;
        private final Map<String, List<Split>> since;

        private View(Split split, int self, boolean cutOff, int gateways, Map<String, List<Split>> since) {
            this.split = split;
            this.self = self;
            this.cutOff = cutOff;
            this.gateways = gateways;
            this.since = since;
        }

        /** The whole limits on this gateway: quotas are not shared. */
        public static View alone() {
            return new View(null, 0, false, 1, Map.of());
        }

        static View cutOff(int gateways) {
            return new View(null, 0, true, gateways, Map.of());
        }

        /** The gateways sharing the limits, this one included (when cut off, those it last knew). */
        public int gateways() {
            return gateways;
        }

        /** Whether this gateway has not heard its own reports back for too long, and splits evenly. */
        public boolean cutOff() {
            return cutOff;
        }

        /** This gateway's share of a tenant's rate {@code limit}, in the limit's unit; positive. */
        public double rate(String tenant, double limit) {
            if (split == null || gateways == 1) {
                return limit / gateways;
            }
            return split.rates(tenant, limit)[self];
        }

        /**
         * This gateway's slots of a tenant's concurrency {@code limit}: its whole-slot share, and never more than
         * the other gateways leave free. Each other gateway is taken to hold the most of what it held when it last
         * reported and of the shares every split since then gave it: it may still hold or take them until it
         * reports again. So a slot moves to another gateway only once its old holder has reported letting it go,
         * and slots are never in use on two gateways at once, except while gateways have read different reports.
         * Cut off: {@code max(1, limit / gateways)}.
         */
        public int slots(String tenant, int limit) {
            if (gateways == 1) {
                return limit;
            }
            if (split == null) {
                return Math.max(1, limit / gateways);
            }
            int share = split.slots(tenant, limit)[self];
            long heldElsewhere = 0; // a long: each gateway may count up to the limit, and a limit may be near 2^31
            for (int i = 0; i < split.gateways.size(); i++) {
                if (i != self) {
                    heldElsewhere += counted(i, tenant, limit);
                }
            }
            return (int) Math.max(0, Math.min(share, limit - heldElsewhere));
        }

        /**
         * The slots of a tenant's concurrency {@code limit} that the other gateways count as this gateway's, by the
         * rule of {@link #slots}: the most of what it held and allowed itself when its last report was written, and
         * of what every split since gave it. 0 while its first report has not been read back (the peers do not know
         * it yet), or when quotas are not shared. When this exceeds what the gateway holds and allows itself now, a
         * report from it would let its peers take the difference.
         */
        public int countedByPeers(String tenant, int limit) {
            if (split == null || gateways == 1 || !since.containsKey(split.gateways.get(self))) {
                return 0;
            }
            return counted(self, tenant, limit);
        }

        private int counted(int index, String tenant, int limit) {
            String gateway = split.gateways.get(index);
            Load load = split.load(tenant, index);
            int most = Math.max(load.inFlight(), load.slots());
            for (Split earlier : since.getOrDefault(gateway, List.of(split))) {
                int at = earlier.gateways.indexOf(gateway);
                if (at >= 0) {
                    most = Math.max(most, earlier.slots(tenant, limit)[at]);
                }
            }
            return most;
        }
    }
}
