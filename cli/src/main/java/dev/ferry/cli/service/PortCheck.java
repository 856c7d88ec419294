package dev.ferry.cli.service;

import dev.ferry.cli.CliException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks, before a process starts anything, that the ports it is about to listen on are free, so a taken port fails
 * at once with the option that moves it, instead of after the broker and the services have started (14 to 19 s for
 * {@code ferry dev}, with warnings from each; a standalone gateway left its reply topic behind). {@code Platform}
 * checks its services' ports; {@code ferry dev} adds its broker's and registry's. A port is free when a listener can bind it on every address the way servers do,
 * with {@code SO_REUSEADDR}: the connections a process just stopped leaves in TIME_WAIT for a minute must not
 * read as taken, or a restart right after a stop is refused. Port 0 (any free port) is not checked.
 * Another process may still take a port between this check and the service's bind; that
 * service then fails as before.
 */
final class PortCheck {

    /** A port the process will listen on: what listens there, and the option that chooses another. */
    record Wanted(int port, String what, String option) {
    }

    private final Map<Integer, Wanted> wanted = new LinkedHashMap<>();

    /** Adds a port to check; a second use of one port by two listeners is refused at once. */
    PortCheck add(int port, String what, String option) {
        if (port <= 0) {
            return this;
        }
        Wanted other = wanted.putIfAbsent(port, new Wanted(port, what, option));
        if (other != null) {
            throw new CliException("port " + port + " is chosen for both the " + other.what() + " and the " + what
                    + "; move one with " + option, 2);
        }
        return this;
    }

    /** Throws a {@link CliException} naming every taken port and how to move it. */
    void requireFree() {
        List<String> taken = new ArrayList<>();
        for (Wanted w : wanted.values()) {
            if (!free(w.port())) {
                taken.add("port " + w.port() + " (" + w.what() + ") is in use; choose another with " + w.option());
            }
        }
        if (!taken.isEmpty()) {
            throw new CliException(String.join("; ", taken)); // one line: the CLI prefixes it with "ferry: "
        }
    }

    static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
