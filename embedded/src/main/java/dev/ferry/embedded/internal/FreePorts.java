package dev.ferry.embedded.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds a free local port, for listeners that must be named in the config before the server binds them. */
final class FreePorts {

    private FreePorts() {
    }

    /** A port free right now; another process could take it before we bind it, which is rare enough locally. */
    static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free local port", e);
        }
    }
}
