package dev.ferry.core.net;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TCP ports on which Ferry itself listens on a worker's host: its gateway, metering and management listeners,
 * the brokers and schema registry it was configured with, and whatever listener of this process was bound since
 * (one given port 0 learns its port only then). HTTP functions may not call these ports on the worker's own host,
 * even where the operator allows its addresses ({@code ferry dev} allows loopback): {@link EgressPolicy} refuses
 * them, and no allowlist entry opens them (tester finding, session 21: a tenant's function in {@code ferry dev}
 * read the management listener's {@code /metrics} and called the registry and the metering API).
 *
 * <p>One per process ({@code FerryRuntime} holds it); a listener {@linkplain #add(int) adds} its port once bound.
 * Ports are never taken back: a port a listener let go is still refused, which only matters if another program
 * binds it later on the same host. Thread-safe.
 */
public final class PlatformPorts {

    private final Set<Integer> ports = ConcurrentHashMap.newKeySet();

    private PlatformPorts() {
    }

    /** The ports given, those from 1 to 65535; 0 (bound later) and -1 (no listener) are left out. */
    public static PlatformPorts of(Iterable<Integer> configured) {
        PlatformPorts platform = new PlatformPorts();
        configured.forEach(platform::add);
        return platform;
    }

    /** None yet. */
    public static PlatformPorts none() {
        return new PlatformPorts();
    }

    /** Adds a port a listener of the platform bound; a value outside 1-65535 is ignored. */
    public void add(int port) {
        if (port > 0 && port <= 65_535) {
            ports.add(port);
        }
    }

    /** Whether the platform listens on {@code port}. */
    public boolean contains(int port) {
        return ports.contains(port);
    }

    @Override
    public String toString() {
        return "PlatformPorts" + new TreeSet<>(ports);
    }
}
