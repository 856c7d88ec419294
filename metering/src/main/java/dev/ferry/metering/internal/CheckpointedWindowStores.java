package dev.ferry.metering.internal;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.apache.kafka.streams.state.internals.WithRetentionPeriod;

/**
 * Persistent window stores whose changelog offsets Kafka Streams keeps in a checkpoint file beside the task, as it
 * did for every store before 4.3, instead of inside the store (KIP-1035).
 *
 * <p>Why: since KIP-1035 a RocksDB window store keeps its committed offset in its segments, so a store with no live
 * segment (every window past its retention: dev's 10 s windows a minute after the last result, any of metering's
 * window stores after a long enough quiet) has no offset after a clean stop. Under {@code exactly_once_v2} a task
 * whose directory holds data but one of whose stores has no offset is declared corrupted ("did not find checkpoint
 * offsets while stores are not empty"), wiped and restored whole from its changelogs, at every restart. A store that
 * says it does not manage its offsets is wrapped by Streams itself in its legacy checkpointing (a
 * {@code .checkpoint_<store>} file written when the task closes cleanly and, under exactly-once, deleted when it
 * opens, so a crash still leaves none and wipes the task). Everything else is the RocksDB store's own. The first
 * start of a state directory written without this finds no such file and wipes its tasks once.
 *
 * <p>The wrapper also reports its supplier's retention period through {@link WithRetentionPeriod}, the interface
 * Kafka Streams 4.4 asks of a window store when it restores one from its changelog, to skip the records already past
 * retention. A store that does not answer is restored in full (a warning per changelog partition, "reported no usable
 * retention period"): after a crash, when a task is restored from scratch, every record of the changelog instead of
 * only the live ones. That interface is Streams-internal; if a later Streams drops it this class stops compiling
 * rather than silently restoring in full.
 */
public final class CheckpointedWindowStores {

    private CheckpointedWindowStores() {
    }

    /** {@code supplier}'s stores, each saying it does not manage its offsets; every other property unchanged. */
    public static WindowBytesStoreSupplier of(WindowBytesStoreSupplier supplier) {
        return new Supplier(supplier);
    }

    private record Supplier(WindowBytesStoreSupplier delegate) implements WindowBytesStoreSupplier {

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public WindowStore<Bytes, byte[]> get() {
            return new Store(delegate.get(), delegate.retentionPeriod());
        }

        @Override
        public String metricsScope() {
            return delegate.metricsScope();
        }

        @Override
        public long segmentIntervalMs() {
            return delegate.segmentIntervalMs();
        }

        @Override
        public long windowSize() {
            return delegate.windowSize();
        }

        @Override
        public boolean retainDuplicates() {
            return delegate.retainDuplicates();
        }

        @Override
        public long retentionPeriod() {
            return delegate.retentionPeriod();
        }
    }

    /** The RocksDB window store, except that its offsets are left to Streams' checkpoint file. */
    static final class Store implements WindowStore<Bytes, byte[]>, WithRetentionPeriod {

        private final WindowStore<Bytes, byte[]> delegate;
        private final long retentionPeriodMs;

        Store(WindowStore<Bytes, byte[]> delegate, long retentionPeriodMs) {
            this.delegate = delegate;
            this.retentionPeriodMs = retentionPeriodMs;
        }

        /** The supplier's retention in milliseconds, for Streams' restore to skip what is past it. */
        @Override
        public long retentionPeriod() {
            return retentionPeriodMs;
        }

        @Override
        @SuppressWarnings("deprecation")
        public boolean managesOffsets() {
            return false;
        }

        @Override
        public Long committedOffset(TopicPartition partition) {
            return null;
        }

        @Override
        public void commit(Map<TopicPartition, Long> changelogOffsets) {
            delegate.commit(changelogOffsets);
        }

        @Override
        @SuppressWarnings("deprecation")
        public void flush() {
            delegate.flush();
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            delegate.init(context, root);
        }

        @Override
        public void close() {
            delegate.close();
        }

        @Override
        public boolean persistent() {
            return delegate.persistent();
        }

        @Override
        public boolean isOpen() {
            return delegate.isOpen();
        }

        @Override
        public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
            return delegate.query(query, positionBound, config);
        }

        @Override
        public Position getPosition() {
            return delegate.getPosition();
        }

        @Override
        public long approximateNumUncommittedBytes() {
            return delegate.approximateNumUncommittedBytes();
        }

        @Override
        public void put(Bytes key, byte[] value, long windowStartTimestamp) {
            delegate.put(key, value, windowStartTimestamp);
        }

        @Override
        public byte[] fetch(Bytes key, long time) {
            return delegate.fetch(key, time);
        }

        @Override
        public WindowStoreIterator<byte[]> fetch(Bytes key, long timeFrom, long timeTo) {
            return delegate.fetch(key, timeFrom, timeTo);
        }

        @Override
        public WindowStoreIterator<byte[]> backwardFetch(Bytes key, long timeFrom, long timeTo) {
            return delegate.backwardFetch(key, timeFrom, timeTo);
        }

        @Override
        public KeyValueIterator<Windowed<Bytes>, byte[]> fetch(Bytes keyFrom, Bytes keyTo, long timeFrom,
                long timeTo) {
            return delegate.fetch(keyFrom, keyTo, timeFrom, timeTo);
        }

        @Override
        public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetch(Bytes keyFrom, Bytes keyTo, long timeFrom,
                long timeTo) {
            return delegate.backwardFetch(keyFrom, keyTo, timeFrom, timeTo);
        }

        @Override
        public KeyValueIterator<Windowed<Bytes>, byte[]> fetchAll(long timeFrom, long timeTo) {
            return delegate.fetchAll(timeFrom, timeTo);
        }

        @Override
        public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetchAll(long timeFrom, long timeTo) {
            return delegate.backwardFetchAll(timeFrom, timeTo);
        }

        @Override
        public KeyValueIterator<Windowed<Bytes>, byte[]> all() {
            return delegate.all();
        }

        @Override
        public KeyValueIterator<Windowed<Bytes>, byte[]> backwardAll() {
            return delegate.backwardAll();
        }
    }
}
