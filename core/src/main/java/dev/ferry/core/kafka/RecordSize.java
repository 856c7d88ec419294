package dev.ferry.core.kafka;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * An upper bound of a record's size as a producer and a broker count it against {@code max.request.size} and
 * {@code max.message.bytes}: key, value, headers and the batch and record overhead, uncompressed. Services compare
 * it with the limit before sending (issue 11), so an oversized record becomes a clear verdict instead of a send
 * failure that a transaction or a redelivery would repeat.
 */
public final class RecordSize {

    /** Generous room for the record batch header (61 bytes) and the varint fields of one record. */
    static final int RECORD_OVERHEAD = 128;
    /** Room for one header's varint lengths. */
    static final int HEADER_OVERHEAD = 10;

    private RecordSize() {
    }

    /** Bytes, at least as many as the record takes in a batch of its own; {@code headers} may be null. */
    public static long upperBound(byte[] key, byte[] value, Headers headers) {
        long size = RECORD_OVERHEAD + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        if (headers != null) {
            for (Header header : headers) {
                size += HEADER_OVERHEAD + header.key().length() * 3L
                        + (header.value() == null ? 0 : header.value().length);
            }
        }
        return size;
    }
}
