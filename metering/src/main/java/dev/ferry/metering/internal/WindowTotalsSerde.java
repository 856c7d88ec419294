package dev.ferry.metering.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A compact binary form of {@link WindowTotals} for the state stores and their changelogs. Internal state needs no
 * registry round trip; the leading version byte leaves room to change the layout.
 */
public final class WindowTotalsSerde implements Serde<WindowTotals> {

    private static final byte VERSION = 1;

    @Override
    public Serializer<WindowTotals> serializer() {
        return (topic, totals) -> totals == null ? null : write(totals);
    }

    @Override
    public Deserializer<WindowTotals> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(WindowTotals t) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(t.tenant());
            out.writeUTF(t.function());
            out.writeLong(t.windowStart());
            out.writeLong(t.windowEnd());
            out.writeLong(t.invocations());
            out.writeLong(t.failures());
            out.writeLong(t.billedMillis());
            out.writeLong(t.mbMillis());
            byte[] unscaled = t.cost().unscaledValue().toByteArray();
            out.writeInt(t.cost().scale());
            out.writeShort(unscaled.length);
            out.write(unscaled);
            Uptime u = t.uptime();
            out.writeLong(u.upMillis());
            out.writeLong(u.upRuns());
            out.writeLong(u.downMillis());
            out.writeLong(u.downRuns());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static WindowTotals read(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalStateException("Unknown WindowTotals layout version " + version);
            }
            String tenant = in.readUTF();
            String function = in.readUTF();
            long windowStart = in.readLong();
            long windowEnd = in.readLong();
            long invocations = in.readLong();
            long failures = in.readLong();
            long billedMillis = in.readLong();
            long mbMillis = in.readLong();
            int scale = in.readInt();
            byte[] unscaled = new byte[in.readShort()];
            in.readFully(unscaled);
            Uptime uptime = new Uptime(in.readLong(), in.readLong(), in.readLong(), in.readLong());
            return new WindowTotals(tenant, function, windowStart, windowEnd, invocations, failures, billedMillis,
                    mbMillis, new BigDecimal(new BigInteger(unscaled), scale), uptime);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
