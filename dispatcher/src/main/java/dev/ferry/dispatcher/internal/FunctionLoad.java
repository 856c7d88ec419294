package dev.ferry.dispatcher.internal;

import dev.ferry.dispatcher.PartitionLoad;
import java.util.Arrays;

/**
 * One function's backlog per partition: the latest {@code LagSample} plus what this dispatcher has sent to each
 * partition since that sample arrived. Without the correction every dispatcher would keep sending to the partition
 * that looked emptiest until the next sample, seconds later, and herd a burst onto it.
 *
 * <p>The lag view replaces the whole object when a sample arrives (a fresh correction starts with it); the
 * routing thread alone reads it and counts its sends, so the counters need no synchronization.
 */
public final class FunctionLoad implements PartitionLoad {

    private final long[] sampled;
    private long[] sent = new long[0];

    public FunctionLoad(long[] sampled) {
        this.sampled = sampled.clone();
    }

    public static FunctionLoad unknown() {
        return new FunctionLoad(new long[0]);
    }

    @Override
    public long lag(int partition) {
        long reported = partition < sampled.length ? Math.max(0L, sampled[partition]) : 0L;
        long ours = partition < sent.length ? sent[partition] : 0L;
        return reported + ours;
    }

    /** Counts one record routed to {@code partition}. */
    public void sent(int partition) {
        if (partition >= sent.length) {
            sent = Arrays.copyOf(sent, partition + 1);
        }
        sent[partition]++;
    }
}
