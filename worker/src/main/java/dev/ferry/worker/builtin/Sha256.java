package dev.ferry.worker.builtin;

import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** {@code sha256}: the lowercase hex SHA-256 digest of the payload bytes, as {@code text/plain}. */
public final class Sha256 implements Function {
    @Override
    public byte[] apply(Invocation in) throws NoSuchAlgorithmException {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(in.payload());
        in.outputContentType("text/plain");
        return HexFormat.of().formatHex(digest).getBytes(StandardCharsets.UTF_8);
    }
}
