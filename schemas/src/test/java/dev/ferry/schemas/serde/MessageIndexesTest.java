package dev.ferry.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Confluent's Protobuf message indexes: zig-zag varint count and indexes, with [0] as the single byte 0. */
class MessageIndexesTest {

    private static final String HEADER = "0000000007";

    @Test
    void shouldReadTheFirstMessageWhenTheIndexesAreTheSingleZeroByte() {
        MessageIndexes.Read read = MessageIndexes.read("t", bytes(HEADER + "00" + "0a01"));

        assertThat(read.indexes()).containsExactly(0);
        assertThat(read.payloadOffset()).isEqualTo(6);
    }

    @Test
    void shouldReadANestedPathWhenACountAndIndexesFollow() {
        // count 2 -> zig-zag 4; indexes 1 -> 2 and 0 -> 0
        MessageIndexes.Read read = MessageIndexes.read("t", bytes(HEADER + "040200" + "0a01"));

        assertThat(read.indexes()).containsExactly(1, 0);
        assertThat(read.payloadOffset()).isEqualTo(8);
    }

    @Test
    void shouldReadAMultiByteVarintWhenAnIndexIsLarge() {
        // count 1 -> 02; index 100 -> zig-zag 200 -> c8 01
        assertThat(MessageIndexes.read("t", bytes(HEADER + "02c801")).indexes()).containsExactly(100);
    }

    @Test
    void shouldWriteWhatItReads() {
        for (List<Integer> path : List.of(List.of(0), List.of(3), List.of(1, 0), List.of(0, 200, 5))) {
            byte[] data = bytes(HEADER + HexFormat.of().formatHex(MessageIndexes.write(path)) + "ff");

            assertThat(MessageIndexes.read("t", data).indexes()).isEqualTo(path);
            assertThat(MessageIndexes.read("t", data).payloadOffset()).isEqualTo(data.length - 1);
        }
        assertThat(MessageIndexes.write(List.of(0))).containsExactly(0);
    }

    @Test
    void shouldRefuseWithTheTopicWhenTheIndexesAreCutShortOrMalformed() {
        assertThatThrownBy(() -> MessageIndexes.read("orders", bytes(HEADER)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("orders")
                .hasMessageContaining("Truncated");
        assertThatThrownBy(() -> MessageIndexes.read("orders", bytes(HEADER + "0402")))
                .isInstanceOf(SerializationException.class).hasMessageContaining("Truncated");
        assertThatThrownBy(() -> MessageIndexes.read("orders", bytes(HEADER + "01")))
                .isInstanceOf(SerializationException.class).hasMessageContaining("count -1");
        assertThatThrownBy(() -> MessageIndexes.read("orders", bytes(HEADER + "ffffffffff01")))
                .isInstanceOf(SerializationException.class).hasMessageContaining("longer than 5 bytes");
    }

    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
