package dev.ferry.ingest.internal;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * How one tenant limit is split among the live gateways, from what each reported of its demand (issue 15, part 3;
 * docs/design.md, "Quotas across gateways"). Pure arithmetic: every gateway computes the split of every gateway
 * from the same reports, so the shares add up to the limit exactly.
 *
 * <p>The rule, for a limit {@code L} and {@code n} gateways with demands {@code d[i]}:
 * <ul>
 *   <li>one gateway takes all of {@code L};</li>
 *   <li>when no gateway reports demand, each takes {@code L / n};</li>
 *   <li>otherwise each first gets a floor {@code F = FLOOR_FRACTION * L / n}, so a gateway whose traffic has only
 *   just started admits some of it before its demand is reported; the rest, {@code L - n F}, goes max-min fair
 *   to what each wants beyond its floor (a gateway that wants less than an even split gets all it wants, the
 *   others share what is left evenly), and what nobody wants goes in proportion to demand, as headroom.</li>
 * </ul>
 */
public final class QuotaShares {

    /** The part of a limit kept as floors, one {@code 1/n}-th of it per gateway. */
    public static final double FLOOR_FRACTION = 0.1;

    private QuotaShares() {
    }

    /**
     * Splits {@code limit} by {@code demands}.
     *
     * @param limit the tenant's limit (requests per second, or slots), positive
     * @param demands each gateway's demand in the limit's unit, not negative; at least one
     * @return each gateway's share, in the order of {@code demands}; they add up to {@code limit}
     */
    public static double[] split(double limit, double[] demands) {
        int n = demands.length;
        if (n == 0) {
            throw new IllegalArgumentException("No gateway to share a limit among");
        }
        double[] shares = new double[n];
        double total = Arrays.stream(demands).map(d -> Math.max(0, d)).sum();
        if (n == 1 || total <= 0) {
            Arrays.fill(shares, limit / n);
            return shares;
        }
        double floor = FLOOR_FRACTION * limit / n;
        double rest = limit - n * floor;
        double[] wants = Arrays.stream(demands).map(d -> Math.max(0, d - floor)).toArray();
        double[] given = fill(wants, rest);
        double left = rest - Arrays.stream(given).sum();
        for (int i = 0; i < n; i++) {
            shares[i] = floor + given[i] + left * Math.max(0, demands[i]) / total;
        }
        return shares;
    }

    /**
     * Whole slots from {@link #split}'s shares of an integer {@code limit}: each gateway gets its share rounded
     * down, and the slots left go to the largest remainders, the lower index first on a tie, so the slots add up
     * to {@code limit} exactly and every gateway computes the same answer.
     */
    public static int[] apportion(int limit, double[] shares) {
        int n = shares.length;
        int[] slots = new int[n];
        int given = 0;
        for (int i = 0; i < n; i++) {
            // A hair under the integer (floating point sums) still counts as the integer.
            slots[i] = (int) Math.floor(shares[i] + 1e-9);
            given += slots[i];
        }
        Integer[] byRemainder = IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -(shares[i] - slots[i])).thenComparing(i -> i))
                .toArray(Integer[]::new);
        for (int k = 0; given < limit && k < n; k++) {
            slots[byRemainder[k]]++;
            given++;
        }
        return slots;
    }

    /**
     * Max-min fair: each gets {@code min(want, level)} where the level is set so the sum is {@code amount}, or
     * everything it wants when all the wants fit.
     */
    private static double[] fill(double[] wants, double amount) {
        int n = wants.length;
        double[] given = new double[n];
        Integer[] order = IntStream.range(0, n).boxed().sorted(Comparator.comparingDouble(i -> wants[i]))
                .toArray(Integer[]::new);
        double remaining = amount;
        for (int k = 0; k < n; k++) {
            int i = order[k];
            double even = remaining / (n - k);
            given[i] = Math.min(wants[i], even);
            remaining -= given[i];
        }
        return given;
    }
}
